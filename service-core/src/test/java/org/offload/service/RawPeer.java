package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.offload.service.internal.Batch;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Inbound;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A hand-built client speaking the wire protocol directly: a PUSH connected to the service's PULL and a SUB
 * connected to its PUB, subscribed to this peer's client id. It seals requests the way {@code ClientIo}
 * does (kind, client id, increasing request id, timestamp ms, timeout ms, METHOD, path, headers) and reads
 * 4-frame replies {@code [topic, envelope, body, proof]}. Tests can also send any frames they like.
 * Use from one thread only (JeroMQ sockets are not thread-safe).
 */
final class RawPeer implements AutoCloseable {
    /** Handshake timeout of the peer's sockets: a stalled handshake is retried quickly. */
    private static final int HANDSHAKE_MS = 1_000;
    /**
     * Timeout the peer puts in its requests: generous, so that no request a test holds queued or in flight
     * on a loaded machine reaches its deadline first (a queued request past it never runs, and a reply past
     * it is no longer kept for a peer that has not subscribed yet).
     */
    static final long TIMEOUT_MS = 60_000;
    /** A path no fixture routes; a request to it gets a 404, which proves the subscription is live. */
    static final String PING_PATH = "/raw-peer/ping";

    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket push;
    private final ZMQ.Socket sub;
    private final ClientId id;
    private final Proof proof;
    private final String pubAddress;
    private long nextRequestId = 1;
    /** Hex of the proof sent with each request id: rejections must echo it (as ServiceClient checks). */
    private final Map<Long, String> sentProofs = new HashMap<>();

    /** A peer of {@code server} with its encryption (CURVE keys derived from {@code passphrase}). */
    RawPeer(ServiceServer server, String passphrase) {
        this(server.pullAddress(), server.pubAddress(), passphrase, ClientId.random(), server.settings().encryption());
    }

    /** A plaintext peer ({@link Encryption#NONE}). */
    RawPeer(String pullAddress, String pubAddress, String passphrase, ClientId id) {
        this(pullAddress, pubAddress, passphrase, id, Encryption.NONE);
    }

    RawPeer(String pullAddress, String pubAddress, String passphrase, ClientId id, Encryption encryption) {
        this(pullAddress, pubAddress, passphrase, id, encryption, new byte[0][]);
    }

    /**
     * A plaintext peer whose SUB first subscribes to {@code extraSubscriptions} (e.g. the empty prefix, as a
     * hostile peer might), then to its own id.
     */
    RawPeer(String pullAddress, String pubAddress, String passphrase, ClientId id, byte[]... extraSubscriptions) {
        this(pullAddress, pubAddress, passphrase, id, Encryption.NONE, extraSubscriptions);
    }

    private RawPeer(String pullAddress, String pubAddress, String passphrase, ClientId id, Encryption encryption,
                    byte[]... extraSubscriptions) {
        this.id = id;
        this.proof = new Proof(passphrase);
        this.pubAddress = pubAddress;
        CurveKeys keys = CurveKeys.derive(passphrase);
        push = context.socket(SocketType.PUSH);
        push.setLinger(0);
        if (encryption == Encryption.CURVE) {
            keys.applyClient(push);
        }
        // JeroMQ 0.6.0 can stall a fresh connection's handshake until this timer fires (as ServiceClient does)
        push.setHandshakeIvl(HANDSHAKE_MS);
        push.connect(pullAddress);
        sub = context.socket(SocketType.SUB);
        sub.setLinger(0);
        if (encryption == Encryption.CURVE) {
            keys.applyClient(sub);
        }
        sub.setHandshakeIvl(HANDSHAKE_MS);
        sub.setReceiveTimeOut((int) Fixtures.WAIT.toMillis());
        for (byte[] s : extraSubscriptions) {
            sub.subscribe(s);
        }
        sub.subscribe(id.topic());
        sub.subscribe(proof.provedTopic(id));
        sub.connect(pubAddress);
    }

