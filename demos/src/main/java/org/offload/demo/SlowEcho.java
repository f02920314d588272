package org.offload.demo;

import java.time.Duration;
import org.offload.service.BadRequestException;
import org.offload.service.Reply;
import org.offload.service.ServiceHandler;
import org.offload.service.Status;

/**
 * The slow-echo worker's handler (brubeck's demo service): waits {@code delay_ms} (cooperatively, so a
 * cancel ends it at once), then echoes {@code message} and says which process and worker thread answered.
 * Body: {@code {"message": "hi", "delay_ms": 500}}, both optional.
 */
public final class SlowEcho extends ServiceHandler {
    /** Wait when the request gives no {@code delay_ms}. */
    public static final Duration DEFAULT_DELAY = Duration.ofMillis(500);
    /** Longest accepted {@code delay_ms}; more is answered 400. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(30);
    /** Echoed when the request gives no {@code message}. */
    public static final String DEFAULT_MESSAGE = "hello from slow-echo";
    /** Longest accepted {@code message}, in characters; longer is answered 400. */
    public static final int MAX_MESSAGE_CHARS = 1_000;

    /** Loaded by name from a service definition file. */
    public SlowEcho() {}

    @Override
    protected Reply request() {
        Duration delay = delay(Params.field(call().json(), "delay_ms").orElse(null));
        String message = message(Params.field(call().json(), "message").orElse(DEFAULT_MESSAGE));
        CallWaits.pause(call(), delay);
        setStatus(Status.OK, "echoed after " + delay.toMillis() + " ms");
        addToPayload("message", message);
        addToPayload("delay_ms", delay.toMillis());
        addToPayload("path", call().path());
        addToPayload("pid", ProcessHandle.current().pid());
        addToPayload("worker", Thread.currentThread().getName());
        return render();
    }

    /** {@code raw} milliseconds (absent: {@link #DEFAULT_DELAY}), checked against 0..{@link #MAX_DELAY}. */
    static Duration delay(String raw) {
        if (raw == null) {
            return DEFAULT_DELAY;
        }
        return Duration.ofMillis(Params.integer("delay_ms", raw, 0, (int) MAX_DELAY.toMillis()));
    }

    /** {@code raw} if it is at most {@link #MAX_MESSAGE_CHARS} long. */
    static String message(String raw) {
        if (raw.length() > MAX_MESSAGE_CHARS) {
            throw new BadRequestException("message must be at most " + MAX_MESSAGE_CHARS
                    + " characters but was " + raw.length());
        }
        return raw;
    }
}
