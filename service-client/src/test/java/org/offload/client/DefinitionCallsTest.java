package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.Call;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceDefinition;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;

/**
 * A worker started from a definition file with a CALLS line (issue 12, item 5) calls the other service through
 * the client the line opened: the reply comes back, the outer deadline bounds the inner call, and stopping the
 * worker closes that client.
 */
class DefinitionCallsTest {
    private static final Duration OUTER_DEADLINE = Duration.ofMillis(1_500);
    /** What the slow inner call asks for: far beyond the outer deadline, so only the outer one can end it. */
    private static final Duration INNER_ASKED = Duration.ofSeconds(30);
    /** The inner call's failure, seen by the relay handler (one test at a time uses it). */
    static final AtomicReference<Throwable> INNER_FAILURE = new AtomicReference<>();

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @TempDir
    Path dir;

    /** Relays /relay to the back service's /echo, and /relay-slow to its /slow with a 30 s deadline. */
    public static final class Relay implements Handler {
        @Override
        public Reply handle(Call call) {
            if (call.path().equals("/relay")) {
                Reply inner = call.callService("back", Request.json("/echo", "request", call.json()));
                return Reply.json(Map.of("relayed", inner.body().json()));
            }
            try {
                call.callService("back", Request.of("/slow", "request"), INNER_ASKED);
            } catch (ServiceException e) {
                INNER_FAILURE.set(e);
                throw e;
            }
            return Reply.json(Map.of());
        }
    }

    /** Starts "back" on inproc addresses, writes its definition file and the front's, and starts the front. */
    private ServiceServer startFront(Fixtures.Gate slow) throws Exception {
        String id = UUID.randomUUID().toString();
        String backPull = "inproc://back-pull-" + id;
        String backPub = "inproc://back-pub-" + id;
        fx.server("back", backPull, backPub, b -> b.route("^/slow$", "request", slow.handler()));
        Files.writeString(dir.resolve("secret.txt"), Fixtures.PASSPHRASE + "\n");
        Files.write(dir.resolve("back.service"), List.of("SERVICE back " + backPull + " " + backPub,
                "PASSPHRASE file:secret.txt", "ROUTE ^/", "REQUEST org.example.NotLoadedByTheCaller"),
                StandardCharsets.UTF_8);
        Path front = Files.write(dir.resolve("front.service"), List.of(
                "SERVICE front inproc://front-pull-" + id + " inproc://front-pub-" + id,
                "PASSPHRASE file:secret.txt", "CALLS file:back.service", "ROUTE ^/relay",
                "REQUEST " + Relay.class.getName()), StandardCharsets.UTF_8);
        ServiceServer server = ServiceDefinition.load(front).start();
        return fx.add(server);
    }

    private static boolean callerThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("front-calls-"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void start_callsLine_handlerReachesTheOtherServiceByName() throws Exception {
        ServiceServer front = startFront(fx.gate());
        ServiceClient client = fx.clientFor(front);

        Reply reply = client.call("front", Request.json("/relay", "request", Map.of("n", 7)));

        assertEquals(7, reply.body().json().get("relayed").get("echo").get("n").asInt(), reply.body().json().toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void callService_fromDefinitionCaller_innerCallFailsWithTheOuterDeadline() throws Exception {
        INNER_FAILURE.set(null);
        Fixtures.Gate slow = fx.gate();
        ServiceServer front = startFront(slow);
        ServiceClient client = fx.clientFor(front);

        Fixtures.failureOf(client.callAsync("front", Request.of("/relay-slow", "request"), OUTER_DEADLINE),
                DeadlineExceededException.class, Fixtures.DEADLINE);

        Awaitility.await().atMost(Fixtures.WAIT).until(() -> INNER_FAILURE.get() != null);
        assertInstanceOf(DeadlineExceededException.class, INNER_FAILURE.get(),
                "the inner call ended by the outer deadline, not its own 30 s");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stop_callsLine_closesTheCallersClient() throws Exception {
        ServiceServer front = startFront(fx.gate());
        assertTrue(callerThreadsAlive(), "the CALLS line opened a client named front-calls");

        front.close();

        Awaitility.await().atMost(Fixtures.WAIT).until(() -> !callerThreadsAlive());
    }
}
