package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.CancelledException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceStartException;
import org.offload.service.Status;

/** Acceptance 9: invalid settings and arguments are refused at once with precise messages. */
class ValidationTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static <T extends Throwable> void assertRejected(Class<T> type, String message, Executable action) {
        T e = assertThrows(type, action);
        assertEquals(message, e.getMessage());
    }

    private static ServiceServer.Builder validServer() {
        return ServiceServer.builder().name("v").bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT)
                .passphrase(Fixtures.PASSPHRASE).route("^/", "request", call -> Reply.json(Map.of()));
    }

    @Test
    void clientBuilder_invalidOptions_throwPreciseMessages() {
        ServiceClient.Builder b = ServiceClient.builder();
        assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was 0 ms",
                () -> b.deadline(Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was -1500 ms",
                () -> b.deadline(Duration.ofMillis(-1500)));
        assertRejected(IllegalArgumentException.class, "nowaitTtl must be > 0 but was 0 ms",
                () -> b.nowaitTtl(Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "maxPendingCalls must be > 0 but was 0",
                () -> b.maxPendingCalls(0));
        assertRejected(IllegalArgumentException.class, "sendHighWaterMark must be > 0 but was -1",
                () -> b.sendHighWaterMark(-1));
        assertRejected(IllegalArgumentException.class, "receiveHighWaterMark must be > 0 but was 0",
                () -> b.receiveHighWaterMark(0));
        assertRejected(IllegalArgumentException.class, "maxMessageBytes must be > 0 but was 0",
                () -> b.maxMessageBytes(0));
        assertRejected(IllegalArgumentException.class,
                "reconnectIntervalMax must be >= reconnectInterval (200 ms) but was 100 ms",
                () -> b.reconnectInterval(Duration.ofMillis(200), Duration.ofMillis(100)));
        assertRejected(IllegalArgumentException.class, "closeTimeout must be > 0 but was 0 ms",
                () -> b.closeTimeout(Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "name must not be blank", () -> b.name("  "));
        assertRejected(NullPointerException.class, "deadline", () -> b.deadline(null));
        assertRejected(NullPointerException.class, "executor", () -> b.callbackExecutor(null));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void clientBuilder_reusedAfterBuild_throwsIllegalState() {
        ServiceClient.Builder b = ServiceClient.builder().name("once");
        fx.client(b);
        assertRejected(IllegalStateException.class, "this builder already built a client; use a new builder",
                () -> b.deadline(Duration.ofSeconds(1)));
        assertRejected(IllegalStateException.class, "this builder already built a client; use a new builder", b::build);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void call_invalidArguments_throwPreciseMessagesBeforeAnythingIsSent() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);
        Request ok = Request.of("/echo", "request");

        assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was 0 ms",
                () -> client.call("echo", ok, Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was -5 ms",
                () -> client.callAsync("echo", ok, Duration.ofMillis(-5)));
        assertRejected(IllegalArgumentException.class, "passphrase must not be blank",
                () -> client.register("blank", server.pullAddress(), server.pubAddress(), " "));
        assertRejected(IllegalArgumentException.class, "pullAddress must not be blank",
                () -> client.register("blank", "", server.pubAddress(), Fixtures.PASSPHRASE));
        assertRejected(IllegalArgumentException.class, "method must be 1..64 characters but was 0",
                () -> client.onResponse("^/", "", (rq, rp) -> { }));
        assertEquals(0, server.stats().received());
        assertEquals(0, client.stats().pending());
    }

    @Test
    void request_invalidValues_throwPreciseMessages() {
        assertRejected(IllegalArgumentException.class, "path must start with '/' but was 'echo'",
                () -> Request.of("echo", "request"));
        assertRejected(IllegalArgumentException.class,
                "method must be ASCII letters, digits, '_', '-' or '.' but was 'GET /'",
                () -> Request.of("/echo", "GET /"));
        assertRejected(IllegalArgumentException.class, "status must be in 100..999 but was 42",
                () -> Reply.error(42, "nope"));
    }

    @Test
    void serverBuilder_invalidOptions_throwPreciseMessages() {
        ServiceServer.Builder b = ServiceServer.builder();
        assertRejected(IllegalArgumentException.class, "workers must be > 0 but was 0", () -> b.workers(0));
        assertRejected(IllegalArgumentException.class, "queueCapacity must be > 0 but was -1",
                () -> b.queueCapacity(-1));
        assertRejected(IllegalArgumentException.class, "drainTimeout must be >= 0 but was -1 ms",
                () -> b.drainTimeout(Duration.ofMillis(-1)));
        assertRejected(IllegalArgumentException.class, "replayWindow must be > 0 but was 0 ms",
                () -> b.replayWindow(Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "passphrase must not be blank", () -> b.passphrase(""));
        assertRejected(IllegalArgumentException.class,
                "pullAddress and pubAddress must differ but both were tcp://127.0.0.1:5555",
                () -> b.bind("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555"));
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class,
                () -> b.route("^/(unclosed", "request", call -> Reply.json(Map.of())));
        assertTrue(regex.getMessage().startsWith("pathRegex '^/(unclosed' is not a valid regex: "), regex.getMessage());
    }

    @Test
    void serverBuilder_missingRequiredSettings_throwIllegalStateNamingThem() {
        assertRejected(IllegalStateException.class, "s - bind(pullAddress, pubAddress) is required",
                () -> ServiceServer.builder().name("s").passphrase(Fixtures.PASSPHRASE)
                        .route("^/", "request", call -> Reply.json(Map.of())).build());
        assertRejected(IllegalStateException.class, "s - passphrase(...) is required",
                () -> ServiceServer.builder().name("s").bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT)
                        .route("^/", "request", call -> Reply.json(Map.of())).build());
        assertRejected(IllegalStateException.class, "s - at least one route(...) is required",
                () -> ServiceServer.builder().name("s").bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT)
                        .passphrase(Fixtures.PASSPHRASE).build());
        ServiceServer.Builder used = validServer();
        used.build();
        assertRejected(IllegalStateException.class, "this builder already built a server; use a new builder",
                () -> used.workers(1));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void serverStart_addressInUse_throwsServiceStartException503NamingTheAddress() {
        ServiceServer taken = fx.echoServer("first");
        ServiceServer second = validServer().name("second").bind(taken.pullAddress(), Fixtures.ANY_PORT).build();

        ServiceStartException e = assertThrows(ServiceStartException.class, second::start);

        assertEquals(Status.SERVICE_UNAVAILABLE, e.status());
        assertTrue(e.getMessage().startsWith("second - cannot bind PULL to " + taken.pullAddress()), e.getMessage());
        second.close();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void taskRegistryBuilder_invalidOptions_throwPreciseMessages() {
        TaskRegistry.Builder b = TaskRegistry.builder(fx.client("tasks"));
        assertRejected(IllegalArgumentException.class, "retention must be > 0 but was 0 ms",
                () -> b.retention(Duration.ZERO));
        assertRejected(IllegalArgumentException.class, "maxFinished must be > 0 but was 0", () -> b.maxFinished(0));
        assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was -1 ms",
                () -> b.deadline(Duration.ofMillis(-1)));
        assertRejected(IllegalArgumentException.class, "deadline must be <= 49 days but was 4320000000 ms",
                () -> b.deadline(Duration.ofDays(50)));
        assertRejected(NullPointerException.class, "retention", () -> b.retention(null));
        assertRejected(NullPointerException.class, "client", () -> TaskRegistry.builder(null));

        b.build().close();
        assertRejected(IllegalStateException.class, "this builder already built a task registry; use a new builder",
                () -> b.maxFinished(5));
        assertRejected(IllegalStateException.class, "this builder already built a task registry; use a new builder",
                b::build);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void taskRegistrySubmit_invalidDeadline_throwsPreciseMessageAndKeepsNothing() {
        ServiceServer server = fx.echoServer("echo");
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            assertRejected(IllegalArgumentException.class, "deadline must be > 0 but was 0 ms",
                    () -> tasks.submit("echo", Request.of("/echo", "request"), Duration.ZERO));
            assertEquals(0, tasks.running());
        }
    }

    @Test
    void task_inconsistentFields_refusedWithPreciseMessages() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Optional<Reply> ok = Optional.of(Reply.json(Map.of()));
        Optional<ServiceException> cancelled = Optional.of(new CancelledException("cancelled"));
        assertRejected(IllegalArgumentException.class, "result must be present when state is SUCCESS",
                () -> new Task("a", "s", "/p", TaskState.SUCCESS, Optional.empty(), Optional.empty(), t, Optional.of(t)));
        assertRejected(IllegalArgumentException.class, "result must be empty when state is STARTED",
                () -> new Task("a", "s", "/p", TaskState.STARTED, ok, Optional.empty(), t, Optional.empty()));
        assertRejected(IllegalArgumentException.class, "error must be present when state is REVOKED",
                () -> new Task("a", "s", "/p", TaskState.REVOKED, Optional.empty(), Optional.empty(), t, Optional.of(t)));
        assertRejected(IllegalArgumentException.class, "finished must be present when state is FAILURE",
                () -> new Task("a", "s", "/p", TaskState.FAILURE, Optional.empty(), cancelled, t, Optional.empty()));
        assertRejected(IllegalArgumentException.class, "finished must be empty when state is PENDING",
                () -> new Task("a", "s", "/p", TaskState.PENDING, Optional.empty(), Optional.empty(), t, Optional.of(t)));
        assertRejected(IllegalArgumentException.class,
                "finished (2025-12-31T23:59:59Z) must not be before submitted (2026-01-01T00:00:00Z)",
                () -> new Task("a", "s", "/p", TaskState.SUCCESS, ok, Optional.empty(), t, Optional.of(t.minusSeconds(1))));
        assertRejected(IllegalArgumentException.class, "id must not be blank",
                () -> new Task(" ", "s", "/p", TaskState.PENDING, Optional.empty(), Optional.empty(), t, Optional.empty()));
        assertTrue(new Task("a", "s", "/p", TaskState.REVOKED, Optional.empty(), cancelled, t, Optional.of(t),
                Optional.of(t)).isDone());
    }
}
