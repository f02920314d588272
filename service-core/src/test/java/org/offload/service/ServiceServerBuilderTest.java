package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Builder validation (precise messages, sealed after build) and the server's start/stop state machine. */
class ServiceServerBuilderTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static void rejects(String expectedMessage, Executable code) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, code);
        assertEquals(expectedMessage, x.getMessage());
    }

    private static ServiceServer.Builder b() {
        return ServiceServer.builder();
    }

    @Test
    void options_outOfRange_throwWithPreciseMessage() {
        assertAll(
                () -> rejects("workers must be > 0 but was 0", () -> b().workers(0)),
                () -> rejects("queueCapacity must be > 0 but was -1", () -> b().queueCapacity(-1)),
                () -> rejects("maxMessageBytes must be > 0 but was 0", () -> b().maxMessageBytes(0)),
                () -> rejects("maxParkedReplies must be > 0 but was 0", () -> b().maxParkedReplies(0)),
                () -> rejects("sendHighWaterMark must be > 0 but was 0", () -> b().sendHighWaterMark(0)),
                () -> rejects("receiveHighWaterMark must be > 0 but was -5", () -> b().receiveHighWaterMark(-5)),
                () -> rejects("maxConnections must be > 0 but was 0", () -> b().maxConnections(0)),
                () -> rejects("maxConnectionsPerPeer must be > 0 but was -1", () -> b().maxConnectionsPerPeer(-1)),
                () -> rejects("maxQueuedBytes must be > 0 but was 0", () -> b().maxQueuedBytes(0)),
                () -> rejects("replayWindow must be > 0 but was 0 ms", () -> b().replayWindow(Duration.ZERO)),
                () -> rejects("parkTimeout must be > 0 but was -1 ms", () -> b().parkTimeout(Duration.ofMillis(-1))),
                () -> rejects("handshakeTimeout must be > 0 but was 0 ms", () -> b().handshakeTimeout(Duration.ZERO)),
                () -> rejects("drainTimeout must be >= 0 but was -1 ms", () -> b().drainTimeout(Duration.ofMillis(-1))),
                () -> rejects("linger must be >= 0 but was -2 ms", () -> b().linger(Duration.ofMillis(-2))),
                () -> rejects("name must not be blank", () -> b().name(" ")),
                () -> rejects("passphrase must not be blank", () -> b().passphrase("")),
                () -> rejects("pullAddress must not be blank", () -> b().bind("", "tcp://127.0.0.1:1")),
                () -> rejects("pubAddress must not be blank", () -> b().bind("tcp://127.0.0.1:1", " ")),
                () -> rejects("pullAddress and pubAddress must differ but both were tcp://127.0.0.1:5555",
                        () -> b().bind("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555")),
                () -> rejects("method must be 1..64 characters but was 0", () -> b().route("^/x$", "", c -> null)),
                () -> assertThrows(NullPointerException.class, () -> b().route("^/x$", "request", null)),
                () -> assertThrows(NullPointerException.class, () -> b().workers(1).replayWindow(null)));
    }

    @Test
    void route_invalidRegex_throwsNamingTheRegex() {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> b().route("^/x(", "request", c -> null));

        assertTrue(x.getMessage().startsWith("pathRegex '^/x(' is not a valid regex: "), x.getMessage());
    }

    @Test
    void zeroDurations_whereAllowed_areAccepted() {
        ServiceServer.Builder builder = Fixtures.builder("zero").drainTimeout(Duration.ZERO).linger(Duration.ZERO);

        assertEquals("zero", builder.build().name());
    }

    @Test
    void build_missingRequiredOption_throwsIllegalState() {
        assertAll(
                () -> assertEquals("offload-service - bind(pullAddress, pubAddress) is required",
                        assertThrows(IllegalStateException.class, () -> b().passphrase("p")
                                .route("^/x$", "request", c -> null).build()).getMessage()),
                () -> assertEquals("svc - passphrase(...) is required",
                        assertThrows(IllegalStateException.class, () -> b().name("svc")
                                .bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT).route("^/x$", "request", c -> null)
                                .build()).getMessage()),
                () -> assertEquals("svc - at least one route(...) is required",
                        assertThrows(IllegalStateException.class, () -> b().name("svc")
                                .bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT).passphrase("p").build()).getMessage()));
    }

    @Test
    void build_queuedBytesBelowTheFrameLimit_throwsIllegalState() {
        IllegalStateException x = assertThrows(IllegalStateException.class,
                () -> Fixtures.builder("budget").maxMessageBytes(4096).maxQueuedBytes(4095).build());

        assertEquals("budget - maxQueuedBytes must be >= maxMessageBytes (4096) but was 4095", x.getMessage());
    }

    @Test
    void builder_afterBuild_isSealedForEveryOption() {
        ServiceServer.Builder builder = Fixtures.builder("sealed");
        builder.build();
        List<Consumer<ServiceServer.Builder>> options = List.of(
                x -> x.name("n"), x -> x.bind("tcp://127.0.0.1:1", "tcp://127.0.0.1:2"), x -> x.passphrase("p"),
                x -> x.route("^/y$", "request", c -> null), x -> x.workers(1), x -> x.queueCapacity(1),
                x -> x.virtualThreads(true), x -> x.maxMessageBytes(1), x -> x.replayWindow(Duration.ofSeconds(1)),
                x -> x.maxParkedReplies(1), x -> x.parkTimeout(Duration.ofSeconds(1)), x -> x.sendHighWaterMark(1),
                x -> x.receiveHighWaterMark(1), x -> x.drainTimeout(Duration.ZERO), x -> x.linger(Duration.ZERO),
                x -> x.handshakeTimeout(Duration.ofSeconds(1)), x -> x.exposeErrorDetails(true),
                ServiceServer.Builder::build);

        for (int i = 0; i < options.size(); i++) {
            Consumer<ServiceServer.Builder> option = options.get(i);
            IllegalStateException x = assertThrows(IllegalStateException.class, () -> option.accept(builder),
                    "option #" + i);
            assertEquals("this builder already built a server; use a new builder", x.getMessage());
        }
    }

    @Test
    void server_beforeStart_hasNoAddressesAndEmptyStats() {
        ServiceServer server = Fixtures.builder("unstarted").build();

        IllegalStateException x = assertThrows(IllegalStateException.class, server::pullAddress);

        assertEquals("unstarted - not started", x.getMessage());
        assertFalse(server.isRunning());
        assertEquals(new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), server.stats());
        assertEquals("ServiceServer[unstarted, NEW]", server.toString());
    }

    @Test
    @Timeout(10)
    void start_afterStopOfUnstartedServer_throwsIllegalState() {
        ServiceServer server = Fixtures.builder("stopped-early").build();
        server.stop(Duration.ZERO);

        IllegalStateException x = assertThrows(IllegalStateException.class, server::start);

        assertEquals("stopped-early - start() may be called once; state is CLOSED", x.getMessage());
        assertFalse(server.isRunning());
    }

    @Test
    @Timeout(10)
    void start_twice_throwsIllegalStateAndKeepsServing() {
        ServiceServer server = fx.echoServer("twice");

        IllegalStateException x = assertThrows(IllegalStateException.class, server::start);

        assertEquals("twice - start() may be called once; state is RUNNING", x.getMessage());
        assertTrue(server.isRunning());
        assertTrue(server.pullAddress().matches("tcp://127\\.0\\.0\\.1:\\d+"), server.pullAddress());
        assertTrue(server.pubAddress().matches("tcp://127\\.0\\.0\\.1:\\d+"), server.pubAddress());
        assertFalse(server.pullAddress().equals(server.pubAddress()));
    }

    @Test
    @Timeout(10)
    void start_addressInUse_throwsServiceStartExceptionNamingTheAddressInWords() {
        ServiceServer first = fx.echoServer("first");
        ServiceServer second = Fixtures.builder("second").bind(first.pullAddress(), Fixtures.ANY_PORT).build();

        ServiceStartException x = assertThrows(ServiceStartException.class, second::start);

        assertEquals("second - cannot bind PULL to " + first.pullAddress() + ": address already in use", x.getMessage());
        assertFalse(second.isRunning());
        assertTrue(first.isRunning());
    }

    @Test
    @Timeout(10)
    void start_unparsableAddress_throwsServiceStartException() {
        ServiceServer server = Fixtures.builder("bad-address").bind("tcp://127.0.0.1:*", "nonsense://x").build();

        ServiceStartException x = assertThrows(ServiceStartException.class, server::start);

        assertTrue(x.getMessage().startsWith("bad-address - cannot bind PUB to nonsense://x"), x.getMessage());
        assertEquals(503, x.status());
    }
}
