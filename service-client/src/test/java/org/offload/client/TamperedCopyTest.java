package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.offload.client.Fixtures.PASSPHRASE;
import static org.offload.client.Fixtures.failureOf;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Encryption;
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
    /** Long enough for the forged 401 to arrive first; the call then ends at its deadline. */
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_observerSendsATamperedCopy_forcedRejectionIgnoredAndCounted() {
        ServiceServer server = fx.plainEchoServer("victim-of");
        ZMQ.Socket tap = fx.raw(SocketType.PULL); // stands where the client thinks the service's PULL is
        tap.setReceiveTimeOut(20_000);
        tap.bind("tcp://127.0.0.1:*");
        ZMQ.Socket attacker = fx.raw(SocketType.PUSH);
        attacker.connect(server.pullAddress());
        ServiceClient client = fx.client("victim");
        client.register("svc", tap.getLastEndpoint(), server.pubAddress(), PASSPHRASE, Encryption.NONE);
        // a round trip through the real service proves it has seen this client's subscription, so its
        // (untrusted, never parked long) 401 reaches the client
        client.register("real", server.pullAddress(), server.pubAddress(), PASSPHRASE, Encryption.NONE);
        assertEquals(200, client.call("real", Request.of("/echo", "request")).status());

        CompletableFuture<Reply> call = client.callAsync("svc", Request.json("/echo", "request", Map.of("a", 1)), DEADLINE);
        byte[] env = tap.recv(0);
        assertNotNull(env, "the tap saw the request");
        tap.recv(0); // the genuine body, replaced below
        byte[] proof = tap.recv(0);
        attacker.send(env, ZMQ.SNDMORE);
        attacker.send("{\"a\":2}".getBytes(), ZMQ.SNDMORE);
        attacker.send(proof, 0);

        failureOf(call, DeadlineExceededException.class, Duration.ofSeconds(30));
        assertEquals(1, server.stats().unauthorized(), "the service rejected the copy");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().badProofReplies() == 1);
    }
}
