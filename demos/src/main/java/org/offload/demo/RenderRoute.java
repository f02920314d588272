package org.offload.demo;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;

/**
 * The demo page's Mandelbrot image, tile by tile. {@code POST /demo/render?width=W&height=H&iterations=N}
 * (validated like {@code /mandelbrot.png}) sends every tile to the cpu workers at once and answers 201 with
 * the render's id and size; {@code GET /demo/render/ID?from=K} answers the tiles finished after the first
 * K, each with its place, the worker's pid, the time it took and its pixels as a PNG (base64), so the page
 * paints each tile when it arrives.
 */
final class RenderRoute extends ServiceRoute {
    static final String PATH = "/demo/render";

    private final String cpu;
    private final Renders renders;

    RenderRoute(ServiceClient client, String cpu, Renders renders) {
        super(client, PATH, Pattern.compile(Pattern.quote(PATH) + "(?:/([A-Za-z0-9-]+))?/?"), "GET", "POST");
        this.cpu = cpu;
        this.renders = renders;
    }

    @Override
    WebResponse serve(WebRequest web) {
        String id = web.pathGroup(1);
        if (web.method().equals("POST")) {
            return id != null ? WebResponse.error(405, "POST " + PATH + " starts a render; GET " + PATH + "/ID polls it")
                    : start(MandelbrotParams.parse(web::param));
        }
        if (id == null) {
            return WebResponse.error(404, "GET " + PATH + "/ID (POST " + PATH + " starts a render)");
        }
        int from = Params.integer("from", web.param("from"), 0, 0, Integer.MAX_VALUE);
        return renders.get(id).map(r -> WebResponse.json(200, poll(r, from)))
                .orElseGet(() -> WebResponse.error(404, "no render " + id + " (only the latest " + Renders.CAPACITY
                        + " are kept)"));
    }

    private WebResponse start(MandelbrotParams params) {
        List<MandelbrotRoute.Tile> tiles = MandelbrotRoute.tiles(params.width(), params.height());
        Renders.Render render = renders.add(new Renders.Render(params.width(), params.height(), tiles.size()));
        for (int i = 0; i < tiles.size(); i++) {
            sendTile(render, params, i, tiles.get(i), System.nanoTime(), true);
        }
        return WebResponse.json(201, Map.of("id", render.id, "width", render.width, "height", render.height,
                "tiles", render.tiles, "poll", PATH + "/" + render.id));
    }

    /**
     * One tile's call. A tile is pure computation, so one whose worker went silent while computing it (503:
     * a frozen or cut worker; the client fails what was in flight there at once) is sent once more, and
     * the client's rotation gives it to another worker: that is the failover the page shows.
     */
    private void sendTile(Renders.Render render, MandelbrotParams params, int index, MandelbrotRoute.Tile tile,
                          long sent, boolean retry) {
        sendServiceRequestAsync(cpu, MandelbrotRoute.tileRequest(params, tile), MandelbrotRoute.DEADLINE)
                .whenComplete((reply, failure) -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (retry && cause instanceof org.offload.service.ServiceUnavailableException) {
                        sendTile(render, params, index, tile, sent, false);
                        return;
                    }
                    render.add(done(index, tile, reply, failure, (System.nanoTime() - sent) / 1_000_000));
                });
    }

    private static Renders.TileDone done(int index, MandelbrotRoute.Tile tile, Reply reply, Throwable failure,
                                         long roundTripMillis) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            return new Renders.TileDone(index, tile, "", 0, roundTripMillis, "", String.valueOf(cause.getMessage()));
        }
        try {
            BufferedImage image = new BufferedImage(tile.width(), tile.height(), BufferedImage.TYPE_INT_RGB);
            MandelbrotRoute.paint(image, new MandelbrotRoute.Tile(0, 0, tile.width(), tile.height()), reply);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            long micros = parseLong(reply.headers().getOrDefault(MandelbrotTile.MICROS_HEADER, "0"));
            return new Renders.TileDone(index, tile, reply.headers().getOrDefault(MandelbrotTile.PID_HEADER, "?"), micros,
                    roundTripMillis, Base64.getEncoder().encodeToString(png.toByteArray()), "");
        } catch (IOException | RuntimeException e) {
            return new Renders.TileDone(index, tile, "", 0, roundTripMillis, "", e.getMessage());
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, Object> poll(Renders.Render render, int from) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", render.id);
        out.put("tiles", render.tiles);
        out.put("finished", render.finished());
        out.put("done", render.since(from).stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", t.index());
            m.put("x", t.tile().x());
            m.put("y", t.tile().y());
            m.put("width", t.tile().width());
            m.put("height", t.tile().height());
            m.put("pid", t.pid());
            m.put("compute_ms", t.computeMicros() / 1000.0);
            m.put("round_trip_ms", t.roundTripMillis());
            m.put("png", t.pngBase64());
            m.put("error", t.error());
            return m;
        }).toList());
        return out;
    }
}
