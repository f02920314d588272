package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Someone who captures a client's request and sends the service a copy with another body (the proof kept)
 * gets a 401 signed by the service; it must not fail the client's call (issue 9, defect 4).
 */
class TamperedCopyTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_observerSendsATamperedCopy_forcedRejectionIgnoredAndCounted() throws InterruptedException {
        ServiceServer server = fx.echoServer("victim-of");
        Tap tap = fx.tap(server.pullAddress()); // stands where the client thinks the service's PULL is
        ZMQ.Socket attacker = fx.raw(SocketType.PUSH);
        attacker.connect(server.pullAddress());
        ServiceClient client = fx.client("victim");
        client.register("svc", tap.address(), server.pubAddress(), PASSPHRASE);

        CompletableFuture<Reply> call = client.callAsync("svc", Request.json("/echo", "request", Map.of("a", 1)),
                Fixtures.DEADLINE);
        byte[][] genuine = tap.next(Duration.ofSeconds(20));
        assertNotNull(genuine, "the tap saw the request");
        assertEquals(1, genuine.length, "the instance's pong offered protocol version 2: one frame");
        byte[] copy = genuine[0].clone(); // the body {"a":1} sits just before the 32-byte proof
        copy[copy.length - org.offload.service.internal.Wire.PROOF_BYTES - 2] = '2';
        attacker.send(copy, 0);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> client.stats().badProofReplies() == 1);
        assertEquals(1, server.stats().unauthorized(), "the service rejected the copy");
        assertFalse(call.isDone(), "the forced 401 did not end the call");

        tap.forward(genuine); // the genuine request still runs and answers the call
        assertEquals("{\"echo\":{\"a\":1}}", call.join().body().text());
    }
}
