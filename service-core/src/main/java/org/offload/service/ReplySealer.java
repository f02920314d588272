package org.offload.service;

import java.util.concurrent.TimeUnit;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Checks;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals a service's replies (envelope, body, proof) with how long each may stay parked, and never lets one
 * out with a frame above its client's reply frame limit ({@link ReplyLimit}): a handler's oversized reply
 * becomes a 500 naming the sizes; an answer that does not fit even so is dropped and counted (null).
 */
final class ReplySealer {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);

    private final ServiceServer.Settings s;
    private final ServerCounters counters;

    ReplySealer(ServiceServer.Settings s, ServerCounters counters) {
        this.s = s;
        this.counters = counters;
    }

    /** A handler's final reply to {@code call}, or the 500 in its place when it cannot be encoded or sent; null if not even that fits. */
    ReplyPublisher.Outbound finalReply(Call call, Reply reply) {
        ReplyPublisher.Outbound o;
        String excess = ReplyLimit.bodyExcess(reply, call.maxReplyBytes()); // before sealing: no HMAC for nothing
        try {
            o = excess == null ? forCall(call, reply) : null;
        } catch (RuntimeException tooLarge) { // e.g. the handler's headers push the envelope over 1 MiB
            log.warn("{} - reply to {} (id {}) could not be encoded: {}", s.name(), call.path(), call.requestId(),
                    tooLarge.getMessage());
            counters.failed.incrementAndGet();
            o = forCall(call, Reply.error(Status.INTERNAL_ERROR, "reply to " + call.path() + " could not be encoded: "
                    + Checks.fitText(String.valueOf(tooLarge.getMessage()))));
        }
        excess = excess != null ? excess : ReplyLimit.excess(o.sealed(), call.maxReplyBytes());
        if (excess != null) {
            counters.oversized.incrementAndGet();
            log.warn("{} - reply {} to {} (id {}) not sent: {}; answering 500 instead", s.name(), reply.status(),
                    call.path(), call.requestId(), excess);
            o = forCall(call, Reply.error(Status.INTERNAL_ERROR, "the reply to " + call.path() + " (id "
                    + call.requestId() + ") was not sent: " + excess + " (" + Wire.MAX_REPLY_BYTES + ")"));
        }
        return fitting(o, call.maxReplyBytes(), call.path(), call.requestId());
    }

    /** An interim reply to {@code call}; null (dropped and counted) if it does not fit the client's limit. */
    ReplyPublisher.Outbound interim(Call call, Reply reply) {
        return fitting(forCall(call, reply), call.maxReplyBytes(), call.path(), call.requestId());
    }

    /**
     * An answer decided without a handler, parked until the request's deadline at most; null (dropped and
     * counted) if it does not fit the client's limit.
     */
    ReplyPublisher.Outbound answer(ClientId client, long requestId, String path, Reply reply, long timeoutMs,
                                   int maxReplyBytes, int version) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        ReplyPublisher.Outbound o = new ReplyPublisher.Outbound(client, seal(client, requestId, path, reply, version,
                maxReplyBytes), parkUntil(timeoutMs != 0, deadline));
        return fitting(o, maxReplyBytes, path, requestId);
    }

    /**
     * An answer to a message that could not be authenticated: parked briefly, within its own bound; always in
     * version 1, which every client reads (the message's own version is unknown or unproven).
     */
    ReplyPublisher.Outbound untrusted(ClientId client, long requestId, String path, Reply reply) {
        return new ReplyPublisher.Outbound(client, seal(client, requestId, path, reply, Wire.VERSION,
                Wire.DEFAULT_MAX_REPLY_FRAME_BYTES),
                System.nanoTime() + ReplyPublisher.UNTRUSTED_PARK_NANOS);
    }

    private ReplyPublisher.Outbound forCall(Call call, Reply reply) {
        Sealed sealed = seal(call.client(), call.requestId(), call.path(), reply, call.wireVersion(),
                call.maxReplyBytes());
        return new ReplyPublisher.Outbound(call.client(), sealed, parkUntil(call.hasDeadline(), call.deadlineNanos()),
                false, batchLimit(call, sealed));
    }

    /**
     * How large a batch frame {@code sealed} may travel in: 0 (alone) unless its request came in a batch frame
     * (then its client reads them) and it is a version-2 frame of at most {@link Batch#MAX_ENTRY_BYTES}; never
     * more than the client's reply frame limit.
     */
    private static int batchLimit(Call call, Sealed sealed) {
        boolean batchable = call.batchReplies() && sealed.version() == Wire.VERSION_2
                && sealed.frame().length <= Batch.MAX_ENTRY_BYTES;
        return batchable ? Math.min(Batch.MAX_BYTES, call.maxReplyBytes()) : 0;
    }

    private ReplyPublisher.Outbound fitting(ReplyPublisher.Outbound o, int maxReplyBytes, String path, long requestId) {
        String excess = ReplyLimit.excess(o.sealed(), maxReplyBytes);
        if (excess == null) {
            return o;
        }
        counters.dropped.incrementAndGet();
        log.warn("{} - dropped a reply to {} (id {}): {}", s.name(), path, requestId, excess);
        return null;
    }

    /**
     * Until when a reply may stay parked: {@code parkTimeout} from now, or the request's deadline if that
     * comes first. Never longer, however long the deadline: a reply for a client that is gone (a front end
     * restarted with hours-long tasks in flight) must not hold a parking slot for hours.
     */
    private long parkUntil(boolean hasDeadline, long deadlineNanos) {
        long limit = System.nanoTime() + s.parkTimeout().toNanos();
        return hasDeadline && deadlineNanos - limit < 0 ? deadlineNanos : limit;
    }

    /**
     * The reply in {@code version}. A version-2 frame holds envelope, body and proof, so it is longer than any
     * of version 1's frames: when it would exceed the client's reply frame limit while version 1's frames fit,
     * the reply goes in version 1 (which the client reads too), so a reply that fitted before version 2 still
     * does (PROTOCOL.md section 3.4).
     */
    private Sealed seal(ClientId client, long requestId, String path, Reply reply, int version, int maxReplyBytes) {
        Envelope e = new Envelope(Wire.REPLY, client, requestId, System.currentTimeMillis(), 0, reply.status(),
                reply.method(), path, reply.message(), reply.headers(), version);
        Sealed sealed = Sealed.seal(s.proof(), e, reply.body());
        if (version == Wire.VERSION_2 && ReplyLimit.excess(sealed, maxReplyBytes) != null) {
            return Sealed.seal(s.proof(), e.inVersion(Wire.VERSION), reply.body());
        }
        return sealed;
    }
}
