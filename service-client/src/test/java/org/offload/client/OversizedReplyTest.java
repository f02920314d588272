package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.json;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Body;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/**
 * One oversized reply fails one call only: the service does not publish a frame above the client's limit
 * (which would make ZeroMQ end the client's session with that instance for good) but a 500 in its place.
 */
class OversizedReplyTest {
    /** A genuine 9 MiB reply: above the default 8 MiB limit. */
    private static final int BIG = 9 * 1024 * 1024;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ServiceServer bigServer() {
        return fx.server("big", b -> b.route("^/big$", "request", call -> Reply.ok(Body.bytes(new byte[BIG]))));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_replyAboveTheDefaultLimit_failsThatCallOnlyAndTheNextCallSucceeds() {
        ServiceServer server = bigServer();
        ServiceClient client = fx.clientFor(server);
        assertEquals(1, json(client.call("big", Request.json("/echo", "request", Map.of("n", 1)))).at("/echo/n").asInt());

        RemoteException e = assertThrows(RemoteException.class, () -> client.call("big", Request.of("/big", "request")));
        assertEquals(Status.INTERNAL_ERROR, e.status());
        assertTrue(e.getMessage().contains("its body frame of 9437184 bytes exceeds the client's limit of 8388608 bytes"),
                e.getMessage());

        for (int n = 2; n <= 4; n++) { // the same client, the same instance, its session intact
            assertEquals(n, json(client.call("big", Request.json("/echo", "request", Map.of("n", n)))).at("/echo/n").asInt());
        }
        assertEquals(1, server.stats().oversized());
        assertEquals(0, client.stats().malformedReplies());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_clientWithALargerLimit_receivesTheBigReply() {
        ServiceServer server = bigServer();
        ServiceClient client = fx.client(ServiceClient.builder().name("large-frames").deadline(Fixtures.DEADLINE)
                .maxMessageBytes(16 * 1024 * 1024));
        client.register("big", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        Reply reply = client.call("big", Request.of("/big", "request"));
        assertEquals(BIG, reply.body().size());
        assertEquals(0, server.stats().oversized());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_clientWithASmallerLimit_getsA500ForWhatExceedsItAndSmallRepliesAsUsual() {
        ServiceServer server = fx.server("sized", b -> b.route("^/sized$", "request",
                call -> Reply.ok(Body.bytes(new byte[call.json().get("n").asInt()]))));
        ServiceClient client = fx.client(ServiceClient.builder().name("small-frames").deadline(Fixtures.DEADLINE)
                .maxMessageBytes(64 * 1024));
        client.register("sized", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        assertEquals(64 * 1024, client.call("sized", Request.json("/sized", "request", Map.of("n", 64 * 1024)))
                .body().size());
        RemoteException e = assertThrows(RemoteException.class,
                () -> client.call("sized", Request.json("/sized", "request", Map.of("n", 64 * 1024 + 1))));
        assertTrue(e.getMessage().contains("exceeds the client's limit of 65536 bytes"), e.getMessage());
        assertEquals(3, client.call("sized", Request.json("/sized", "request", Map.of("n", 3))).body().size());
    }
}
