package org.offload.service;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Routes path + METHOD to a handler. The first route whose regex matches at the start of the path wins. */
final class Router {
    record Route(Pattern pattern, String method, Handler handler) {
        Route {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
        }
    }

    /** The outcome of routing: a handler and its route's regex, or an error status with its message. */
    record Match(Handler handler, int status, String message, String route) {
        static Match found(Route r) {
            return new Match(r.handler(), Status.OK, "", r.pattern().pattern());
        }
    }

    private final List<Route> routes;

    Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    Match match(String path, String method) {
        TreeSet<String> allowed = null;
        for (Route r : routes) {
            if (r.pattern().matcher(path).lookingAt()) {
                if (r.method().equals(method)) {
                    return Match.found(r);
                }
                if (allowed == null) {
                    allowed = new TreeSet<>();
                }
                allowed.add(r.method());
            }
        }
        if (allowed != null) {
            return new Match(null, Status.METHOD_NOT_ALLOWED,
                    "METHOD " + method + " is not allowed on " + path + " (allowed: " + String.join(", ", allowed) + ")", "");
        }
        return new Match(null, Status.NOT_FOUND, "no route for " + method + " " + path, "");
    }
}