    ClientId id() {
        return id;
    }

    /** Changes how long {@link #receive} waits (default {@link Fixtures#WAIT}). */
    RawPeer receiveTimeout(java.time.Duration timeout) {
        sub.setReceiveTimeOut((int) timeout.toMillis());
        return this;
    }

    Proof proof() {
        return proof;
    }

    /** Takes the next request id (ids only grow, as the service demands). */
    long nextRequestId() {
        return nextRequestId++;
    }

    /** A REQUEST envelope with the next request id, the current time and {@link #TIMEOUT_MS}. */
    Envelope request(String path, String method, Map<String, String> headers) {
        return envelope(Wire.REQUEST, nextRequestId(), System.currentTimeMillis(), TIMEOUT_MS, method, path,
                headers);
    }

    Envelope envelope(int kind, long requestId, long timestampMs, long timeoutMs, String method, String path,
                      Map<String, String> headers) {
        return new Envelope(kind, id, requestId, timestampMs, timeoutMs, 0, method, path, "", headers);
    }

    /** Encodes and signs with this peer's passphrase. */
    Sealed seal(Envelope e, Body body) {
        return Sealed.seal(proof, e, body);
    }

    /** Signs raw envelope bytes (for hand-made envelopes). */
    Sealed seal(byte[] envelope, byte[] body) {
        return new Sealed(envelope, body, proof.sign(envelope, body));
    }

    void send(Sealed m) {
        if (m.frame() != null) {
            sendFrames(m.frame());
        } else {
            sendFrames(m.envelope(), m.body(), m.proof());
        }
    }

    /** Seals {@code e} with {@code body} as one protocol version 2 frame. */
    Sealed sealV2(Envelope e, Body body) {
        return Sealed.seal(proof, e.inVersion(Wire.VERSION_2), body);
    }

    /** Sends a version-2 request (one frame); returns its id. */
    long sendV2(String path, String method, Map<String, String> headers, Body body) {
        Envelope e = request(path, method, headers);
        send(sealV2(e, body));
        return e.requestId();
    }

    /** The next message on the SUB socket, which must be a {@code frames}-frame message on this peer's topic. */
    Received receive(int frames) {
        Received r = receiveAny();
        assertEquals(frames, r.frameCount(), () -> "frames of a reply: " + r);
        assertArrayEquals(id.topic(), r.topic(), () -> "topic of a reply: " + r);
        return r;
    }

    /** Like {@link #reply()} for a reply in protocol version 2: two frames, topic then the one frame. */
    Received replyV2() {
        Received r = receive(Wire.REPLY_FRAMES_V2);
        assertTrue(r.authentic(), () -> "reply proof does not verify: " + r);
        assertEquals(Wire.REPLY, r.envelope().kind(), "kind");
        assertEquals(Wire.VERSION_2, r.envelope().version(), "version");
        return r;
    }

    /** Sends {@code frames} as one multipart message. */
    void sendFrames(byte[]... frames) {
        if (frames.length == Wire.REQUEST_FRAMES && Wire.hasStablePrefix(frames[0])) {
            sentProofs.put(Wire.requestId(frames[0]), Wire.proofHex(frames[2]));
        } else if (frames.length == 1 && Wire.hasStablePrefix(frames[0])) {
            sentProofs.put(Wire.requestId(frames[0]), Inbound.ofFrame(frames[0]).proofHex());
        }
        for (int i = 0; i < frames.length; i++) {
            boolean more = i < frames.length - 1;
            assertTrue(push.send(frames[i], more ? ZMQ.SNDMORE : 0), "PUSH refused frame " + i);
        }
    }

    /** Sends version-2 frames this peer sealed in one batch frame (PROTOCOL.md section 2.2). */
    void sendBatch(List<byte[]> frames) {
        for (byte[] f : frames) {
            if (Wire.hasStablePrefix(f) && f.length >= Wire.MIN_FRAME_V2) {
                sentProofs.put(Wire.requestId(f), Inbound.ofFrame(f).proofHex());
            }
        }
        assertTrue(push.send(Batch.encode(frames), 0), "PUSH refused the batch frame");
    }

