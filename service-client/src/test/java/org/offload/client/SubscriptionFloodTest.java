package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.offload.client.Fixtures.json;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Issue 10: one subscriber sending 100,000 distinct topics filled the service's subscribed-client cap, so no
 * new client got a reply. Now only a client's proved topic subscribes it (PROTOCOL.md section 5).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SubscriptionFloodTest {
    /** Bare 16-byte ids, more than the old cap of subscribed clients (100,000) that they used to fill. */
    private static final int FLOOD = 100_010;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void flood100kTopicsFromOneSubscriber_freshClientsFirstCallAnswered() {
        ServiceServer server = fx.echoServer("flooded");
        ZMQ.Socket attacker = fx.raw(SocketType.XSUB);
        attacker.setHandshakeIvl(1_000); // JeroMQ 0.6.0 can stall a fresh handshake until this timer fires
        attacker.connect(server.pubAddress());
        for (int i = 0; i < FLOOD; i++) {
            attacker.send(topic(i)); // XSUB: 0x01 + topic is a subscription, resent after every reconnect
        }
        // the flood reaches the service; connects anew if JeroMQ lost the connect's subscriptions (README)
        Fixtures.awaitSubscribed(attacker, server.pubAddress(), () -> server.stats().malformed() > 0);

        ServiceClient client = fx.clientFor(server);
        Reply reply = client.call("flooded", Request.json("/echo", "request", Map.of("first", "call")));

        assertEquals("call", json(reply).get("echo").get("first").asText());
    }

    @Test
    void clientOfTwoPassphrases_bothServicesAnswerItsFirstCalls() {
        ServiceServer a = fx.echoServer("first");
        ServiceServer b = fx.server("second", other -> other.passphrase(Fixtures.PASSPHRASE + "-other"));
        ServiceClient client = fx.client("two-passphrases");
        client.register("first", a.pullAddress(), a.pubAddress(), Fixtures.PASSPHRASE);
        client.register("second", b.pullAddress(), b.pubAddress(), Fixtures.PASSPHRASE + "-other");

        for (String service : new String[] {"first", "second"}) {
            Reply reply = client.call(service, Request.json("/echo", "request", Map.of("to", service)));
            assertEquals(service, json(reply).get("echo").get("to").asText());
        }
        // each service saw the other passphrase's proved topic: a client's normal traffic, not counted
        assertEquals(0, a.stats().malformed());
        assertEquals(0, b.stats().malformed());
    }

    /** Subscription {@code i} to a bare id: distinct, sharing a prefix so this side's own XSUB trie stays small. */
    private static byte[] topic(int i) {
        return ByteBuffer.allocate(1 + 16).put((byte) 1).put(new byte[12]).putInt(i).array();
    }
}
