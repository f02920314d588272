package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;
import static org.offload.client.Fixtures.asyncFailure;
import static org.offload.client.Fixtures.failureOf;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/** Acceptance 8: the client's service registry. */
class RegistrationTest {
    private static final Duration WITHIN = Fixtures.WAIT;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static String echo(ServiceClient client, String service, String value) {
        return json(client.call(service, Request.json("/echo", "request", Map.of("v", value)))).at("/echo/v").asText();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void register_sameInstanceTwice_isNoOpWithOneInstance() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.client("twice");

        ServiceRef first = client.register("echo", server.pullAddress(), server.pubAddress(), PASSPHRASE);
        ServiceRef second = client.register("echo", server.pullAddress(), server.pubAddress(), PASSPHRASE);

        assertSame(first, second);
        assertEquals(List.of(server.pullAddress()), second.instances());
        for (int i = 0; i < 10; i++) {
            assertEquals("v" + i, echo(client, "echo", "v" + i));
        }
        assertEquals(10, server.stats().received(), "each call reaches the one instance exactly once");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void register_sameNameDifferentPassphrase_throwsIllegalArgumentAndKeepsTheFirst() {
        ServiceServer server = fx.echoServer("echo");
        ServiceServer other = fx.echoServer("other");
        ServiceClient client = fx.clientFor(server);
        String otherPassphrase = "another-passphrase-987";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.register("echo", other.pullAddress(), other.pubAddress(), otherPassphrase));

        assertTrue(e.getMessage().contains("different passphrase"), e.getMessage());
        assertFalse(e.getMessage().contains(otherPassphrase), "the passphrase leaked: " + e.getMessage());
        assertFalse(e.getMessage().contains(PASSPHRASE), "the passphrase leaked: " + e.getMessage());
        assertEquals(List.of(server.pullAddress()), client.service("echo").orElseThrow().instances());
        assertEquals("still", echo(client, "echo", "still"));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void register_sameInstanceUnderAnotherName_throwsIllegalArgument() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.register("alias", server.pullAddress(), server.pubAddress(), PASSPHRASE));

        assertTrue(e.getMessage().contains("already registered as service echo"), e.getMessage());
        assertEquals(Optional.empty(), client.service("alias"));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callCallAsyncSend_unknownServiceName_failWithServiceUnavailable() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);
        List<ServiceException> nowaitErrors = new CopyOnWriteArrayList<>();
        client.onError((service, request, error) -> nowaitErrors.add(error));
        Request request = Request.json("/echo", "request", Map.of("v", 1));

        ServiceUnavailableException sync = assertThrows(ServiceUnavailableException.class,
                () -> client.call("nope", request));
        assertEquals(503, sync.status());
        assertTrue(sync.getMessage().contains("nope"), sync.getMessage());
        asyncFailure(() -> client.callAsync("nope", request), ServiceUnavailableException.class, WITHIN);
        try {
            client.send("nope", request);
            await().atMost(WITHIN).until(() -> !nowaitErrors.isEmpty());
            assertTrue(nowaitErrors.get(0) instanceof ServiceUnavailableException, "got " + nowaitErrors);
        } catch (ServiceUnavailableException refusedAtOnce) {
            assertTrue(refusedAtOnce.getMessage().contains("nope"), refusedAtOnce.getMessage());
        }
        assertEquals(0, server.stats().received());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void unregister_callsPending_failTypedAndLaterCallsAreRefused() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("gated", b -> b.workers(2).route("^/hold$", "request", gate.handler()));
        ServiceClient client = fx.client(ServiceClient.builder().name("unreg").deadline(Duration.ofSeconds(20)));
        client.register("gated", server.pullAddress(), server.pubAddress(), PASSPHRASE);
        CompletableFuture<Reply> one = client.callAsync("gated", Request.json("/hold", "request", Map.of("n", 1)));
        CompletableFuture<Reply> two = client.callAsync("gated", Request.json("/hold", "request", Map.of("n", 2)));
        await().atMost(WITHIN).until(() -> gate.entered() == 2);

        assertTrue(client.unregister("gated"));

        ServiceUnavailableException e1 = failureOf(one, ServiceUnavailableException.class, WITHIN);
        assertTrue(e1.getMessage().contains("unregistered"), e1.getMessage());
        failureOf(two, ServiceUnavailableException.class, WITHIN);
        assertEquals(Optional.empty(), client.service("gated"));
        assertThrows(ServiceUnavailableException.class, () -> client.call("gated", Request.of("/hold", "request")));
        assertFalse(client.unregister("gated"), "a second unregister finds nothing");
        assertEquals(0, client.stats().pending());

        // registering again works: the service itself was never harmed
        gate.open();
        client.register("gated", server.pullAddress(), server.pubAddress(), PASSPHRASE);
        assertEquals("back", echo(client, "gated", "back"));
    }

    /** An address JeroMQ cannot parse is an IllegalArgumentException naming it, never a JeroMQ type. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void register_unsupportedAddress_throwsIllegalArgumentNotAJeroMqType() {
        ServiceClient client = fx.client("bad-address");

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> client.register("x", "bogus://nowhere", "bogus://nowhere-either", PASSPHRASE));

        assertTrue(e instanceof IllegalArgumentException || e instanceof ServiceException,
                "register leaked " + e.getClass().getName() + ": " + e.getMessage());
        assertEquals(Optional.empty(), client.service("x"));
    }

    /**
     * A failed register() leaves nothing behind: registering the name properly afterwards, with another
     * passphrase, is not refused as "already registered with a different passphrase".
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void register_afterAFailedRegisterOfTheSameName_succeedsWithAnyPassphrase() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.client("retry-register");
        assertThrows(RuntimeException.class,
                () -> client.register("echo", "bogus://nowhere", "bogus://nowhere-either", "a-mistyped-passphrase"));
        assertEquals(Optional.empty(), client.service("echo"));

        client.register("echo", server.pullAddress(), server.pubAddress(), PASSPHRASE);

        assertEquals("fine", echo(client, "echo", "fine"));
    }
}
