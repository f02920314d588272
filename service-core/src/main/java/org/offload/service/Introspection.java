package org.offload.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.offload.service.internal.Wire;

/**
 * The reserved paths a service answers itself (PROTOCOL.md section 18), on its receiver thread: what it
 * serves, whether it is healthy, its counters. Each answer is a small JSON object built from a snapshot.
 */
final class Introspection {
    static final String ROUTES = Wire.RESERVED_PREFIX + "routes";
    static final String HEALTH = Wire.RESERVED_PREFIX + "health";
    static final String STATS = Wire.RESERVED_PREFIX + "stats";
    /** The Offload version of this jar ({@code offload.properties}, filled in by the build). */
    static final String VERSION = readVersion();

    /** What {@link #health} reports of the worker pool. */
    record Load(boolean stopping, int workers, int busy, int queued, int queueCapacity, int inFlight, int parked) {
    }

    private final String name;
    private final String instanceId;
    private final List<Router.Route> routes;

    Introspection(String name, String instanceId, List<Router.Route> routes) {
        this.name = name;
        this.instanceId = instanceId;
        this.routes = List.copyOf(routes);
    }

    /** True for the reserved paths answered here (ping is answered by ServerIo). */
    static boolean answers(String path) {
        return path.equals(ROUTES) || path.equals(HEALTH) || path.equals(STATS);
    }

    Reply answer(String path, Load load, ServerStats stats) {
        Map<String, Object> body = header();
        switch (path) {
            case ROUTES -> body.put("routes", routes());
            case HEALTH -> health(body, load);
            case STATS -> body.put("stats", stats(stats));
            default -> throw new IllegalArgumentException("not an introspection path: " + path);
        }
        return Reply.json(body);
    }

    private Map<String, Object> header() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", name);
        m.put("instance", instanceId);
        m.put("version", VERSION);
        m.put("protocol", Wire.VERSION);
        return m;
    }

    /**
     * Routes in match order, one entry per path regex with its METHODs, handlers (the first route of each
     * METHOD) and versions (METHOD → its routes' versions, ascending; only METHODs with versioned routes).
     */
    private List<Map<String, Object>> routes() {
        Map<String, Map<String, String>> byPattern = new LinkedHashMap<>();
        Map<String, Map<String, TreeSet<RouteVersion>>> versions = new LinkedHashMap<>();
        for (Router.Route r : routes) {
            String p = r.pattern().pattern();
            byPattern.computeIfAbsent(p, k -> new TreeMap<>()).putIfAbsent(r.method(), r.handlerName());
            Map<String, TreeSet<RouteVersion>> byMethod = versions.computeIfAbsent(p, k -> new TreeMap<>());
            r.version().ifPresent(v -> byMethod.computeIfAbsent(r.method(), k -> new TreeSet<>()).add(v));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        byPattern.forEach((pattern, methods) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", pattern);
            m.put("methods", List.copyOf(methods.keySet()));
            m.put("handlers", methods);
            Map<String, List<String>> v = new TreeMap<>();
            versions.get(pattern).forEach((method, set) -> v.put(method, set.stream().map(RouteVersion::toString).toList()));
            m.put("versions", v);
            out.add(m);
        });
        return out;
    }

    private static void health(Map<String, Object> body, Load load) {
        body.put("status", load.stopping() ? "STOPPING" : "SERVING");
        body.put("workers", load.workers());
        body.put("busyWorkers", load.busy());
        body.put("queued", load.queued());
        body.put("queueCapacity", load.queueCapacity());
        body.put("inFlight", load.inFlight());
        body.put("parkedReplies", load.parked());
    }

    private static Map<String, Object> stats(ServerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var c : ServerStats.class.getRecordComponents()) {
            try {
                m.put(c.getName(), c.getAccessor().invoke(s));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read ServerStats." + c.getName(), e);
            }
        }
        return m;
    }

    /** A class name people can read: a lambda is named after the class that wrote it. */
    static String handlerName(Handler h) {
        Class<?> c = h.getClass();
        String n = c.getName();
        int lambda = n.indexOf("$$Lambda");
        return lambda > 0 ? "lambda in " + n.substring(0, lambda) : n;
    }

    private static String readVersion() {
        try (InputStream in = Introspection.class.getResourceAsStream("offload.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
