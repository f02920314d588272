package org.offload.demo;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.imageio.ImageIO;
import org.offload.client.ServiceClient;
import org.offload.service.CancelledException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.Status;

/**
 * {@code GET /mandelbrot.png?width=W&height=H&iterations=N}: splits the image into tiles, sends every tile
 * to the CPU worker at once ({@code callAsync}, so its worker threads compute tiles in parallel), assembles
 * the answers and encodes a PNG.
 */
final class MandelbrotRoute extends ServiceRoute {
    static final String PATH = "/mandelbrot.png";
    /** The worker's tile route. */
    static final String TILE_PATH = "/mandelbrot/tile";
    /** Width and height of a tile, in pixels (edge tiles are smaller). */
    static final int TILE_SIZE = 128;
    /** How long all the tiles of one image may take. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private final String cpu;

    MandelbrotRoute(ServiceClient client, String cpu) {
        super(client, PATH, "GET");
        this.cpu = cpu;
    }

    /** One rectangle of the image. */
    record Tile(int x, int y, int width, int height) {
    }

    @Override
    WebResponse serve(WebRequest web) throws IOException {
        MandelbrotParams params = MandelbrotParams.parse(web::param);
        List<Tile> tiles = tiles(params.width(), params.height());
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (Tile tile : tiles) {
            replies.add(sendServiceRequestAsync(cpu, tileRequest(params, tile), DEADLINE));
        }
        BufferedImage image = new BufferedImage(params.width(), params.height(), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < tiles.size(); i++) {
            paint(image, tiles.get(i), await(replies.get(i)));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return WebResponse.png(png.toByteArray());
    }

    /** The image cut into tiles of at most {@link #TILE_SIZE}, row by row. */
    static List<Tile> tiles(int width, int height) {
        List<Tile> tiles = new ArrayList<>();
        for (int y = 0; y < height; y += TILE_SIZE) {
            for (int x = 0; x < width; x += TILE_SIZE) {
                tiles.add(new Tile(x, y, Math.min(TILE_SIZE, width - x), Math.min(TILE_SIZE, height - y)));
            }
        }
        return tiles;
    }

    static Request tileRequest(MandelbrotParams params, Tile tile) {
        return Request.json(TILE_PATH, Request.DEFAULT_METHOD, Map.of(
                "x", tile.x(), "y", tile.y(), "width", tile.width(), "height", tile.height(), "format", "rgb",
                "image", Map.of("width", params.width(), "height", params.height(), "iterations", params.iterations())));
    }

    private static Reply await(CompletableFuture<Reply> reply) {
        try {
            return reply.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ServiceException se ? se
                    : new RemoteException(Status.INTERNAL_ERROR, "tile failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("interrupted while waiting for Mandelbrot tiles");
        }
    }

    static void paint(BufferedImage image, Tile tile, Reply reply) {
        byte[] rgb = reply.body().toByteArray();
        if (rgb.length != tile.width() * tile.height() * 3) {
            throw new RemoteException(Status.INTERNAL_ERROR, "tile " + tile + " came back with " + rgb.length
                    + " bytes instead of " + tile.width() * tile.height() * 3);
        }
        int i = 0;
        for (int y = tile.y(); y < tile.y() + tile.height(); y++) {
            for (int x = tile.x(); x < tile.x() + tile.width(); x++, i += 3) {
                image.setRGB(x, y, (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | rgb[i + 2] & 0xff);
            }
        }
    }
}
