package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.NotFoundException;
import org.offload.service.ObservedCall;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServerObserver;
import org.offload.service.ServiceServer;

/** The observer hooks without any metrics library: when they are called, with what, and that a broken one costs no call. */
class ObserverTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void observers_okAndNotFoundCalls_eachStartsAndEndsOnceWithRouteAndStatus() throws Exception {
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        List<String> clientEvents = new CopyOnWriteArrayList<>();
        ServerObserver serverObserver = (service, route, request) -> recorder(serverEvents,
                service + " " + route + " " + request.path());
        ClientObserver clientObserver = (service, request, headers) -> {
            headers.put("x-observed", "yes");
            return recorder(clientEvents, service + " " + request.path());
        };
        AtomicReference<String> header = new AtomicReference<>();
        ServiceServer server = fx.server("observed", b -> b.observer(serverObserver)
                .route("^/seen$", "request", call -> {
                    header.set(call.headers().get("x-observed"));
                    return Reply.json(Map.of("ok", true));
                }));
        ServiceClient client = fx.client(ServiceClient.builder().name("observing").deadline(Fixtures.DEADLINE)
                .observer(clientObserver));
        client.register("observed", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        client.call("observed", Request.of("/seen", "request"));
        Fixtures.failureOf(client.callAsync("observed", Request.of("/nowhere", "request")),
                org.offload.service.NotFoundException.class, Fixtures.WAIT);

        assertEquals("yes", header.get());
        assertEquals(List.of("observed /seen end 200", "observed /nowhere end 404"), clientEvents);
        await().atMost(Fixtures.WAIT).until(() -> serverEvents.size() == 2);
        // the worker observes the 200's end after publishing it; the 404 ends on the receiver thread: any order
        assertEquals(Set.of("observed ^/seen$ /seen end 200", "observed  /nowhere end 404"), Set.copyOf(serverEvents));
    }

    private static ObservedCall recorder(List<String> events, String what) {
        return new ObservedCall() {
            @Override
            public Scope openScope() {
                return Scope.NONE;
            }

            @Override
            public void end(int status, Duration elapsed) {
                events.add(what + " end " + status);
            }
        };
    }

    @Test
    void observer_null_isRejectedByBothBuilders() {
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> ServiceClient.builder().observer(null));
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> ServiceServer.builder().observer(null));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void observers_thatThrowEverywhere_callsStillEndWithTheirReplies() throws Exception {
        ObservedCall broken = new ObservedCall() {
            @Override
            public Scope openScope() {
                throw new IllegalStateException("openScope broke");
            }

            @Override
            public void end(int status, Duration elapsed) {
                throw new IllegalStateException("end broke");
            }
        };
        ServerObserver throwsAtStart = (service, route, request) -> {
            throw new IllegalStateException("onRequest broke");
        };
        ServiceServer startBroken = fx.server("start-broken", b -> b.observer(throwsAtStart));
        ServiceServer scopeBroken = fx.server("scope-broken", b -> b.observer((service, route, request) -> broken));
        ServiceClient client = fx.client(ServiceClient.builder().name("broken-observer").deadline(Fixtures.DEADLINE)
                .observer((service, request, headers) -> broken));
        client.register("start-broken", startBroken.pullAddress(), startBroken.pubAddress(), Fixtures.PASSPHRASE);
        client.register("scope-broken", scopeBroken.pullAddress(), scopeBroken.pubAddress(), Fixtures.PASSPHRASE);
        CompletableFuture<Reply> nowait = new CompletableFuture<>();
        client.onResponse("^/echo$", (request, reply) -> nowait.complete(reply));

        for (String service : List.of("start-broken", "scope-broken")) {
            Reply reply = client.call(service, Request.json("/echo", "request", Map.of("n", 1)));
            assertEquals(1, Fixtures.json(reply).at("/echo/n").asInt());
            assertEquals(1, Fixtures.json(client.callAsync(service, Request.json("/echo", "request", Map.of("n", 1)))
                    .get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)).at("/echo/n").asInt());
            assertThrows(NotFoundException.class, () -> client.call(service, Request.of("/missing", "request")));
        }
        client.send("scope-broken", Request.json("/echo", "request", Map.of("n", 2)));
        assertEquals(2, Fixtures.json(nowait.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)).at("/echo/n").asInt());
        assertEquals(0, client.stats().pending());
        await().atMost(Fixtures.WAIT).until(() -> scopeBroken.stats().inFlight() == 0);
    }
}