    /**
     * The next {@code n} replies on this peer's topic in arrival order, the entries of batch frames unpacked
     * (each entry a two-frame message: topic, entry); counts the batch frames in {@link #batchFramesReceived}.
     */
    List<Received> replies(int n) {
        List<Received> out = new ArrayList<>();
        while (out.size() < n) {
            Received r = receiveAny();
            assertArrayEquals(id.topic(), r.topic(), () -> "topic of a reply: " + r);
            if (r.frameCount() == Wire.REPLY_FRAMES_V2 && Batch.is(r.envelopeBytes())) {
                List<byte[]> entries = Batch.split(r.envelopeBytes());
                assertTrue(entries != null, "a well-formed batch frame");
                batchFramesReceived++;
                entries.forEach(entry -> out.add(new Received(List.of(r.topic(), entry), proof)));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Batch frames {@link #replies} unpacked so far. */
    int batchFramesReceived;

    /** Sends a request; returns its id. */
    long send(String path, String method, Map<String, String> headers, Body body) {
        Envelope e = request(path, method, headers);
        send(seal(e, body));
        return e.requestId();
    }

    long send(String path, String method) {
        return send(path, method, Map.of(), Body.empty());
    }

    /** Withdraws ({@code false}: SUB unsubscribe, {@code 0x00}) or renews this peer's proved subscription. */
    void provedSubscription(boolean on) {
        byte[] topic = proof.provedTopic(id);
        assertTrue(on ? sub.subscribe(topic) : sub.unsubscribe(topic));
    }

    /** Sends a CANCEL for {@code requestId}. */
    void cancel(long requestId, String path) {
        send(seal(envelope(Wire.CANCEL, requestId, System.currentTimeMillis(), 0, "cancel", path, Map.of()),
                Body.empty()));
    }

    /** The next message on the SUB socket, unchecked, waiting at most {@link Fixtures#WAIT}. */
    Received receiveAny() {
        byte[] first = sub.recv(0);
        if (first == null) {
            throw new AssertionError("peer " + id + " received nothing within " + sub.getReceiveTimeOut() + " ms");
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (sub.hasReceiveMore()) {
            frames.add(sub.recv(0));
        }
        return new Received(frames, proof);
    }

    /** The next message on the SUB socket, which must be a 4-frame message on this peer's topic. */
    Received receive() {
        Received r = receiveAny();
        assertEquals(Wire.REPLY_FRAMES, r.frameCount(), "frames of a reply");
        assertArrayEquals(id.topic(), r.topic(), () -> "topic of a reply: " + r);
        return r;
    }

    /**
     * The next reply, which must carry a valid proof of this peer's passphrase and be a REPLY to this peer.
     * Like ServiceClient, skips rejections that do not echo the proof this peer sent for that request id
     * (someone else's forged message was rejected, not ours).
     */
    Received reply() {
        Received first = receive();
        while (first.authentic() && isForeignRejection(first)) {
            first = receive();
        }
        Received r = first;
        assertTrue(r.authentic(), () -> "reply proof does not verify: " + r);
        assertEquals(Wire.REPLY, r.envelope().kind(), "kind");
        assertEquals(id, r.envelope().clientId(), "client id in the envelope");
        return r;
    }

    private boolean isForeignRejection(Received r) {
        String echoed = r.envelope().headers().get(Wire.REJECTED_PROOF);
        return echoed != null && !echoed.equals(sentProofs.get(r.requestId()));
    }

    /** Sends a request and returns its (authentic) reply, which must carry the request's id. */
    Received call(String path, String method, Map<String, String> headers, Body body) {
        long requestId = send(path, method, headers, body);
        Received r = reply();
        assertEquals(requestId, r.requestId(), () -> "reply to the wrong request: " + r);
        return r;
    }

    Received call(String path, String method) {
        return call(path, method, Map.of(), Body.empty());
    }

    /**
     * Round-trips a request to {@link #PING_PATH} (answered 404): afterwards the service has seen this peer's
     * subscription, so even replies it sends only to live subscribers (401, 505) reach the peer.
     */
    void handshake() {
        for (int attempt = 1; ; attempt++) {
            long id = send(PING_PATH, "ping");
            Received r = replyTo(id, Fixtures.SUBSCRIBE_WAIT);
            if (r != null) {
                assertEquals(Status.NOT_FOUND, r.status(), "status of the handshake ping");
                return;
            }
            if (attempt == Fixtures.SUBSCRIBE_ATTEMPTS) {
                throw new AssertionError("peer " + this.id + ": no answer to " + attempt + " handshake pings, each after "
                        + "connecting the SUB anew");
            }
            Fixtures.reconnect(sub, pubAddress);
        }
    }

    /**
     * The authentic reply to {@code requestId} within {@code wait}, skipping replies to earlier requests (a
     * handshake ping answered once the subscription of a later connection arrived); null if none came.
     */
    private Received replyTo(long requestId, java.time.Duration wait) {
        int before = sub.getReceiveTimeOut();
        long end = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return null;
                }
                sub.setReceiveTimeOut((int) left);
                byte[] first = sub.recv(0);
                if (first == null) {
                    return null;
                }
                List<byte[]> frames = new ArrayList<>(List.of(first));
                while (sub.hasReceiveMore()) {
                    frames.add(sub.recv(0));
                }
                Received r = new Received(frames, proof);
                if (r.authentic() && r.requestId() == requestId) {
                    return r;
                }
            }
        } finally {
            sub.setReceiveTimeOut(before);
        }
    }

    @Override
    public void close() {
        boolean interrupted = Thread.interrupted(); // closing sockets on an interrupted thread can break JeroMQ
        try {
            push.close();
            sub.close();
            context.term();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A message received on the SUB socket. */
    static final class Received {
        private final List<byte[]> frames;
        private final Proof proof;

        Received(List<byte[]> frames, Proof proof) {
            this.frames = List.copyOf(frames);
            this.proof = proof;
        }

        int frameCount() {
            return frames.size();
        }

        byte[] topic() {
            return frames.get(0);
        }

        byte[] envelopeBytes() {
            return frames.get(1);
        }

        /** The message in the framing its frame count tells: version 1 (4 frames) or 2 (2 frames). */
        private Inbound inbound() {
            return frames.size() == Wire.REPLY_FRAMES_V2 ? Inbound.ofFrame(frames.get(1))
                    : Inbound.ofFrames(frames.get(1), frames.get(2), frames.get(3));
        }

        Envelope envelope() {
            return inbound().decode();
        }

        boolean authentic() {
            return (frames.size() == Wire.REPLY_FRAMES || frames.size() == Wire.REPLY_FRAMES_V2)
                    && inbound().verify(proof);
        }

        int status() {
            return envelope().status();
        }

        String message() {
            return envelope().message();
        }

        long requestId() {
            return envelope().requestId();
        }

        /** The body, its content type taken from the wire headers. */
        Body body() {
            return Sealed.body(new HashMap<>(envelope().headers()), inbound().body());
        }

        /** The user headers (without the content-type header). */
        Map<String, String> headers() {
            Map<String, String> h = new HashMap<>(envelope().headers());
            h.remove(Wire.CONTENT_TYPE);
            return h;
        }

        @Override
        public String toString() {
            try {
                Envelope e = envelope();
                return "Received[id " + e.requestId() + ", " + e.status() + " " + e.message() + ", " + e.method()
                        + " " + e.path() + ", body " + inbound().body().length + " bytes, " + frames.size() + " frames]";
            } catch (RuntimeException x) {
                return "Received[" + frames.size() + " frames, undecodable: " + x.getMessage() + "]";
            }
        }
    }
}
