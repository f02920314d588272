package org.offload.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Routes path + METHOD (+ asked version) to a handler (PROTOCOL.md section 7, step 11). Without a version
 * asked, the first route whose regex matches at the start of the path and whose METHOD is the request's
 * wins, versioned or not. A request asking for {@code M.m} goes to the newest versioned one of those with
 * major M and minor >= m (the first registered among equals); routes without a version never serve it.
 */
final class Router {
    /** A route; {@code handlerName} is what introspection shows (the class a definition file named). */
    record Route(Pattern pattern, String method, Handler handler, String handlerName, Optional<RouteVersion> version) {
        Route {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(handlerName, "handlerName");
            Objects.requireNonNull(version, "version");
        }

        Route(Pattern pattern, String method, Handler handler, String handlerName) {
            this(pattern, method, handler, handlerName, Optional.empty());
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
        return match(path, method, null);
    }

    /** {@code askedVersion}: the request's {@value RouteVersion#HEADER} header, or null when it has none. */
    Match match(String path, String method, String askedVersion) {
        TreeSet<String> allowed = null;
        List<Route> candidates = null; // only for a versioned request: nothing allocated on the common path
        for (Route r : routes) {
            if (r.pattern().matcher(path).lookingAt()) {
                if (r.method().equals(method)) {
                    if (askedVersion == null) {
                        return Match.found(r);
                    }
                    if (candidates == null) {
                        candidates = new ArrayList<>(2);
                    }
                    candidates.add(r);
                } else {
                    if (allowed == null) {
                        allowed = new TreeSet<>();
                    }
                    allowed.add(r.method());
                }
            }
        }
        if (candidates != null) {
            return byVersion(path, method, askedVersion, candidates);
        }
        if (allowed != null) {
            return new Match(null, Status.METHOD_NOT_ALLOWED,
                    "METHOD " + method + " is not allowed on " + path + " (allowed: " + String.join(", ", allowed) + ")", "");
        }
        return new Match(null, Status.NOT_FOUND, "no route for " + method + " " + path, "");
    }

    private static Match byVersion(String path, String method, String askedVersion, List<Route> candidates) {
        RouteVersion asked;
        try {
            asked = RouteVersion.parse(askedVersion);
        } catch (IllegalArgumentException e) {
            return new Match(null, Status.BAD_REQUEST, "header " + RouteVersion.HEADER + ": " + e.getMessage(), "");
        }
        Route best = null;
        TreeSet<RouteVersion> served = new TreeSet<>();
        for (Route r : candidates) {
            if (r.version().isEmpty()) {
                continue;
            }
            RouteVersion v = r.version().get();
            served.add(v);
            if (v.serves(asked) && (best == null || v.compareTo(best.version().get()) > 0)) {
                best = r;
            }
        }
        if (best != null) {
            return Match.found(best);
        }
        return new Match(null, Status.NO_COMPATIBLE_VERSION, "no route for " + method + " " + path + " serves version "
                + asked + " (versions served: " + (served.isEmpty() ? "none" : served.toString()
                .replace("[", "").replace("]", "")) + ")", "");
    }
}
