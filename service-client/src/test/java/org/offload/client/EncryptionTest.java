package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Encryption;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.CurveKeys;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Issue 10 item 1: CURVE on the wire, keys from the passphrase, refused handshakes, one client many keys. */
class EncryptionTest {
    /** A text that must never cross the wire in the clear when CURVE is on. */
    private static final String MARKER = "plaintext-marker-7f3c9a1e-body";
    /** How long a call that cannot connect waits: long enough to tell "never connected" from a slow start. */
    private static final Duration NO_CONNECTION_DEADLINE = Duration.ofSeconds(3);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** CURVE is opt-in (ServiceServer.DEFAULT_ENCRYPTION is NONE): these services and clients turn it on. */
    private ServiceServer curveServer(String name) {
        return fx.server(name, b -> b.encryption(Encryption.CURVE));
    }

    private ServiceClient curveClientFor(ServiceServer server) {
        ServiceClient client = fx.client("client-of-" + server.name());
        client.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE, Encryption.CURVE);
        return client;
    }

    /**
     * JeroMQ decrypts each CURVE frame into a new message, so the frame the budget charged never reaches the
     * receiver: before the fix every call left its request's bytes charged, and a service whose budget filled
     * that way dropped every request after it (deaf). A budget of 1 MiB, 1,000 calls of about 1 KiB: 1.6 MB stayed
     * charged before.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void curve_manyCalls_queuedBytesReturnToZeroAndTheBudgetNeverFills() {
        ServiceServer server = fx.server("curve-budget", b -> b.encryption(Encryption.CURVE)
                .maxMessageBytes(64 * 1024).maxQueuedBytes(1024 * 1024));
        ServiceClient client = curveClientFor(server);
        Request kilobyte = Request.json("/echo", "request", Map.of("pad", "x".repeat(1_000)));

        for (int i = 0; i < 1_000; i++) {
            assertEquals(200, client.call(server.name(), kilobyte).status());
        }

        // what stays charged is the frame each connection's decoder read last (a ping's, or the last call's)
        long queued = server.stats().queuedBytes();
        assertTrue(queued <= 2 * (1_100 + 128), "at most the last frame of the connection is charged: " + queued);
        assertEquals(0, server.stats().overBudget(), "no frame was dropped for want of budget");
        client.close();
        await().atMost(Fixtures.WAIT).until(() -> server.stats().queuedBytes() == 0);
    }

    private static Request marked() {
        return Request.json("/echo", "request", Map.of("marker", MARKER));
    }

    /**
     * A call over a connection whose handshake never completes: JeroMQ 0.6.0 may take the request into the
     * PUSH for a moment before the handshake fails (then the call ends at its deadline, 504), or not (then it
     * is never sent, 503). Either way it ends by its deadline, typed, and the message says what to check.
     */
    private static ServiceException failsUnconnected(Executable call) {
        long start = System.nanoTime();
        ServiceException e = assertThrows(ServiceException.class, call);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(e instanceof ServiceUnavailableException || e instanceof DeadlineExceededException, e.toString());
        assertTrue(took.compareTo(NO_CONNECTION_DEADLINE.plus(Fixtures.WAIT)) < 0, "took " + took);
        return e;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_curve_roundTrips() {
        ServiceServer server = curveServer("curve-echo");
        ServiceClient client = curveClientFor(server);

        Reply reply = client.call("curve-echo", marked());

        assertEquals(MARKER, json(reply).path("echo").path("marker").asText());
        assertEquals(0, server.stats().refusedHandshakes());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wire_curve_carriesNoPlaintextBody() throws Exception {
        ServiceServer server = curveServer("curve-wire");
        try (TcpRelay pull = new TcpRelay(server.pullAddress()); TcpRelay pub = new TcpRelay(server.pubAddress())) {
            ServiceClient client = fx.client("curve-wire-client");
            client.register("curve-wire", pull.address(), pub.address(), Fixtures.PASSPHRASE, Encryption.CURVE);

            Reply reply = client.call("curve-wire", marked());

            assertEquals(MARKER, json(reply).path("echo").path("marker").asText());
            assertTrue(pull.upstream().length > 200 && pub.downstream().length > 200,
                    "the request and the reply went through the relays");
            assertTrue(pull.sawText("CURVE") && pub.sawText("CURVE"), "both links greeted with the CURVE mechanism");
            assertFalse(pull.sawText(MARKER), "the request body crossed the PULL link in the clear");
            assertFalse(pub.sawText(MARKER), "the reply body crossed the PUB link in the clear");
            assertFalse(pull.sawText("/echo") || pub.sawText("/echo"), "the envelope (path) crossed in the clear");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wire_none_carriesPlaintextBody() throws Exception {
        ServiceServer server = fx.server("plain-wire", b -> b.encryption(Encryption.NONE));
        try (TcpRelay pull = new TcpRelay(server.pullAddress()); TcpRelay pub = new TcpRelay(server.pubAddress())) {
            ServiceClient client = fx.client("plain-wire-client");
            client.register("plain-wire", pull.address(), pub.address(), Fixtures.PASSPHRASE, Encryption.NONE);

            Reply reply = client.call("plain-wire", marked());

            assertEquals(MARKER, json(reply).path("echo").path("marker").asText());
            assertTrue(pull.sawText(MARKER), "the capture sees the request body: the relay does record the traffic");
            assertTrue(pub.sawText(MARKER), "the capture sees the reply body");
            assertTrue(pull.sawText("NULL") && !pull.sawText("CURVE"), "greeted with the NULL mechanism");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_wrongPassphraseWithCurve_handshakeRefusedAndCounted() {
        ServiceServer server = curveServer("curve-guarded");
        ServiceClient intruder = fx.client("curve-intruder");
        intruder.register("curve-guarded", server.pullAddress(), server.pubAddress(), "not-" + Fixtures.PASSPHRASE, Encryption.CURVE);

        ServiceException e = failsUnconnected(() -> intruder.call("curve-guarded", marked(), NO_CONNECTION_DEADLINE));

        assertTrue(e.getMessage().contains("same encryption (CURVE here) and passphrase"), e.getMessage());
        // its HELLO is boxed to another server key, so the handshake fails before ZAP: nothing counts, nothing runs
        assertEquals(0, server.stats().received(), "nothing from the intruder reached the request layer");
        assertEquals(0, server.stats().unauthorized(), "nothing from the intruder reached the proof check");
        // a client with the passphrase is still served
        assertEquals(MARKER, json(curveClientFor(server).call("curve-guarded", marked())).path("echo").path("marker")
                .asText());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void handshake_serviceKeyKnownButNotTheClientKey_refusedByZapAndCounted() {
        ServiceServer server = curveServer("curve-zap");
        ZMQ.Curve.KeyPair stranger = ZMQ.Curve.generateKeyPair();
        ZMQ.Socket push = fx.raw(SocketType.PUSH);
        push.setCurvePublicKey(ZMQ.Curve.z85Decode(stranger.publicKey));
        push.setCurveSecretKey(ZMQ.Curve.z85Decode(stranger.secretKey));
        push.setCurveServerKey(CurveKeys.derive(Fixtures.PASSPHRASE).serverPublicKey());
        push.connect(server.pullAddress());

        await().atMost(Fixtures.WAIT).alias("the ZAP handler refused the stranger's key")
                .until(() -> server.stats().refusedHandshakes() >= 1);

        assertEquals(0, server.stats().received());
        // the derived client key still gets in
        assertEquals(MARKER, json(curveClientFor(server).call("curve-zap", marked())).path("echo").path("marker").asText());
    }

    @ParameterizedTest(name = "service {0}, client {1}")
    @CsvSource({"NONE, CURVE", "CURVE, NONE"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_clientAndServiceWithOtherEncryption_failsTypedWithWhatToCheck(Encryption service, Encryption mine) {
        ServiceServer server = fx.server("mismatched", b -> b.encryption(service));
        ServiceClient client = fx.client("mismatched-client");
        client.register("mismatched", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE, mine);

        ServiceException e = failsUnconnected(() -> client.call("mismatched", marked(), NO_CONNECTION_DEADLINE));

        assertTrue(e.getMessage().contains("same encryption (" + mine + " here) and passphrase"), e.getMessage());
        assertEquals(0, server.stats().received());
        assertEquals(0, server.stats().malformed(), "the mismatch ends in the handshake, before any message");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void call_twoServicesWithDifferentPassphrases_oneClientReachesBothAlsoAfterARestart() {
        ServiceServer a = fx.server("svc-a", b -> b.passphrase("passphrase-of-a").encryption(Encryption.CURVE));
        ServiceServer b = fx.server("svc-b", x -> x.passphrase("passphrase-of-b").encryption(Encryption.CURVE));
        ServiceClient client = fx.client("two-keys");
        client.register("svc-a", a.pullAddress(), a.pubAddress(), "passphrase-of-a", Encryption.CURVE);
        client.register("svc-b", b.pullAddress(), b.pubAddress(), "passphrase-of-b", Encryption.CURVE);

        assertEquals(MARKER, json(client.call("svc-a", marked())).path("echo").path("marker").asText());
        assertEquals(MARKER, json(client.call("svc-b", marked())).path("echo").path("marker").asText());

        // svc-a comes back on the same ports: the client's SUB reconnects to it, and must use a's key, not b's
        // (JeroMQ 0.6.0 reads CURVE_SERVERKEY at each handshake, so one SUB with the last key set would fail)
        String pull = a.pullAddress();
        String pub = a.pubAddress();
        a.close();
        fx.server("svc-a", pull, pub, x -> x.passphrase("passphrase-of-a").encryption(Encryption.CURVE));
        // a call sent before the client learnt of the restart (bound to the old instance id) fails with 503:
        // retry until the new instance is in the rotation
        org.awaitility.Awaitility.await().atMost(Fixtures.DEADLINE).ignoreExceptionsInstanceOf(
                ServiceUnavailableException.class).until(() -> MARKER.equals(json(client.call("svc-a", marked()))
                        .path("echo").path("marker").asText()));
        assertEquals(MARKER, json(client.call("svc-b", marked())).path("echo").path("marker").asText());
        assertEquals(0, b.stats().refusedHandshakes());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void register_sameServiceWithOtherEncryption_isRejected() {
        ServiceServer server = curveServer("curve-once");
        ServiceClient client = curveClientFor(server);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.register("curve-once",
                "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", Fixtures.PASSPHRASE, Encryption.NONE));

        assertEquals("client-of-curve-once - service curve-once is already registered with encryption CURVE, not NONE",
                e.getMessage());
    }
}
