package org.offload.service.internal;

import java.util.Locale;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Words for JeroMQ's errors: a {@link ZMQException}'s own message is only {@code "Errno 48"}. Not public API.
 */
public final class ZmqErrors {
    private ZmqErrors() {}

    /** What went wrong, in words: {@code "address already in use"} rather than {@code "Errno 48"}. */
    public static String describe(RuntimeException e) {
        if (e instanceof ZMQException z && (z.getMessage() == null || z.getMessage().startsWith("Errno "))) {
            String text;
            try {
                text = ZMQ.Error.findByCode(z.getErrorCode()).getMessage();
            } catch (IllegalArgumentException unknown) {
                return "error " + z.getErrorCode();
            }
            return text.isEmpty() ? "error " + z.getErrorCode() : text.toLowerCase(Locale.ROOT);
        }
        return e instanceof NumberFormatException ? "not a port number (" + e.getMessage() + ")"
                : String.valueOf(e.getMessage());
    }
}
