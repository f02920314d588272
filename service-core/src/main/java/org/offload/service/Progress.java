package org.offload.service;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.offload.service.internal.Checks;

/**
 * How far a handler has got: what {@link Call#progress(double, String)} reports and a task's
 * {@code Task.progress()} shows. On the wire it is an interim reply, status {@value Status#PROGRESS}, whose
 * status message is {@code message} and whose {@value #HEADER} header is {@code fraction} (PROTOCOL.md
 * section 11).
 *
 * @param fraction 0.0 (nothing done) to 1.0 (all done)
 * @param message  for people, e.g. {@code "page 3 of 8"}; at most {@value #MAX_MESSAGE_BYTES} UTF-8 bytes
 */
public record Progress(double fraction, String message) {
    /** Reply header carrying {@link #fraction()} as a decimal number. */
    public static final String HEADER = "offload-progress";
    /** Longest message, in UTF-8 bytes: a report waiting to be sent holds at most this much per call. */
    public static final int MAX_MESSAGE_BYTES = 1_024;
    /** JSON number syntax, what {@link #HEADER} must hold ({@code Double.toString} writes it). */
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    public Progress {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("fraction must be between 0.0 and 1.0 but was " + fraction);
        }
        Objects.requireNonNull(message, "message");
        int bytes = Checks.utf8Length(message);
        if (bytes > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("progress message must be <= " + MAX_MESSAGE_BYTES
                    + " UTF-8 bytes but was " + bytes);
        }
    }

    /** The interim reply that carries this progress. */
    Reply toReply() {
        return Reply.error(Status.PROGRESS, message).withHeader(HEADER, Double.toString(fraction));
    }

    /** The progress an interim {@value Status#PROGRESS} reply carries; empty for any other reply or a bad one. */
    public static Optional<Progress> of(Reply reply) {
        String fraction = reply.headers().get(HEADER);
        if (reply.status() != Status.PROGRESS || fraction == null || fraction.length() > 32
                || !NUMBER.matcher(fraction).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Progress(Double.parseDouble(fraction), reply.message()));
        } catch (IllegalArgumentException e) { // NumberFormatException too
            return Optional.empty();
        }
    }
}
