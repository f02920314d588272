package org.offload.demo;

/**
 * The Mandelbrot set framed in an image of any size: the view spans real -2.5..1 and imaginary
 * -1.25..1.25, widened along one axis to keep pixels square; each pixel samples its centre.
 */
final class Mandelbrot {
    private static final double CENTER_RE = -0.75;
    private static final double SPAN_RE = 3.5;
    private static final double SPAN_IM = 2.5;

    private final int imageWidth;
    private final int imageHeight;
    private final double scale;

    Mandelbrot(int imageWidth, int imageHeight) {
        this.imageWidth = imageWidth;
        this.imageHeight = imageHeight;
        this.scale = Math.max(SPAN_RE / imageWidth, SPAN_IM / imageHeight);
    }

    /** Iterations before pixel (x, y) escapes, or {@code max} when it stays in the set. */
    int iterations(int x, int y, int max) {
        double cr = CENTER_RE + (x + 0.5 - imageWidth / 2.0) * scale;
        double ci = (imageHeight / 2.0 - y - 0.5) * scale;
        return escape(cr, ci, max);
    }

    static int escape(double cr, double ci, int max) {
        if (inCardioidOrBulb(cr, ci)) {
            return max;
        }
        double zr = 0;
        double zi = 0;
        for (int n = 0; n < max; n++) {
            double zr2 = zr * zr;
            double zi2 = zi * zi;
            if (zr2 + zi2 > 4) {
                return n;
            }
            zi = 2 * zr * zi + ci;
            zr = zr2 - zi2 + cr;
        }
        return max;
    }

    /** The main cardioid and the period-2 bulb are in the set: no need to iterate there. */
    private static boolean inCardioidOrBulb(double cr, double ci) {
        double q = (cr - 0.25) * (cr - 0.25) + ci * ci;
        return q * (q + (cr - 0.25)) <= 0.25 * ci * ci || (cr + 1) * (cr + 1) + ci * ci <= 0.0625;
    }

    /** The colour of a pixel that took {@code n} of {@code max} iterations, as 0xRRGGBB (black inside the set). */
    static int rgb(int n, int max) {
        if (n >= max) {
            return 0;
        }
        double t = Math.sqrt((double) n / max);   // the square root brightens the many fast escapes
        int r = channel(9 * (1 - t) * t * t * t);
        int g = channel(15 * (1 - t) * (1 - t) * t * t);
        int b = channel(8.5 * (1 - t) * (1 - t) * (1 - t) * t);
        return r << 16 | g << 8 | b;
    }

    private static int channel(double v) {
        return (int) Math.min(255, Math.round(v * 255));
    }
}
