package org.offload.service;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.offload.service.internal.Checks;

/**
 * Reads the lines of a service definition (format: {@link ServiceDefinition}) into a
 * {@link ServiceDefinition}, stopping at the first problem with a {@link DefinitionException}.
 */
final class DefinitionParser {
    /** A METHOD line's directive: an upper-case word; its lower-case form is the METHOD. */
    private static final Pattern METHOD_WORD = Pattern.compile("[A-Z][A-Z0-9_.-]*");
    private static final Pattern TCP_ADDRESS = Pattern.compile("tcp://[^/\\s]+:(\\*|\\d{1,5})");
    private static final int MAX_PORT = 65_535;

    private final String source;
    private final ClassLoader loader;
    private final Optional<Path> baseDir;
    private final List<ServiceDefinition.Binding> bindings = new ArrayList<>();
    private final List<DefinitionSettings.Setting> settings = new ArrayList<>();
    private final List<DefinitionCalls.Callee> calls = new ArrayList<>();
    private String name;
    private String pullAddress;
    private String pubAddress;
    private int serviceLine;
    private PassphraseSource passphrase;
    private int passphraseLine;
    private int workers = ServiceServer.DEFAULT_WORKERS;
    private int workersLine;
    private String routeRegex;
    private int routeLine;
    private boolean routeHasMethod;

    private DefinitionParser(String source, ClassLoader loader, Optional<Path> baseDir) {
        this.source = source;
        this.loader = loader;
        this.baseDir = baseDir;
    }

    /** Parses {@code lines}; handler classes come from {@code loader}, relative {@code file:} paths from {@code baseDir}. */
    static ServiceDefinition parse(String source, List<String> lines, ClassLoader loader, Optional<Path> baseDir) {
        return parse(source, lines, Optional.of(loader), baseDir);
    }

