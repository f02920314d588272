package org.offload.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A service declared in a small text file rather than in code; {@code ./run service FILE} (the
 * {@link WorkerLauncher}) starts one as a worker process.
 *
 * <pre>
 * # comment lines and blank lines are ignored
 * SERVICE slow-echo tcp://127.0.0.1:5555 tcp://127.0.0.1:5556
 * PASSPHRASE env:OFFLOAD_PASSPHRASE
 * WORKERS 4
 * ROUTE ^/service/slow$
 * REQUEST org.offload.demo.SlowEcho
 * </pre>
 *
 * <ul>
 *   <li>{@code SERVICE NAME PULL PUB} (required, once): the name used in logs, and the PULL (requests) and PUB
 *       (replies) addresses to bind: {@code tcp://HOST:PORT} (PORT may be {@code *}), {@code ipc://PATH} or
 *       {@code inproc://NAME}.</li>
 *   <li>{@code PASSPHRASE env:VARIABLE} or {@code PASSPHRASE file:PATH} (required, once): where the passphrase
 *       is read from when the service is built, never kept in the definition. A file's trailing line breaks
 *       are dropped; a relative PATH is relative to the definition file's directory (the working directory
 *       for a definition not read from a file). A literal passphrase is refused.</li>
 *   <li>{@code WORKERS N} (optional, once): handler threads, at least 1; default
 *       {@link ServiceServer#DEFAULT_WORKERS}.</li>
 *   <li>Settings (optional, once each, before the first ROUTE): {@code VIRTUAL_THREADS true|false},
 *       {@code QUEUE_CAPACITY N}, {@code ERROR_DETAILS true|false}, {@code MAX_MESSAGE_BYTES N|NKiB|NMiB},
 *       {@code DRAIN_TIMEOUT D}, {@code REPLAY_WINDOW D}, {@code MAX_PARKED_REPLIES N}, {@code PARK_TIMEOUT D},
 *       {@code SEND_HIGH_WATER_MARK N}, {@code RECEIVE_HIGH_WATER_MARK N}, {@code PROGRESS_INTERVAL D},
 *       {@code LINGER D}, {@code HANDSHAKE_TIMEOUT D}, {@code HEARTBEAT_INTERVAL D}, {@code DEADLINE_MARGIN D},
 *       {@code ENCRYPTION CURVE|NONE}: the {@link ServiceServer.Builder} option of
 *       the same name, checked as the builder checks it; a duration D is {@code 500ms}, {@code 5s}, {@code 2m},
 *       {@code 1h} or ISO-8601 ({@code PT5S}).</li>
 *   <li>{@code CALLS file:PATH} (optional, any number, before the first ROUTE): another service the handlers
 *       call ({@link Call#callService}), named by its own definition file (relative to this one's directory);
 *       only its SERVICE, PASSPHRASE and ENCRYPTION lines are read. Starting the definition opens one caller
 *       for all of them through a {@link ServiceCallerFactory} ({@code service-client} provides it) and the
 *       server closes it when it stops.</li>
 *   <li>{@code ROUTE REGEX}: starts a block of METHOD lines for paths matching REGEX at their start (as
 *       {@link ServiceServer.Builder#route}); the regex cannot contain spaces (write {@code \s}). Several
 *       blocks may follow each other; the first matching route wins.</li>
 *   <li>{@code METHOD CLASS [VERSION]}, under a ROUTE, one or more: any other upper-case word is a METHOD line, its
 *       lower-case form the METHOD ({@code REQUEST} → {@code request}, {@code GET} → {@code get}). CLASS is
 *       a public class on the classpath (nested classes as {@code outer.Name$Inner}) with a public no-argument
 *       constructor that either extends {@link ServiceHandler} (a fresh instance per call) or implements
 *       {@link Handler} (one instance per class, shared by all its routes and calls). VERSION
 *       ({@code MAJOR.MINOR}, e.g. {@code 1.3}) makes it a versioned route, as
 *       {@link ServiceServer.Builder#route(String, String, String, Handler)}; one ROUTE may have a METHOD line
 *       per version.</li>
 * </ul>
 *
 * <p>Directives are upper case; arguments are separated by white space. Anything wrong is reported as a
 * {@link DefinitionException} with the message {@code source:line: reason}: syntax and handler classes when
 * the definition is read, the passphrase when a server is built, the addresses' binding when it starts.
 * Handler classes are loaded with the thread's context class loader, or with the loader given to
 * {@link #resource(String, ClassLoader)}. Immutable and thread-safe.
 */
public final class ServiceDefinition {
    /** The source of definitions parsed from lines without a name. */
    static final String LINES_SOURCE = "<lines>";
    private static final String CLASSPATH_PREFIX = "classpath:";
    static final Function<String, Optional<String>> SYSTEM_ENV = name -> Optional.ofNullable(System.getenv(name));

    /**
     * One METHOD line: requests whose path matches {@code regex} at its start and whose METHOD is
     * {@code method} go to an instance of {@code handlerClass}; {@code line} is where the file says so;
     * {@code version} is the route's version when the line gives one ({@code REQUEST CLASS 1.3}).
     */
    public record Route(String regex, String method, String handlerClass, int line, Optional<RouteVersion> version) {
        public Route {
            Objects.requireNonNull(regex, "regex");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handlerClass, "handlerClass");
            Objects.requireNonNull(version, "version");
            if (line < 1) {
                throw new IllegalArgumentException("line must be >= 1 but was " + line);
            }
        }

        /** A route without a version. */
        public Route(String regex, String method, String handlerClass, int line) {
            this(regex, method, handlerClass, line, Optional.empty());
        }
    }

    /** A route with its checked handler class. */
    record Binding(Route route, HandlerClass handler) {
    }

    private final String source;
    private final Optional<Path> baseDir;
    private final String name;
    private final String pullAddress;
    private final String pubAddress;
    private final int serviceLine;
    private final PassphraseSource passphrase;
    private final int passphraseLine;
    private final int workers;
    private final List<DefinitionSettings.Setting> settings;
    private final List<DefinitionCalls.Callee> calls;
    private final List<Binding> bindings;

    ServiceDefinition(String source, Optional<Path> baseDir, String name, String pullAddress, String pubAddress,
                      int serviceLine, PassphraseSource passphrase, int passphraseLine, int workers,
                      List<DefinitionSettings.Setting> settings, List<DefinitionCalls.Callee> calls,
                      List<Binding> bindings) {
        this.source = source;
        this.baseDir = baseDir;
        this.name = name;
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.serviceLine = serviceLine;
        this.passphrase = passphrase;
        this.passphraseLine = passphraseLine;
        this.workers = workers;
        this.settings = List.copyOf(settings);
        this.calls = List.copyOf(calls);
        this.bindings = List.copyOf(bindings);
    }

    /** Reads a definition file (UTF-8); its path, as given, is the source in error messages. */
    public static ServiceDefinition load(Path file) {
        return DefinitionParser.parse(file.toString(), readLines(file), contextLoader(),
                Optional.ofNullable(file.toAbsolutePath().getParent()));
    }

    /** The lines of a definition file (UTF-8); {@link DefinitionException} naming the file when unreadable. */
    static List<String> readLines(Path file) {
        String source = file.toString();
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new DefinitionException(source, 0, "the file is not UTF-8 text", e);
        } catch (IOException e) {
            throw new DefinitionException(source, 0, "cannot read the file: " + DefinitionParser.ioReason(e), e);
        }
    }

    /** Parses a definition given as lines; errors name the source {@code <lines>}. */
    public static ServiceDefinition parse(List<String> lines) {
        return parse(LINES_SOURCE, lines);
    }

    /** Parses a definition given as lines; errors name {@code source}. */
    public static ServiceDefinition parse(String source, List<String> lines) {
        Objects.requireNonNull(source, "source");
        return DefinitionParser.parse(source, List.copyOf(lines), contextLoader(), Optional.empty());
    }

    /** Reads a definition from a classpath resource with the thread's context class loader. */
    public static ServiceDefinition resource(String name) {
        return resource(name, contextLoader());
    }

    /**
     * Reads a definition from the resource {@code name} of {@code loader} (a leading {@code /} is ignored),
     * and loads its handler classes with {@code loader}; errors name the source {@code classpath:NAME}.
     */
    public static ServiceDefinition resource(String name, ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        String path = name.startsWith("/") ? name.substring(1) : name;
        String source = CLASSPATH_PREFIX + path;
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new DefinitionException(source, 0, "resource not found on the classpath");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new DefinitionException(source, 0, "cannot read the resource: " + DefinitionParser.ioReason(e), e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DefinitionException(source, 0, "the resource is not UTF-8 text", e);
        }
        return DefinitionParser.parse(source, text.lines().toList(), loader, Optional.empty());
    }

    private static ClassLoader contextLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : ServiceDefinition.class.getClassLoader();
    }

    /** Where the definition came from: the file path, {@code classpath:NAME}, or the source given to parse. */
    public String source() {
        return source;
    }

    public String name() {
        return name;
    }

    public String pullAddress() {
        return pullAddress;
    }

    public String pubAddress() {
        return pubAddress;
    }

    /** The WORKERS count, or {@link ServiceServer#DEFAULT_WORKERS} when the definition has none. */
    public int workers() {
        return workers;
    }

    /** The setting lines (VIRTUAL_THREADS, QUEUE_CAPACITY, ...) by directive, values as written, in file order. */
    public Map<String, String> settings() {
        Map<String, String> bySetting = new LinkedHashMap<>();
        settings.forEach(st -> bySetting.put(st.directive(), st.value()));
        return Collections.unmodifiableMap(bySetting);
    }

    /** The METHOD lines in file order (the order in which routes are tried). */
    public List<Route> routes() {
        return bindings.stream().map(Binding::route).toList();
    }

    /**
     * The same definition with other addresses (e.g. ports a supervisor picked); throws
     * {@link IllegalArgumentException} for an address that is not {@code tcp://HOST:PORT}, {@code ipc://PATH}
     * or {@code inproc://NAME}, or for two equal ones.
     */
    public ServiceDefinition withAddresses(String pullAddress, String pubAddress) {
        DefinitionParser.checkAddresses(Objects.requireNonNull(pullAddress, "pullAddress"),
                Objects.requireNonNull(pubAddress, "pubAddress"));
        return new ServiceDefinition(source, baseDir, name, pullAddress, pubAddress, serviceLine, passphrase,
                passphraseLine, workers, settings, calls, bindings);
    }

    /** The CALLS lines' files as written ({@code file:PATH}), in file order: the services the handlers call. */
    public List<String> calls() {
        return calls.stream().map(DefinitionCalls.Callee::file).toList();
    }

    /**
     * A builder with the name, addresses, workers, settings and routes set and the passphrase read from its
     * environment variable or file; adjust it further (e.g. {@code drainTimeout}) before {@code build()}.
     * Throws {@link DefinitionException} when the passphrase cannot be read or a shared handler cannot be
     * created.
     */
    public ServiceServer.Builder toBuilder() {
        return toBuilder(SYSTEM_ENV);
    }

    /** The passphrase, read from its variable or file now; {@link DefinitionException} when it cannot be. */
    String passphrase(Function<String, Optional<String>> env) {
        try {
            return passphrase.resolve(env, baseDir);
        } catch (IllegalArgumentException e) {
            throw new DefinitionException(source, passphraseLine, e.getMessage());
        }
    }

    /** {@link #toBuilder()} with {@code env} instead of the process environment. */
    ServiceServer.Builder toBuilder(Function<String, Optional<String>> env) {
        return toBuilder(passphrase(env), UnaryOperator.identity());
    }

    /**
     * A builder as {@link #toBuilder()}, but with {@code passphrase} instead of the one the PASSPHRASE line
     * names (which is not read), and each route's handler passed through {@code wrap}: how a test runs a
     * service's real routes and settings under a passphrase of its own, with something (fault injection,
     * instrumentation) in front of every handler. Throws {@link DefinitionException} when a shared handler
     * cannot be created.
     */
    public ServiceServer.Builder toBuilder(String passphrase, UnaryOperator<Handler> wrap) {
        Objects.requireNonNull(wrap, "wrap");
        if (bindings.stream().anyMatch(b -> b.handler() == null)) {
            throw new IllegalStateException(source + " was read as an endpoint (ServiceEndpoint), without its"
                    + " handler classes: load it with ServiceDefinition.load to start it");
        }
        ServiceServer.Builder builder = ServiceServer.builder().name(name).bind(pullAddress, pubAddress)
                .passphrase(passphrase).workers(workers);
        settings.forEach(setting -> setting.apply().accept(builder));
        Map<Class<?>, Handler> handlers = new HashMap<>();
        for (Binding b : bindings) {
            Handler handler;
            try {
                handler = handlers.computeIfAbsent(b.handler().type(), type -> b.handler().newHandler());
            } catch (IllegalArgumentException e) {
                throw new DefinitionException(source, b.route().line(), e.getMessage(), e.getCause());
            }
            builder.route(b.route().regex(), b.route().method(), Objects.requireNonNull(wrap.apply(handler),
                    "wrap returned no handler"), b.route().handlerClass(), b.route().version());
        }
        return builder;
    }

    /**
     * Builds and starts the service. Throws {@link DefinitionException} as {@link #toBuilder()} does, and
     * when an address cannot be bound (e.g. already in use), on the SERVICE line with the
     * {@link ServiceStartException} as the cause.
     */
    public ServiceServer start() {
        return start(SYSTEM_ENV);
    }

    /** {@link #start()} with {@code env} instead of the process environment. */
    ServiceServer start(Function<String, Optional<String>> env) {
        ServiceServer.Builder builder = toBuilder(env);
        ServiceCaller caller = calls.isEmpty() ? null : DefinitionCalls.open(source, name, calls);
        boolean started = false;
        try {
            if (caller != null) {
                builder.caller(caller);
                if (caller instanceof AutoCloseable c) {
                    builder.closeOnStop(c);
                }
            }
            ServiceServer server;
            try {
                server = builder.build();
            } catch (IllegalStateException e) { // settings that contradict each other (maxQueuedBytes < maxMessageBytes)
                throw new DefinitionException(source, 0, withoutName(e), e);
            }
            try {
                server.start();
            } catch (ServiceStartException e) {
                throw new DefinitionException(source, serviceLine, withoutName(e), e);
            }
            started = true;
            return server;
        } finally {
            if (!started && caller instanceof AutoCloseable c) {
                ServiceServer.closeQuietly(name, c);
            }
        }
    }

    private String withoutName(RuntimeException e) {
        String prefix = name + " - ";
        return e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    }

    @Override
    public String toString() {
        return "ServiceDefinition[" + name + " from " + source + ", PULL " + pullAddress + ", PUB " + pubAddress
                + ", " + workers + " workers, passphrase from " + passphrase + ", " + bindings.size() + " routes]";
    }
}
