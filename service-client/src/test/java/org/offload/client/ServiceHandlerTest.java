package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.NotFoundException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceHandler;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** Acceptance 9: brubeck-style {@link ServiceHandler} subclasses, end to end over real sockets. */
class ServiceHandlerTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private ServiceClient client;

    /** The brubeck demo handler. */
    static final class SlowEcho extends ServiceHandler {
        private int calls; // a fresh instance per call: always 1 when rendered

        @Override
        protected Reply request() {
            calls++;
            setStatus(Status.CREATED, "Took a while, but I am back.");
            addToPayload("RETURN_DATA", argument("RETURN_DATA", "NO DATA"));
            addToPayload("calls", calls);
            addToPayload("path", message().path());
            setHeader("x-served-by", "slow-echo");
            return render();
        }
    }

    /** Answers with its own reply METHOD, for a nowait response handler. */
    static final class Announcer extends ServiceHandler {
        @Override
        protected Reply request() {
            setReplyMethod("announced");
            addToPayload("who", argument("who", "nobody"));
            return render();
        }
    }

    /** Renders an error status itself. */
    static final class Conflicted extends ServiceHandler {
        @Override
        protected Reply request() {
            setStatus(409, "version " + argument("version", "?") + " is stale");
            return render();
        }
    }

    @BeforeEach
    void startService() {
        ServiceServer server = fx.server("brubeck", b -> b
                .route("^/service/slow$", "request", ServiceHandler.of(SlowEcho::new))
                .route("^/service/slow$", "update", ServiceHandler.of(SlowEcho::new))
                .route("^/service/announce$", "request", ServiceHandler.of(Announcer::new))
                .route("^/service/conflict$", "request", ServiceHandler.of(Conflicted::new)));
        client = fx.clientFor(server);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_serviceHandler_rendersStatusMessagePayloadAndHeaders() {
        Reply reply = client.call("brubeck", Request.json("/service/slow", "request", Map.of("RETURN_DATA", "ping")));

        assertEquals(Status.CREATED, reply.status());
        assertEquals("Took a while, but I am back.", reply.message());
        assertEquals("ping", json(reply).get("RETURN_DATA").asText());
        assertEquals(1, json(reply).get("calls").asInt());
        assertEquals("/service/slow", json(reply).get("path").asText());
        assertEquals("slow-echo", reply.headers().get("x-served-by"));
        assertEquals(Reply.DEFAULT_METHOD, reply.method());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_serviceHandlerArgumentMissing_usesTheFallbackAndAFreshInstance() {
        for (int i = 0; i < 3; i++) {
            Reply reply = client.call("brubeck", Request.of("/service/slow", "request"));
            assertEquals("NO DATA", json(reply).get("RETURN_DATA").asText());
            assertEquals(1, json(reply).get("calls").asInt(), "every call gets a fresh handler instance");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void send_serviceHandlerWithReplyMethod_reachesTheResponseHandlerForThatMethod() {
        List<Reply> announced = new CopyOnWriteArrayList<>();
        List<Reply> wrong = new CopyOnWriteArrayList<>();
        client.onResponse("^/service/announce$", Reply.DEFAULT_METHOD, (rq, rp) -> wrong.add(rp));
        client.onResponse("^/service/announce$", "announced", (rq, rp) -> announced.add(rp));

        client.send("brubeck", Request.json("/service/announce", "request", Map.of("who", "brubeck")));

        await().atMost(Duration.ofSeconds(10)).until(() -> !announced.isEmpty());
        assertEquals("brubeck", json(announced.get(0)).get("who").asText());
        assertEquals("announced", announced.get(0).method());
        assertEquals(List.of(), wrong);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_serviceHandlerRendersErrorStatus_throwsTypedWithThatStatus() {
        RemoteException e = assertThrows(RemoteException.class,
                () -> client.call("brubeck", Request.json("/service/conflict", "request", Map.of("version", 3))));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("version 3 is stale"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_routedMethodTheHandlerDoesNotAnswer_throwsNotFound405() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.call("brubeck", Request.of("/service/slow", "update")));
        assertEquals(Status.METHOD_NOT_ALLOWED, e.status());
        assertTrue(e.getMessage().contains("SlowEcho does not answer METHOD update"), e.getMessage());
    }
}
