package org.offload.testing;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.offload.client.ServiceClient;
import org.offload.client.ServiceRef;
import org.offload.service.ServiceDefinition;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Checks;

/**
 * Services and a ready client in the test's own JVM, over real ZeroMQ sockets (ephemeral tcp ports on
 * 127.0.0.1, or inproc), with fault injection; closes all it made. Use it as a JUnit 5 extension, closed
 * after each test:
 *
 * <pre>{@code
 * @RegisterExtension
 * final OffloadKit kit = new OffloadKit();
 *
 * @Test
 * void echo_answers() {
 *     TestService echo = kit.service("echo").route("^/echo$", "request", call -> Reply.json(call.json())).start();
 *     assertEquals(200, echo.call(Request.json("/echo", "request", Map.of("n", 1))).status());
 * }
 * }</pre>
 *
 * or as a parameter with {@code @ExtendWith(OffloadExtension.class)}, or in try-with-resources. Every
 * service of a kit shares its passphrase (made at random per kit) and its client. Thread-safe.
 */
public final class OffloadKit implements AutoCloseable, AfterEachCallback {
    /** The kit client's call deadline: far beyond what a test's call takes, so a loaded machine fails none. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(15);
    /** How long {@code start()} waits for a new service to enter the client's rotation. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(15);
    /** Where services are bound unless {@code inproc()}: an ephemeral port on the loopback interface. */
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    private static final AtomicLong INPROC_SEQUENCE = new AtomicLong();
    private static final AtomicLong KIT_SEQUENCE = new AtomicLong();

    private final Settings settings;
    private final String passphrase;
    private final String id = Long.toString(KIT_SEQUENCE.incrementAndGet());
    private final List<ServiceServer> servers = new ArrayList<>();
    private final List<Faults> faults = new ArrayList<>();
    private final List<ServiceClient> clients = new ArrayList<>();
    private ServiceClient client;

    /** A kit with every default. */
    public OffloadKit() {
        this(new Settings(DEFAULT_DEADLINE, DEFAULT_READY_TIMEOUT, b -> { }));
    }

    private OffloadKit(Settings settings) {
        this.settings = settings;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.passphrase = "offload-kit-" + HexFormat.of().formatHex(secret);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A service named {@code name}: add routes, then {@code start()}. */
    public TestService.Builder service(String name) {
        Checks.notBlank("name", name);
        ServiceServer.Builder b = ServiceServer.builder().name(name).passphrase(passphrase);
        return new TestService.Builder(this, name, b, newFaults());
    }

    /**
     * The service of a definition, with its routes, handlers and settings, but on the kit's addresses and
     * passphrase (its PASSPHRASE line is not read), each handler behind the service's faults.
     */
    public TestService.Builder service(ServiceDefinition definition) {
        Objects.requireNonNull(definition, "definition");
        Faults f = newFaults();
        return new TestService.Builder(this, definition.name(), definition.toBuilder(passphrase, f::wrap), f);
    }

    /** {@link #service(ServiceDefinition)} of a definition file. */
    public TestService.Builder service(Path definitionFile) {
        return service(ServiceDefinition.load(definitionFile));
    }

    /** The kit's client (every service the kit started is registered in it); made on first use. */
    public synchronized ServiceClient client() {
        if (client == null) {
            client = newClient("offload-kit-" + id);
        }
        return client;
    }

    /** Another client with the kit's settings (nothing registered), closed with the kit. */
    public synchronized ServiceClient newClient(String name) {
        ServiceClient.Builder b = ServiceClient.builder().name(name).deadline(settings.deadline());
        settings.client().accept(b);
        ServiceClient c = b.build();
        clients.add(c);
        return c;
    }

    /** The passphrase of every service of this kit, to register them in clients of your own. */
    public String passphrase() {
        return passphrase;
    }

    private synchronized Faults newFaults() {
        Faults f = new Faults();
        faults.add(f);
        return f;
    }

    TestService start(String name, ServiceServer.Builder builder, Faults f, boolean inproc, TestService.Factory made) {
        if (inproc) {
            String base = "inproc://offload-kit-" + id + "-" + INPROC_SEQUENCE.incrementAndGet() + "-" + name;
            builder.bind(base + "-pull", base + "-pub");
        } else {
            builder.bind(ANY_PORT, ANY_PORT);
        }
        ServiceServer server = builder.build();
        synchronized (this) {
            servers.add(server);
        }
        server.start();
        ServiceClient c = client();
        ServiceRef ref = c.register(name, server.pullAddress(), server.pubAddress(), passphrase);
        if (!ref.awaitReady(settings.readyTimeout())) {
            throw new IllegalStateException(name + " - not in the rotation of " + c.name() + " within "
                    + settings.readyTimeout().toMillis() + " ms of its start (" + server.pullAddress() + ")");
        }
        return made.create(server, c, ref);
    }

    /** After each test: {@link #close()}. The kit may be used again afterwards. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /**
     * Closes the clients (their pending calls fail with 503), ends every injected delay and drop, then closes
     * the services (each drains as {@code ServiceServer.close()} does). Idempotent; the kit may be used again.
     */
    @Override
    public void close() {
        List<Faults> f;
        List<ServiceClient> c;
        List<ServiceServer> s;
        synchronized (this) {
            f = List.copyOf(faults);
            c = List.copyOf(clients);
            s = List.copyOf(servers);
            faults.clear();
            clients.clear();
            servers.clear();
            client = null;
        }
        // clients first, so a released delay or drop answers nobody: its call has already failed with 503
        RuntimeException failure = closeAll(c.reversed(), null);
        f.forEach(Faults::release);
        failure = closeAll(s.reversed(), failure);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closeAll(List<? extends AutoCloseable> resources, RuntimeException failure) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception | Error e) {
                failure = failure == null ? new IllegalStateException("closing " + r + " failed", e) : failure;
            }
        }
        return failure;
    }

    @Override
    public String toString() {
        return "OffloadKit[" + id + "]";
    }

    private record Settings(Duration deadline, Duration readyTimeout, Consumer<ServiceClient.Builder> client) {
    }

    /** Builds an {@link OffloadKit}; each option is checked when it is set. */
    public static final class Builder {
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private Consumer<ServiceClient.Builder> client = b -> { };

        private Builder() {}

        /** The deadline of the kit's clients (default {@link #DEFAULT_DEADLINE}). */
        public Builder deadline(Duration deadline) {
            Checks.positive("deadline", deadline);
            this.deadline = deadline;
            return this;
        }

        /** How long a service's start waits for the client's rotation (default {@link #DEFAULT_READY_TIMEOUT}). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = Checks.positive("readyTimeout", timeout);
            return this;
        }

        /** Any other {@link ServiceClient.Builder} option for the kit's clients (applied after the deadline). */
        public Builder client(Consumer<ServiceClient.Builder> options) {
            this.client = Objects.requireNonNull(options, "options");
            return this;
        }

        public OffloadKit build() {
            return new OffloadKit(new Settings(deadline, readyTimeout, client));
        }
    }
}
