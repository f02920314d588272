package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.offload.service.BadRequestException;

/**
 * Integer parameters shared by the web front end (query strings) and the workers (JSON bodies), with the
 * same 400 messages on both sides: {@code count must be an integer >= 1 but was '1.5'}.
 */
final class Params {
    private Params() {}

    /** {@code raw} as an int in {@code min..max}, or {@code fallback} when absent. */
    static int integer(String name, Optional<String> raw, int fallback, int min, int max) {
        return raw.map(text -> integer(name, text, min, max)).orElse(fallback);
    }

    /** {@code raw} as an int in {@code min..max}; a {@link BadRequestException} says what was wrong. */
    static int integer(String name, String raw, int min, int max) {
        long value;
        try {
            value = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + " must be an integer >= " + min + " but was '" + raw + "'");
        }
        if (value < min) {
            throw new BadRequestException(name + " must be an integer >= " + min + " but was '" + raw + "'");
        }
        if (value > max) {
            throw new BadRequestException(name + " must be at most " + max + " but was '" + raw + "'");
        }
        return (int) value;
    }

    /** A field of a JSON body as text (numbers as written), or empty when absent or null. */
    static Optional<String> field(JsonNode body, String name) {
        JsonNode node = body.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }
}
