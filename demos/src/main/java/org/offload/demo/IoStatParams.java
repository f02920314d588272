package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.offload.service.BadRequestException;

/**
 * How many disk reports {@code iostat} makes ({@code count}) and how many seconds apart ({@code wait}). The
 * same rules hold in the web front end (query string) and in the worker (JSON body).
 */
record IoStatParams(int count, int waitSeconds) {
    /** Reports when none is asked for: one, the averages since boot. */
    static final int DEFAULT_COUNT = 1;
    /** Seconds between reports when {@code count} > 1 and no {@code wait} is given. */
    static final int DEFAULT_WAIT_SECONDS = 1;
    /** Most reports one request may ask for. */
    static final int MAX_COUNT = 10;
    /** Longest wait between two reports, in seconds. */
    static final int MAX_WAIT_SECONDS = 5;

    IoStatParams {
        Params.integer("count", String.valueOf(count), 1, MAX_COUNT);
        Params.integer("wait", String.valueOf(waitSeconds), 1, MAX_WAIT_SECONDS);
    }

    /** Parses {@code count} and {@code wait} as found by {@code lookup}; 400 on anything invalid. */
    static IoStatParams parse(Function<String, Optional<String>> lookup) {
        int count = Params.integer("count", lookup.apply("count"), DEFAULT_COUNT, 1, MAX_COUNT);
        Optional<String> wait = lookup.apply("wait");
        if (wait.isPresent() && count == 1) {
            throw new BadRequestException("wait makes sense only with count > 1, but count was " + count
                    + " and wait was '" + wait.get() + "'");
        }
        return new IoStatParams(count, Params.integer("wait", wait, DEFAULT_WAIT_SECONDS, 1, MAX_WAIT_SECONDS));
    }

    /** Parses the fields of a JSON body. */
    static IoStatParams fromJson(JsonNode body) {
        return parse(name -> Params.field(body, name));
    }

    /** The JSON body that asks a worker for these reports ({@link #fromJson} reads it back). */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", count);
        if (count > 1) {
            json.put("wait", waitSeconds);
        }
        return json;
    }

    Duration interval() {
        return Duration.ofSeconds(waitSeconds);
    }

    /** How long taking every report lasts: (count - 1) waits. */
    Duration duration() {
        return interval().multipliedBy(count - 1L);
    }
}
