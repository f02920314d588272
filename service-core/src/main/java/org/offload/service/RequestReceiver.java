package org.offload.service;

import java.util.LinkedHashMap;
import java.util.Map;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Checks;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.FrameBudget;
import org.offload.service.internal.Inbound;
import org.offload.service.internal.Proof;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.ZError;

/**
 * Owns the PULL socket on its own thread, blocked in {@code recv} (JeroMQ's fastest wait). Checks each
 * message — frames, magic, version, proof, envelope, replay — before anything trusts it, then routes it.
 * Version 1 (three frames) and version 2 (one frame) go through the same checks ({@link Inbound}).
 */
final class RequestReceiver implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /** How often a blocked receive looks up to see whether the server stops. */
    static final int RECEIVE_TIMEOUT_MS = 20;
    private static final int MAX_TRACKED_CLIENTS = 100_000;
    private static final byte[] EMPTY = new byte[0];

    private final ServerIo io;
    private final String name;
    private final ZMQ.Socket pull;
    private final Proof proof;
    private final long replayWindowMs;
    private final ServerCounters counters;
    private final WarnLimiter warn = new WarnLimiter();
    private final Map<ClientId, Long> lastIds = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientId, Long> eldest) {
            return size() > MAX_TRACKED_CLIENTS;
        }
    };

    RequestReceiver(ServerIo io, String name, ZMQ.Socket pull, Proof proof, long replayWindowMs,
                    ServerCounters counters) {
        this.io = io;
        this.name = name;
        this.pull = pull;
        this.proof = proof;
        this.replayWindowMs = replayWindowMs;
        this.counters = counters;
    }

    @Override
    public void run() {
        try {
            pull.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
            while (!io.receiverShouldStop()) {
                Msg first = receiveFrame();
                if (first != null) {
                    readRest(first);
                }
            }
        } catch (Throwable t) {
            io.failed("its request receiver failed", t);
        } finally {
            try {
                SharedContext.closeReleasingInproc(pull);
            } catch (RuntimeException e) {
                log.debug("{} - closing PULL failed", name, e);
            }
        }
    }

    /**
     * The next frame, or null after the receive timeout. Frames are read as JeroMQ messages, not byte arrays,
     * so that each one's bytes leave the {@link FrameBudget} as it is taken (the array is not copied).
     */
    private Msg receiveFrame() {
        Msg frame = pull.base().recv(0);
        if (frame == null) {
            int errno = pull.base().errno();
            if (errno != ZError.EAGAIN) {
                throw new ZMQException(errno);
            }
        }
        return frame;
    }

    private void readRest(Msg first) {
        byte[] env = take(first);
        byte[] body = null;
        byte[] proofBytes = null;
        int frames = 1;
        boolean discarded = FrameBudget.isDiscarded(first);
        Msg f = first;
        while (f.hasMore()) {
            f = receiveFrame();
            if (f == null) {
                throw new IllegalStateException("the rest of a multipart message did not arrive with its first frame");
            }
            frames++;
            discarded |= FrameBudget.isDiscarded(f);
            byte[] data = take(f);
            if (frames == 2) {
                body = data;
            } else if (frames == 3) {
                proofBytes = data;
            }
        }
        if (discarded) { // a frame did not fit in the budget (counted there): what arrived is incomplete
            if (warn.tryAcquire()) {
                log.warn("{} - dropped a message of {} frames: too many bytes of requests were waiting for this "
                        + "receiver (maxQueuedBytes; frames dropped so far: {})", name, frames, counters.overBudget.get());
            }
            return;
        }
        if (frames == Wire.REQUEST_FRAMES_V2 && Batch.is(env)) {
            onBatch(env);
            return;
        }
        onMessage(env, body, proofBytes, frames, false);
    }

    /**
     * A batch frame (PROTOCOL.md section 2.2): each entry is checked and handled as if it had come alone; the
     * container proves nothing, so a malformed one is dropped whole, and nothing in it is answered.
     */
    private void onBatch(byte[] frame) {
        java.util.List<byte[]> entries = Batch.split(frame);
        if (entries == null) {
            peerError(counters.malformed, "dropped a malformed batch frame of " + frame.length + " bytes");
            return;
        }
        for (byte[] entry : entries) {
            onMessage(entry, null, null, Wire.REQUEST_FRAMES_V2, true);
        }
    }

    /** The frame's bytes, its share of the budget given back. */
    private static byte[] take(Msg frame) {
        FrameBudget.consumed(frame);
        return FrameBudget.isDiscarded(frame) ? EMPTY : frame.data();
    }

    private void onMessage(byte[] env, byte[] body, byte[] proofBytes, int frames, boolean batched) {
        // the frame count tells the framing: 3 frames (version 1) or one (version 2), PROTOCOL.md section 2
        Inbound m = frames == Wire.REQUEST_FRAMES ? Inbound.ofFrames(env, body, proofBytes)
                : frames == Wire.REQUEST_FRAMES_V2 ? Inbound.ofFrame(env) : null;
        if (m == null || !m.hasPrefix()) {
            peerError(counters.malformed, "dropped a message with " + frames + " frames (expected 3, or 1 of at least "
                    + Wire.MIN_FRAME_V2 + " bytes) or without an Offload envelope");
            return;
        }
        long envLength = m.envelopeLength();
        if (envLength > Wire.MAX_ENVELOPE_BYTES) { // cheap checks first: no HMAC over junk up to the frame limit
            peerError(counters.malformed, "dropped a message whose envelope of " + envLength + " bytes exceeds "
                    + Wire.MAX_ENVELOPE_BYTES);
            return;
        }
        ClientId client = Wire.clientId(env);
        long requestId = Wire.requestId(env);
        // A rejected cancel is dropped, never answered: an answer would carry its request's id, and that request
        // gets (or got) its own final reply, so the client would see two. The kind is in the stable prefix.
        boolean cancel = Wire.kind(env) == Wire.CANCEL;
        String what = cancel ? "dropped a cancel" : "rejected a request";
        int version = Wire.version(env);
        if (version != Wire.VERSION && version != Wire.VERSION_2) {
            peerError(counters.malformed, what + " of unsupported protocol version " + version);
            if (!cancel) {
                io.answerUntrusted(client, requestId, "/", rejection(Status.VERSION_NOT_SUPPORTED, "protocol version "
                        + version + " is not supported (this service speaks " + Wire.PROTOCOLS_SPOKEN + ")",
                        m.proofHex()));
            }
            return;
        }
        if (version != m.framingVersion()) { // a version this service speaks, in the other version's framing
            peerError(counters.malformed, "dropped a message of version " + version + " in " + frames
                    + (frames == 1 ? " frame" : " frames"));
            return;
        }
        if (!m.verify(proof)) {
            peerError(counters.unauthorized, what + " whose passphrase proof did not verify");
            if (!cancel) {
                io.answerUntrusted(client, requestId, "/", rejection(Status.UNAUTHORIZED,
                        "passphrase proof did not verify", m.proofHex()));
            }
            return;
        }
        Envelope e;
        try {
            e = m.decode();
        } catch (ProtocolException x) {
            peerError(counters.malformed, what + " with a malformed envelope: " + x.getMessage());
            if (!cancel) {
                io.answer(client, requestId, "/", Reply.error(x.status(), x.getMessage()), 0);
            }
            return;
        }
        body = m.body();
        String boundTo = e.headers().get(Wire.INSTANCE);
        if (boundTo != null && !boundTo.equals(io.instanceId())) {
            // sent to another instance (a sibling with the same passphrase, or this address's previous run):
            // a copy played here must not run, and gets no answer that could fail the genuine call
            peerError(counters.replayed, "dropped a message bound to instance " + Checks.abbreviate(boundTo)
                    + ", not this one (" + io.instanceId() + ")");
            return;
        }
        if (e.kind() == Wire.REQUEST && isReplayedId(e)) {
            // before the window check: a replay of a request seen here is dropped silently, never answered with
            // a 401 that echoes its proof (which would fail the genuine call still waiting for its reply)
            peerError(counters.replayed, "dropped a replayed request id " + e.requestId());
            return;
        }
        long skew = System.currentTimeMillis() - e.timestampMs();
        if (Math.abs(skew) > replayWindowMs) {
            peerError(counters.unauthorized, what + " outside the replay window (skew " + skew + " ms)");
            if (!cancel) {
                io.answer(client, requestId, e.path(), rejection(Status.UNAUTHORIZED, "timestamp outside the replay"
                        + " window (skew " + skew + " ms, window " + replayWindowMs + " ms)", m.proofHex()), 0,
                        Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, e.version());
            }
            return;
        }
        switch (e.kind()) {
            case Wire.REQUEST -> onRequest(e, body, batched);
            case Wire.CANCEL -> io.cancel(e);
            default -> {
                peerError(counters.malformed, "a service accepts requests and cancels, not kind " + e.kind());
                io.answer(client, requestId, e.path(), Reply.error(Status.BAD_REQUEST,
                        "a service accepts requests and cancels, not kind " + e.kind()), 0,
                        Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, e.version());
            }
        }
    }

    private boolean isReplayedId(Envelope e) {
        Long last = lastIds.get(e.clientId());
        return last != null && Long.compareUnsigned(e.requestId(), last) <= 0;
    }

    private void onRequest(Envelope e, byte[] body, boolean batched) {
        lastIds.put(e.clientId(), e.requestId());
        if (e.path().startsWith(Wire.RESERVED_PREFIX)) {
            onReserved(e);
            return;
        }
        counters.received.incrementAndGet();
        Request request;
        int maxReplyBytes;
        try {
            Map<String, String> headers = withoutBinding(e.headers());
            request = new Request(e.path(), e.method(), headers, Sealed.body(headers, body));
            maxReplyBytes = ReplyLimit.of(request.headers());
        } catch (IllegalArgumentException x) {
            peerError(counters.malformed, "invalid request: " + x.getMessage());
            io.answer(e.clientId(), e.requestId(), e.path(), Reply.error(Status.BAD_REQUEST, x.getMessage()),
                    e.timeoutMs(), Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, e.version());
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} - request {} {} id {} from {}", name, e.method(), e.path(), e.requestId(), e.clientId());
        }
        io.dispatch(e, request, maxReplyBytes, batched);
    }

    /** Paths under {@link Wire#RESERVED_PREFIX} belong to the service, whatever its routes say. */
    private void onReserved(Envelope e) {
        if (e.path().equals(Wire.PING_PATH)) {
            io.pong(e);
            return;
        }
        if (Introspection.answers(e.path())) {
            io.introspect(e);
            return;
        }
        counters.notFound.incrementAndGet();
        io.answer(e.clientId(), e.requestId(), e.path(), Reply.error(Status.NOT_FOUND, "no reserved path "
                + Checks.abbreviate(e.path()) + " (paths under " + Wire.RESERVED_PREFIX + " belong to the service)"),
                e.timeoutMs(), Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, e.version());
    }

    /**
     * The handler does not see the binding header: it is about the transport, not the request. The map is the
     * decoder's own (a fresh mutable map nobody else holds), so the header leaves it in place, with no copy.
     */
    private static Map<String, String> withoutBinding(Map<String, String> headers) {
        headers.remove(Wire.INSTANCE);
        return headers;
    }

    /** An answer to a rejected message, bound to the proof that message carried ({@link Wire#REJECTED_PROOF}). */
    private static Reply rejection(int status, String message, String proofHex) {
        return Reply.error(status, message).withHeader(Wire.REJECTED_PROOF, proofHex);
    }

    private void peerError(java.util.concurrent.atomic.AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (warn.tryAcquire()) {
            log.warn("{} - {} (unauthorized={}, malformed={}, replayed={})", name, what, counters.unauthorized.get(),
                    counters.malformed.get(), counters.replayed.get());
        }
    }
}
