package org.offload.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Wire;

/**
 * One request as a handler sees it: the request plus its id, deadline and cancellation state. A call is
 * cancelled when its client cancels it or the service stops before it finished; the handler's thread is
 * then also interrupted. Long handlers should check {@link #isCancelled()} or {@link #throwIfCancelled()}.
 */
public final class Call {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final Request request;
    private final ClientId clientId;
    private final long requestId;
    private final long deadlineNanos;
    private final int maxReplyBytes;
    private final ServiceCaller caller;
    /** The protocol version the request came in, which its replies use (PROTOCOL.md section 4). */
    private int wireVersion = Wire.VERSION;
    /** True when the request came in a batch frame: its client reads batch frames, so replies may go in one. */
    private boolean batchReplies;
    private volatile boolean cancelled;
    /** Where progress goes; null when the request did not ask for progress (then reports are dropped). */
    private volatile ProgressGate progress;

    Call(Request request, ClientId clientId, long requestId, long deadlineNanos, int maxReplyBytes) {
        this(request, clientId, requestId, deadlineNanos, maxReplyBytes, null);
    }

    Call(Request request, ClientId clientId, long requestId, long deadlineNanos, int maxReplyBytes,
         ServiceCaller caller) {
        this.request = request;
        this.clientId = clientId;
        this.requestId = requestId;
        this.deadlineNanos = deadlineNanos;
        this.maxReplyBytes = maxReplyBytes;
        this.caller = caller;
    }

    /** A call made outside any socket, for unit-testing handlers. */
    public static Call of(Request request) {
        return new Call(request, ClientId.random(), 1, NO_DEADLINE, Wire.DEFAULT_MAX_REPLY_FRAME_BYTES);
    }

    /** {@link #of(Request)} whose {@link #callService} calls go to {@code caller} (a fake, in a unit test). */
    public static Call of(Request request, Duration deadline, ServiceCaller caller) {
        return new Call(request, ClientId.random(), 1, deadlineFrom(System.nanoTime(), deadline.toMillis()),
                Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, java.util.Objects.requireNonNull(caller, "caller"));
    }

    /**
     * Calls another service for this request, through the server's {@link ServiceCaller}, with the time left
     * of this request's deadline (an inner call never outlives its outer request; 30 s when the request has
     * none) and this request's trace headers. Throws {@link DeadlineExceededException} at once when that time is gone,
     * {@link CancelledException} when this call was cancelled, {@link IllegalStateException} without a caller.
     */
    public Reply callService(String service, Request request) {
        return callService(service, request, ChronoUnit.FOREVER.getDuration());
    }

    /** {@link #callService(String, Request)} with at most {@code deadline}. */
    public Reply callService(String service, Request request, Duration deadline) {
        return Downstream.call(this, caller, service, request, deadline);
    }

    /** {@link #callService(String, Request, Duration)} as a future. */
    public java.util.concurrent.CompletableFuture<Reply> callServiceAsync(String service, Request request,
                                                                         Duration deadline) {
        return Downstream.callAsync(this, caller, service, request, deadline);
    }

    static long deadlineFrom(long nowNanos, long timeoutMs) {
        return timeoutMs == 0 ? NO_DEADLINE : nowNanos + Duration.ofMillis(timeoutMs).toNanos();
    }

    public Request request() {
        return request;
    }

    public String path() {
        return request.path();
    }

    public String method() {
        return request.method();
    }

    public Map<String, String> headers() {
        return request.headers();
    }

    public Body body() {
        return request.body();
    }

    /** The body as a JSON tree (an empty body is an empty object). */
    public JsonNode json() {
        return request.body().json();
    }

    /** The client's id for this request. */
    public long requestId() {
        return requestId;
    }

    /** The calling client's id, as hex. */
    public String clientId() {
        return clientId.toString();
    }

    ClientId client() {
        return clientId;
    }

    int wireVersion() {
        return wireVersion;
    }

    /** Set by the receiver before the call is handed to a worker (the pool's hand-off publishes it). */
    Call inVersion(int version) {
        this.wireVersion = version;
        return this;
    }

    boolean batchReplies() {
        return batchReplies;
    }

    /** Set by the receiver, like {@link #inVersion}: the request came in a batch frame (PROTOCOL.md section 2.2). */
    Call batchingReplies(boolean batched) {
        this.batchReplies = batched;
        return this;
    }

    /**
     * The largest reply frame the caller takes, in bytes (its {@value Wire#MAX_REPLY_BYTES} header, else
     * {@value Wire#DEFAULT_MAX_REPLY_FRAME_BYTES}). A reply whose body is larger is not sent: the caller gets
     * a 500 instead.
     */
    public int maxReplyBytes() {
        return maxReplyBytes;
    }

    /** True when the client gave a deadline. */
    public boolean hasDeadline() {
        return deadlineNanos != NO_DEADLINE;
    }

    /** Time left before the client stops waiting; {@link ChronoUnit#FOREVER} without a deadline. */
    public Duration timeLeft() {
        return hasDeadline() ? Duration.ofNanos(deadlineNanos - System.nanoTime()) : ChronoUnit.FOREVER.getDuration();
    }

    boolean isExpired(long nowNanos) {
        return hasDeadline() && nowNanos - deadlineNanos > 0;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /** True once the call was cancelled. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link CancelledException} once the call was cancelled. */
    public void throwIfCancelled() {
        if (cancelled) {
            throw new CancelledException("request " + request.path() + " (id " + requestId + ") was cancelled");
        }
    }

    void cancel() {
        cancelled = true;
    }

    /**
     * Reports how far the handler has got: {@code fraction} from 0.0 to 1.0 and a message for people (at most
     * {@value Progress#MAX_MESSAGE_BYTES} UTF-8 bytes). Cheap and never blocking, so it may be called in a
     * tight loop: the service sends the latest report as an interim reply (status {@value Status#PROGRESS}) at
     * most once per {@code progressInterval}, and the last one before the final reply. Sent only when the
     * request asked for progress ({@code offload-notify: progress}, as tasks do); otherwise it does nothing.
     *
     * @throws IllegalArgumentException the fraction is outside 0..1 (or NaN), or the message is too long
     */
    public void progress(double fraction, String message) {
        Progress p = new Progress(fraction, message);
        ProgressGate gate = progress;
        if (gate != null) {
            gate.offer(p);
        }
    }

    /** True when the request asked for progress reports. */
    public boolean wantsProgress() {
        return progress != null;
    }

    void reportProgressTo(ProgressGate gate) {
        this.progress = gate;
    }

    /** Before the final reply: the last report goes out first, none after. */
    void closeProgress() {
        ProgressGate gate = progress;
        if (gate != null) {
            gate.close();
        }
    }

    @Override
    public String toString() {
        return "Call[" + request.method() + " " + request.path() + ", id " + requestId + "]";
    }
}
