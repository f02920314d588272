package org.offload.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.function.Function;

/**
 * Binds one meter per component of a stats record ({@code ServerStats}, {@code ClientStats}): a function
 * counter for each {@code long} (a count since start), a gauge for each {@code int} (a level now). Driven by
 * the record's components, so a counter added to the record gets its meter without a change here.
 */
final class StatsMeters {
    private StatsMeters() {
    }

    /**
     * Meters read {@code stats.apply(owner)}; they hold {@code owner} weakly, as Micrometer does, so a client
     * or server that is gone reads NaN instead of being kept alive by its registry.
     */
    static <T, R extends Record> void bind(MeterRegistry registry, String prefix, Class<R> type, T owner,
                                           Function<T, R> stats, Tags tags, Map<String, String> descriptions) {
        for (RecordComponent c : type.getRecordComponents()) {
            Method accessor = c.getAccessor();
            String name = prefix + snake(c.getName());
            String description = descriptions.get(c.getName());
            if (c.getType() == long.class) {
                FunctionCounter.builder(name, owner, o -> read(accessor, stats.apply(o)))
                        .tags(tags).description(description).register(registry);
            } else if (c.getType() == int.class) {
                Gauge.builder(name, owner, o -> read(accessor, stats.apply(o)))
                        .tags(tags).description(description).register(registry);
            }
        }
    }

    /** {@code badProofReplies} to {@code bad_proof_replies}. */
    static String snake(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static double read(Method accessor, Record stats) {
        try {
            return ((Number) accessor.invoke(stats)).doubleValue();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + accessor.getName() + " of " + stats.getClass(), e);
        }
    }
}
