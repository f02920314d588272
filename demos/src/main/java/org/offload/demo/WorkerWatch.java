package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.offload.client.ServiceClient;
import org.offload.service.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers table of the demo page: every {@link #INTERVAL} it asks every instance of the demo's services
 * for {@code /_offload/health} and {@code /_offload/stats} (PROTOCOL.md section 18), its routes once per
 * instance id, and the supervisor for the pid and state of each child; {@link #rows} is the latest snapshot.
 * An instance that does not answer within {@link #DEADLINE} shows as unhealthy with its last known counters.
 */
final class WorkerWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerWatch.class);
    /** How often the table is refreshed. */
    static final Duration INTERVAL = Duration.ofMillis(500);
    /** How long each instance may take to answer an introspection request. */
    static final Duration DEADLINE = Duration.ofMillis(800);
    /** Characters of the reason shown for an instance that did not answer. */
    static final int MAX_REASON = 90;

    /** One instance to watch: the service it belongs to and its addresses. */
    record Watched(String service, Endpoint endpoint) {
    }

    private final ServiceClient client;
    private final List<Watched> watched;
    private final Optional<SupervisorControl> control;
    private final Map<String, Map<String, Object>> lastStats = new ConcurrentHashMap<>();
    /** Routes by instance id: they change only when an instance restarts (with a new id). */
    private final Map<String, List<String>> routesByInstance = new ConcurrentHashMap<>();
    private volatile List<Map<String, Object>> rows = List.of();
    private final Thread thread;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * Watches {@code watched} with a client of its own, each instance registered as a service of its own
     * (its PULL address): a call to a frozen instance then never waits in the queue of the application's
     * client, and the table shows each instance's answer apart.
     */
    WorkerWatch(List<Watched> watched, String passphrase, Optional<SupervisorControl> control) {
        this.watched = List.copyOf(watched);
        this.control = control;
        this.client = ServiceClient.builder().name("web-watch").build();
        for (Watched w : watched) {
            client.register(w.endpoint().service(), w.endpoint().pull(), w.endpoint().pub(), passphrase);
        }
        this.thread = Thread.ofVirtual().name("web-worker-watch").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** The latest table: one row per instance, in the order given. */
    List<Map<String, Object>> rows() {
        return rows;
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                rows = refresh();
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException e) {
                log.debug("web - workers table not refreshed: {}", e.toString());
            }
        }
    }

    private List<Map<String, Object>> refresh() throws InterruptedException, IOException {
        Map<String, SupervisorControl.ChildView> children = new LinkedHashMap<>();
        if (control.isPresent()) {
            for (SupervisorControl.ChildView c : control.get().children()) {
                children.put(c.bind(), c);
            }
        }
        List<CompletableFuture<Map<String, Object>>> rows = watched.stream().map(w -> CompletableFuture.supplyAsync(
                () -> row(w, children.get(w.endpoint().pull())), executor)).toList();
        return rows.stream().map(CompletableFuture::join).toList();
    }

    /** The answer of one instance to one introspection path, or why there is none. */
    private record Answer(Optional<JsonNode> json, String failure) {
    }

    private Answer ask(Watched w, String path) {
        try {
            return new Answer(Optional.of(client.call(w.endpoint().service(), Request.of(path, Request.DEFAULT_METHOD),
                    DEADLINE).body().json()), "");
        } catch (RuntimeException e) {
            return new Answer(Optional.empty(), String.valueOf(e.getMessage()));
        }
    }

    private Map<String, Object> row(Watched w, SupervisorControl.ChildView child) {
        CompletableFuture<Answer> stats = CompletableFuture.supplyAsync(() -> ask(w, Introspection.STATS), executor);
        Answer health = ask(w, Introspection.HEALTH);
        String pull = w.endpoint().pull();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", child == null ? w.service() : child.name());
        row.put("service", w.service());
        row.put("pull", pull);
        row.put("pid", child == null ? "" : String.valueOf(child.pid()));
        row.put("process", child == null ? "" : child.state());
        row.put("controllable", child != null && child.controllable());
        Optional<JsonNode> h = health.json();
        String status = h.map(j -> j.path("status").asText()).orElse("");
        row.put("healthy", "SERVING".equals(status));
        row.put("status", h.isPresent() ? status : "silent (" + cut(health.failure()) + ")");
        String instance = h.map(j -> j.path("instance").asText()).orElse("");
        row.put("instance", instance);
        row.put("in_flight", h.map(j -> (Object) j.path("inFlight").asInt()).orElse(""));
        row.put("handlers", h.map(j -> (Object) (j.path("busyWorkers").asInt() + "/" + j.path("workers").asInt())).orElse(""));
        stats.join().json().map(j -> j.path("stats")).ifPresent(s -> lastStats.put(pull, Map.of(
                "done", s.path("replied").asLong(),
                "failures", s.path("failed").asLong() + s.path("expired").asLong() + s.path("busy").asLong(),
                "cancelled", s.path("cancelled").asLong())));
        row.putAll(lastStats.getOrDefault(pull, Map.of("done", "", "failures", "", "cancelled", "")));
        List<String> routes = routesByInstance.getOrDefault(instance, List.of());
        if (routes.isEmpty() && !instance.isEmpty()) {
            routes = routes(w);
            if (!routes.isEmpty()) {
                routesByInstance.put(instance, routes);
            }
        }
        row.put("routes", routes);
        return row;
    }

    private static String cut(String text) {
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "…" : text;
    }

    /** The route regexes of one instance ({@code /_offload/routes}); empty when it does not answer. */
    private List<String> routes(Watched w) {
        List<String> out = new ArrayList<>();
        ask(w, Introspection.ROUTES).json().ifPresent(j -> j.path("routes").forEach(r -> out.add(r.path("path").asText())));
        return List.copyOf(out);
    }

    @Override
    public void close() {
        thread.interrupt();
        executor.shutdownNow();
        client.close();
    }

    /** The reserved introspection paths (PROTOCOL.md section 18). */
    static final class Introspection {
        static final String HEALTH = "/_offload/health";
        static final String STATS = "/_offload/stats";
        static final String ROUTES = "/_offload/routes";

        private Introspection() {}
    }
}
