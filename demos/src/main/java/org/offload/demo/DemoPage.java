package org.offload.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /demo}: the live page — tasks with progress and Cancel, the Mandelbrot image tile by tile, the
 * workers table with Freeze/Stop buttons, and a form for sync and nowait calls. One HTML file with its CSS and
 * plain JavaScript inline ({@code demo.html} beside this class): no build step, nothing fetched from elsewhere.
 * It polls {@link DemoStateRoute} and {@link RenderRoute}, and acts through the JSON routes.
 */
final class DemoPage extends Route {
    static final String PATH = "/demo";
    static final String PAGE = load();

    DemoPage() {
        super(PATH, "GET");
    }

    @Override
    WebResponse serve(WebRequest web) {
        return WebResponse.html(PAGE);
    }

    private static String load() {
        try (InputStream in = DemoPage.class.getResourceAsStream("demo.html")) {
            if (in == null) {
                throw new IllegalStateException("demo.html is missing beside " + DemoPage.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
