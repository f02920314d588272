package org.offload.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The Mandelbrot renders of the demo page: tiles as they arrive, the latest {@value #CAPACITY} renders kept. */
final class Renders {
    /** Renders kept; an older one is forgotten (its page gets 404 and stops polling). */
    static final int CAPACITY = 8;

    /** One finished tile: where it goes, who computed it and how long it took, and its pixels (or why not). */
    record TileDone(int index, MandelbrotRoute.Tile tile, String pid, long computeMicros, long roundTripMillis,
                    String pngBase64, String error) {
    }

    /** One render: its tiles in the order they finished. */
    static final class Render {
        final String id = UUID.randomUUID().toString();
        final int width;
        final int height;
        final int tiles;
        private final List<TileDone> done = new ArrayList<>();

        Render(int width, int height, int tiles) {
            this.width = width;
            this.height = height;
            this.tiles = tiles;
        }

        synchronized void add(TileDone tile) {
            done.add(tile);
        }

        /** The tiles finished after the first {@code from}. */
        synchronized List<TileDone> since(int from) {
            return List.copyOf(done.subList(Math.min(Math.max(from, 0), done.size()), done.size()));
        }

        synchronized int finished() {
            return done.size();
        }
    }

    private final Map<String, Render> renders = new LinkedHashMap<>();

    synchronized Render add(Render render) {
        renders.put(render.id, render);
        while (renders.size() > CAPACITY) {
            renders.remove(renders.keySet().iterator().next());
        }
        return render;
    }

    synchronized Optional<Render> get(String id) {
        return Optional.ofNullable(renders.get(id));
    }
}
