package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import org.offload.service.BadRequestException;
import org.offload.service.Body;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;

/**
 * {@code /mandelbrot/tile}: one rectangle of a Mandelbrot image. Body: {@code {"x": 0, "y": 0, "width":
 * 128, "height": 128, "image": {"width": 640, "height": 480, "iterations": 500}, "format": "rgb"}} (the
 * image's fields as in {@link MandelbrotParams}, defaults included). Answers
 * the tile's pixels row by row as bytes: {@code rgb} (default) 3 bytes per pixel, {@code counts} a 4-byte
 * big-endian iteration count per pixel, with headers {@value #PID_HEADER} and {@value #MICROS_HEADER}.
 * Checks for cancellation after every row.
 */
public final class MandelbrotTile implements Handler {
    /** Content type of an RGB tile: 3 bytes (red, green, blue) per pixel, rows top to bottom. */
    public static final String RGB = "application/x-offload-rgb";
    /** Content type of an iteration-count tile: one big-endian int per pixel. */
    public static final String COUNTS = "application/x-offload-counts";

    /** Reply header: the pid of the worker process that computed the tile (the demo page marks tiles with it). */
    public static final String PID_HEADER = "demo-pid";
    /** Reply header: how long computing the tile took, in microseconds. */
    public static final String MICROS_HEADER = "demo-micros";

    /** Loaded by name from a service definition file. */
    public MandelbrotTile() {}

    @Override
    public Reply handle(Call call) {
        JsonNode body = call.json();
        MandelbrotParams image = MandelbrotParams.parse(name -> Params.field(body.path("image"), name));
        int x = Params.integer("x", required(body, "x"), 0, image.width() - 1);
        int y = Params.integer("y", required(body, "y"), 0, image.height() - 1);
        int width = Params.integer("width", required(body, "width"), 1, image.width() - x);
        int height = Params.integer("height", required(body, "height"), 1, image.height() - y);
        String format = Params.field(body, "format").orElse("rgb");
        boolean rgb = switch (format) {
            case "rgb" -> true;
            case "counts" -> false;
            default -> throw new BadRequestException("format must be 'rgb' or 'counts' but was '" + format + "'");
        };
        long started = System.nanoTime();
        ByteBuffer out = ByteBuffer.allocate(width * height * (rgb ? 3 : 4));
        Mandelbrot set = new Mandelbrot(image.width(), image.height());
        for (int row = y; row < y + height; row++) {
            CallWaits.throwIfCancelled(call);
            for (int col = x; col < x + width; col++) {
                int n = set.iterations(col, row, image.iterations());
                if (rgb) {
                    int c = Mandelbrot.rgb(n, image.iterations());
                    out.put((byte) (c >> 16)).put((byte) (c >> 8)).put((byte) c);
                } else {
                    out.putInt(n);
                }
            }
        }
        return Reply.ok(Body.wrap(out.array(), rgb ? RGB : COUNTS))
                .withHeader(PID_HEADER, String.valueOf(ProcessHandle.current().pid()))
                .withHeader(MICROS_HEADER, String.valueOf((System.nanoTime() - started) / 1_000));
    }

    private static String required(JsonNode body, String name) {
        return Params.field(body, name).orElseThrow(() -> new BadRequestException(name + " is required"));
    }
}
