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
    /** Per route (same index): its regex's literal text when it is {@code ^literal$} or {@code ^literal}, else null. */
    private final String[] literals;
    private final boolean[] anchoredAtEnd;
    /** Per route: its {@link Match#found} (one per route rather than one per request). */
    private final Match[] found;

    Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
        int n = this.routes.size();
        this.literals = new String[n];
        this.anchoredAtEnd = new boolean[n];
        this.found = new Match[n];
        for (int i = 0; i < n; i++) {
            Pattern p = this.routes.get(i).pattern();
            String regex = p.pattern();
            boolean end = regex.endsWith("$") && !regex.endsWith("\\$");
            String body = regex.substring(regex.startsWith("^") ? 1 : 0, regex.length() - (end ? 1 : 0));
            literals[i] = p.flags() == 0 && isLiteral(body) ? body : null;
            anchoredAtEnd[i] = end;
            found[i] = Match.found(this.routes.get(i));
        }
    }

    /** True when {@code s} holds no regex metacharacter: it matches exactly its own text. */
    private static boolean isLiteral(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("\\^$.|?*+()[]{}".indexOf(s.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether route {@code i}'s regex matches at the start of {@code path}, as {@code lookingAt} decides. A
     * literal route (the usual {@code ^/path$}) is decided by comparing strings: no matcher per request (10 %
     * of the receiver thread's samples). {@code $} also matches before a final line terminator, so a path that
     * only starts with the literal goes to the regex.
     */
    private boolean matches(int i, String path) {
        String literal = literals[i];
        if (literal != null) {
            if (!path.startsWith(literal)) {
                return false;
            }
            if (!anchoredAtEnd[i] || path.length() == literal.length()) {
                return true;
            }
        }
        return routes.get(i).pattern().matcher(path).lookingAt();
    }

    Match match(String path, String method) {
        return match(path, method, null);
    }

    /** {@code askedVersion}: the request's {@value RouteVersion#HEADER} header, or null when it has none. */
    Match match(String path, String method, String askedVersion) {
        TreeSet<String> allowed = null;
        List<Route> candidates = null; // only for a versioned request: nothing allocated on the common path
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (matches(i, path)) {
                if (r.method().equals(method)) {
                    if (askedVersion == null) {
                        return found[i];
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