    /**
     * Parses {@code lines}; with no {@code loader} the handler classes are not loaded (a client reading a
     * worker's file to find it need not have the worker's classes), and the definition cannot start.
     */
    static ServiceDefinition parse(String source, List<String> lines, Optional<ClassLoader> loader,
                                   Optional<Path> baseDir) {
        DefinitionParser parser = new DefinitionParser(source, loader.orElse(null), baseDir);
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (!text.isEmpty() && !text.startsWith("#")) {
                parser.line(i + 1, text.split("\\s+"));
            }
        }
        return parser.finish();
    }

    private void line(int line, String[] words) {
        String directive = words[0];
        List<String> args = Arrays.asList(words).subList(1, words.length);
        try {
            switch (directive) {
                case "SERVICE" -> service(line, args);
                case "PASSPHRASE" -> passphrase(line, args);
                case "WORKERS" -> workers(line, args);
                case "ROUTE" -> route(line, args);
                case DefinitionCalls.DIRECTIVE -> calls(line, args);
                default -> {
                    if (DefinitionSettings.isSetting(directive)) {
                        setting(line, directive, args);
                    } else {
                        method(line, directive, args);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw new DefinitionException(source, line, e.getMessage());
        }
    }

    private void service(int line, List<String> args) {
        expect("SERVICE", args, 3, "NAME PULL PUB");
        notRepeated("SERVICE", serviceLine);
        checkAddresses(args.get(1), args.get(2));
        name = args.get(0);
        pullAddress = args.get(1);
        pubAddress = args.get(2);
        serviceLine = line;
    }

    private void passphrase(int line, List<String> args) {
        expect("PASSPHRASE", args, 1, "env:VARIABLE or file:PATH");
        notRepeated("PASSPHRASE", passphraseLine);
        passphrase = PassphraseSource.parse(args.get(0));
        passphraseLine = line;
    }

    private void workers(int line, List<String> args) {
        expect("WORKERS", args, 1, "COUNT");
        notRepeated("WORKERS", workersLine);
        int count;
        try {
            count = Integer.parseInt(args.get(0));
        } catch (NumberFormatException e) {
            count = 0;
        }
        if (count < 1) {
            throw new IllegalArgumentException("WORKERS must be a whole number >= 1 but was '"
                    + Checks.abbreviate(args.get(0)) + "'");
        }
        workers = count;
        workersLine = line;
    }

    private void setting(int line, String directive, List<String> args) {
        if (routeRegex != null) {
            throw new IllegalArgumentException(directive + " is a service setting; put it before the first ROUTE"
                    + " line (line " + routeLine + ")");
        }
        expect(directive, args, 1, "VALUE");
        for (DefinitionSettings.Setting earlier : settings) {
            if (earlier.directive().equals(directive)) {
                notRepeated(directive, earlier.line());
            }
        }
        settings.add(DefinitionSettings.read(directive, args.get(0), line));
    }

    private void calls(int line, List<String> args) {
        expect(DefinitionCalls.DIRECTIVE, args, 1, "file:PATH, the definition file of the service to call");
        if (routeRegex != null) {
            throw new IllegalArgumentException(DefinitionCalls.DIRECTIVE + " is a service line; put it before the first"
                    + " ROUTE line (line " + routeLine + ")");
        }
        calls.add(DefinitionCalls.read(source, line, args.get(0), loader != null, baseDir, calls));
    }

    private void route(int line, List<String> args) {
        expect("ROUTE", args, 1, "REGEX, without spaces: write \\s");
        closeRoute();
        String regex = args.get(0);
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regex '" + Checks.abbreviate(regex) + "': " + e.getDescription()
                    + " near index " + e.getIndex());
        }
        routeRegex = regex;
        routeLine = line;
        routeHasMethod = false;
    }

    private void method(int line, String directive, List<String> args) {
        if (!METHOD_WORD.matcher(directive).matches()) {
            throw new IllegalArgumentException("unknown directive '" + Checks.abbreviate(directive)
                    + "': the directives are SERVICE, PASSPHRASE, WORKERS, the settings "
                    + String.join(", ", DefinitionSettings.directives())
                    + ", CALLS, ROUTE and upper-case METHOD words such as REQUEST");
        }
        if (args.size() != 1 && args.size() != 2) {
            throw new IllegalArgumentException(directive + " takes 1 or 2 arguments (CLASS [VERSION]) but got "
                    + args.size());
        }
        if (routeRegex == null) {
            throw new IllegalArgumentException("METHOD line " + directive + " before any ROUTE: a METHOD line names "
                    + "the handler for the ROUTE above it (the other directives are SERVICE, PASSPHRASE and WORKERS)");
        }
        String method = Checks.method(directive.toLowerCase(Locale.ROOT));
        Optional<RouteVersion> version = args.size() == 2 ? Optional.of(RouteVersion.parse(args.get(1))) : Optional.empty();
        for (ServiceDefinition.Binding b : bindings) {
            if (b.route().regex().equals(routeRegex) && b.route().method().equals(method)
                    && b.route().version().equals(version)) {
                throw new IllegalArgumentException("ROUTE " + routeRegex + " already has METHOD " + method
                        + version.map(v -> " version " + v).orElse("") + " (line " + b.route().line() + ")");
            }
        }
        String className = args.get(0);
        HandlerClass handler = loader == null ? null : HandlerClass.resolve(className, loader);
        bindings.add(new ServiceDefinition.Binding(
                new ServiceDefinition.Route(routeRegex, method, className, line, version), handler));
        routeHasMethod = true;
    }

    /** Ends the current ROUTE block, which must have had a METHOD line. */
    private void closeRoute() {
        if (routeRegex != null && !routeHasMethod) {
            throw new DefinitionException(source, routeLine, "ROUTE " + routeRegex
                    + " has no METHOD line under it (e.g. REQUEST com.example.MyHandler)");
        }
    }

    private ServiceDefinition finish() {
        closeRoute();
        if (serviceLine == 0) {
            throw new DefinitionException(source, 0, "no SERVICE line: a definition needs SERVICE NAME PULL PUB");
        }
        if (passphraseLine == 0) {
            throw new DefinitionException(source, 0,
                    "no PASSPHRASE line: a definition needs PASSPHRASE env:VARIABLE or PASSPHRASE file:PATH");
        }
        if (bindings.isEmpty()) {
            throw new DefinitionException(source, 0,
                    "no ROUTE line: a definition needs at least one ROUTE with a METHOD line under it");
        }
        return new ServiceDefinition(source, baseDir, name, pullAddress, pubAddress, serviceLine, passphrase,
                passphraseLine, workers, settings, calls, bindings);
    }

    private static void expect(String directive, List<String> args, int count, String expected) {
        if (args.size() != count) {
            throw new IllegalArgumentException(directive + " takes " + count + (count == 1 ? " argument" : " arguments")
                    + " (" + expected + ") but got " + args.size());
        }
    }

    private static void notRepeated(String directive, int firstLine) {
        if (firstLine != 0) {
            throw new IllegalArgumentException(directive + " repeated: a definition has one " + directive
                    + " line, the first is line " + firstLine);
        }
    }

    /** Checks a service's two addresses; throws {@link IllegalArgumentException} saying which and why. */
    static void checkAddresses(String pullAddress, String pubAddress) {
        checkAddress("PULL", pullAddress);
        checkAddress("PUB", pubAddress);
        if (pullAddress.equals(pubAddress) && !pullAddress.endsWith(":*")) {
            throw new IllegalArgumentException("PULL and PUB addresses must differ but both are " + pullAddress);
        }
    }

    private static void checkAddress(String role, String address) {
        Matcher tcp = TCP_ADDRESS.matcher(address);
        boolean valid = tcp.matches() ? tcp.group(1).equals("*") || validPort(tcp.group(1))
                : address.matches("(ipc|inproc)://\\S+");
        if (!valid) {
            throw new IllegalArgumentException("bad " + role + " address '" + Checks.abbreviate(address)
                    + "': expected tcp://HOST:PORT (PORT 1-" + MAX_PORT + " or *), ipc://PATH or inproc://NAME");
        }
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= MAX_PORT;
    }

    /** A short description of an I/O failure that never includes file contents: "no such file", ... */
    static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
