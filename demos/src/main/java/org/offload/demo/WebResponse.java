package org.offload.demo;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.offload.service.Body;

/** What a front-end route answers: an HTTP status, a content type, headers and the body bytes. */
record WebResponse(int status, String contentType, Map<String, String> headers, byte[] body) {
    static final String JSON = "application/json";
    static final String HTML = "text/html; charset=utf-8";
    static final String PNG = "image/png";

    WebResponse {
        headers = Map.copyOf(headers);
    }

    static WebResponse json(int status, Object value) {
        return new WebResponse(status, JSON, Map.of(), Body.json(value).toByteArray());
    }

    /** {@code {"error": message}} with {@code status}. */
    static WebResponse error(int status, String message) {
        return json(status, Map.of("error", message));
    }

    static WebResponse html(String page) {
        return new WebResponse(200, HTML, Map.of(), page.getBytes(StandardCharsets.UTF_8));
    }

    static WebResponse png(byte[] image) {
        return new WebResponse(200, PNG, Map.of(), image);
    }

    static WebResponse noContent() {
        return new WebResponse(204, JSON, Map.of(), new byte[0]);
    }

    WebResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new WebResponse(status, contentType, copy, body);
    }

    void send(HttpExchange exchange) throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        boolean empty = body.length == 0;
        if (!empty) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
