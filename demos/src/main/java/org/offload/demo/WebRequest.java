package org.offload.demo;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/** An HTTP request as a front-end route sees it: METHOD, path (with the route's match) and query parameters. */
record WebRequest(String method, URI uri, Matcher path, Map<String, String> query) {

    static WebRequest of(String method, URI uri, Matcher path) {
        return new WebRequest(method, uri, path, parseQuery(uri.getRawQuery()));
    }

    /** A query parameter (the last one when repeated; {@code ""} for {@code ?name}). */
    Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** The route pattern's group {@code n}, e.g. a task id. */
    String pathGroup(int n) {
        return path.group(n);
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            query.put(decode(name), decode(value));
        }
        return query;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray '%': keep the text as it came, validation will say what is wrong with it
        }
    }
}
