package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.offload.client.Fixtures.json;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** Acceptance 9: a web handler class gets service calls by implementing {@link ServiceClientMixin}. */
class MixinTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** A brubeck-style web handler: it only says where the application's client is. */
    private static final class GreetingHandler implements ServiceClientMixin {
        private final ServiceClient client;
        private final ServiceServer backend;

        GreetingHandler(ServiceClient client, ServiceServer backend) {
            this.client = client;
            this.backend = backend;
        }

        @Override
        public ServiceClient serviceClient() {
            return client;
        }

        ServiceRef register() {
            return registerService(backend.pullAddress(), backend.pubAddress(), Fixtures.PASSPHRASE);
        }

        Request greeting(String name) {
            return createServiceRequest("/echo", "request", Map.of("name", name));
        }

        String get(String name) {
            register(); // handlers may register on every request: a no-op after the first
            return json(sendServiceRequest(backend.pullAddress(), greeting(name))).at("/echo/name").asText();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mixinDefaults_syncAsyncAndNowait_reachTheServiceNamedByItsPullAddress() throws Exception {
        ServiceServer backend = fx.echoServer("greeter");
        ServiceClient client = fx.client("web");
        GreetingHandler handler = new GreetingHandler(client, backend);
        List<Reply> nowaitReplies = new CopyOnWriteArrayList<>();
        client.onResponse("^/echo$", (request, reply) -> nowaitReplies.add(reply));

        ServiceRef ref = handler.register();
        assertSame(ref, handler.register());
        assertEquals(backend.pullAddress(), ref.name());
        assertEquals(List.of(backend.pullAddress()), ref.instances());

        assertEquals("ada", handler.get("ada"));
        assertEquals("grace", handler.get("grace"));
        assertEquals("alan", json(handler.sendServiceRequest(backend.pullAddress(), handler.greeting("alan"),
                Fixtures.DEADLINE)).at("/echo/name").asText());
        assertEquals("edsger", json(handler.sendServiceRequestAsync(backend.pullAddress(), handler.greeting("edsger"))
                .get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS)).at("/echo/name").asText());
        assertEquals("donald", json(handler.sendServiceRequestAsync(backend.pullAddress(), handler.greeting("donald"),
                Fixtures.DEADLINE).get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS)).at("/echo/name").asText());
        handler.sendServiceRequestNowait(backend.pullAddress(), handler.greeting("barbara"));
        await().atMost(Fixtures.WAIT).until(() -> !nowaitReplies.isEmpty());
        assertEquals("barbara", json(nowaitReplies.get(0)).at("/echo/name").asText());
        assertEquals(List.of(backend.pullAddress()), ref.instances(), "registering on every request stays a no-op");
        assertEquals(6, backend.stats().received());
    }

    @Test
    void createServiceRequest_arguments_becomeAJsonBody() {
        ServiceClientMixin mixin = () -> {
            throw new AssertionError("creating a request must not need the client");
        };

        Request r = mixin.createServiceRequest("/service/slow", "request", Map.of("RETURN_DATA", "x"));

        assertEquals("/service/slow", r.path());
        assertEquals("request", r.method());
        assertEquals("x", r.body().json().get("RETURN_DATA").asText());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sendServiceRequestAndHandle_mappedHandler_returnsReplyAndHandlerResponse() {
        ServiceServer backend = fx.echoServer("greeter");
        ServiceClient client = fx.client("web");
        GreetingHandler handler = new GreetingHandler(client, backend);
        client.mapResponse("^/echo$", Reply.DEFAULT_METHOD, (request, reply) -> "hello " + json(reply).at("/echo/name").asText());
        handler.register();

        HandledReply<String> pair = handler.sendServiceRequestAndHandle(backend.pullAddress(), handler.greeting("ada"),
                String.class);

        assertEquals("ada", json(pair.reply()).at("/echo/name").asText());
        assertEquals(java.util.Optional.of("hello ada"), pair.result());
    }
}
