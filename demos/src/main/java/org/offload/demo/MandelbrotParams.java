package org.offload.demo;

import java.util.Optional;
import java.util.function.Function;

/** The size of a Mandelbrot image and the iterations per pixel, each within its bounds (400 beyond). */
record MandelbrotParams(int width, int height, int iterations) {
    static final int DEFAULT_WIDTH = 640;
    static final int DEFAULT_HEIGHT = 480;
    static final int DEFAULT_ITERATIONS = 500;
    /** Smallest width and height, in pixels. */
    static final int MIN_SIZE = 16;
    /** Largest width and height, in pixels. */
    static final int MAX_SIZE = 2048;
    static final int MAX_ITERATIONS = 5_000;

    MandelbrotParams {
        Params.integer("width", String.valueOf(width), MIN_SIZE, MAX_SIZE);
        Params.integer("height", String.valueOf(height), MIN_SIZE, MAX_SIZE);
        Params.integer("iterations", String.valueOf(iterations), 1, MAX_ITERATIONS);
    }

    /** Parses {@code width}, {@code height} and {@code iterations} as found by {@code lookup}. */
    static MandelbrotParams parse(Function<String, Optional<String>> lookup) {
        return new MandelbrotParams(
                Params.integer("width", lookup.apply("width"), DEFAULT_WIDTH, MIN_SIZE, MAX_SIZE),
                Params.integer("height", lookup.apply("height"), DEFAULT_HEIGHT, MIN_SIZE, MAX_SIZE),
                Params.integer("iterations", lookup.apply("iterations"), DEFAULT_ITERATIONS, 1, MAX_ITERATIONS));
    }
}
