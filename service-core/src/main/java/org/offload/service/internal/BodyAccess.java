package org.offload.service.internal;

import java.util.function.Function;
import org.offload.service.Body;

/** Lets the codec read a {@link Body}'s backing array without a copy. Not public API. */
public final class BodyAccess {
    private static volatile Function<Body, byte[]> array;

    private BodyAccess() {}

    /** Called once, by {@link Body}'s static initializer. */
    public static void install(Function<Body, byte[]> accessor) {
        if (array != null) {
            throw new IllegalStateException("BodyAccess already installed");
        }
        array = accessor;
    }

    /** The body's backing array; callers must never modify it. */
    public static byte[] array(Body body) {
        return array.apply(body);
    }
}
