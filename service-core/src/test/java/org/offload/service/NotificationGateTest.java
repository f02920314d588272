package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** The XPUB's screen for notification subscriptions (PROTOCOL.md sections 5 and 20). */
@Timeout(value = 60, unit = SECONDS)
class NotificationGateTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static ClientId id(int first) {
        byte[] b = new byte[Wire.CLIENT_ID_BYTES];
        Arrays.fill(b, (byte) 0x5A);
        b[0] = (byte) first;
        return ClientId.read(b, 0);
    }

    @Test
    void notifySubscription_workedExample_matchesProtocolMd() {
        byte[] topic = new Proof("s3cret-p\u00e4ssphrase").notifySubscription();
        assertEquals("01ffea9a8bb4753ae841d4ac6d3d332e54ed2a526168eb6edcdd749c6f9f76a314d2",
                "01" + HexFormat.of().formatHex(topic));
    }

    @Test
    void provedReplySubscription_forIdStartingWithMarker_isNeverSubscribed() {
        ServiceServer server = fx.echoServer("marker-ids");
        Proof proof = new Proof(Fixtures.PASSPHRASE);
        try (ZMQ.Context ctx = ZMQ.context(1); ZMQ.Socket sub = ctx.socket(SocketType.SUB)) {
            sub.setLinger(0);
            sub.setHandshakeIvl(1_000); // JeroMQ 0.6.0 may stall a handshake until this timer retries it
            sub.subscribe(proof.provedTopic(id(0x0A)));
            Fixtures.connectSubscribed(sub, server.pubAddress(), () -> server.subscriptionState().liveClients() >= 1);

            sub.subscribe(proof.provedTopic(id(0xFF))); // a genuine tag, but an id no client may have
            sub.subscribe(proof.provedTopic(id(0x0B)));
            // one connection's subscriptions are read in order: once the third counts, the second was screened
            Fixtures.await().until(() -> server.subscriptionState().liveClients() >= 2);
            assertEquals(2, server.subscriptionState().liveClients());
            assertEquals(0, server.stats().malformed(), "a 49-byte shape a client may send is not counted");
        }
    }
}
