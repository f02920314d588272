package org.offload.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.offload.client.ServiceClient;
import org.offload.service.Request;

/**
 * {@code GET /health}: asks both workers for a quick answer at once; 200 when both answer within
 * {@link #DEADLINE}, else 503. Each worker's entry says {@code "up"} or why not.
 */
final class HealthRoute extends ServiceRoute {
    static final String PATH = "/health";
    /** How long each worker may take to answer. */
    static final Duration DEADLINE = Duration.ofSeconds(2);

    private final Endpoint slowEcho;
    private final String cpu;

    HealthRoute(ServiceClient client, Endpoint slowEcho, String cpu) {
        super(client, PATH, "GET");
        this.slowEcho = slowEcho;
        this.cpu = cpu;
    }

    @Override
    WebResponse serve(WebRequest web) {
        CompletableFuture<String> echo = probe(slowEcho.service(),
                createServiceRequest("/service/health", Request.DEFAULT_METHOD, Map.of("delay_ms", 0)));
        CompletableFuture<String> uptime = probe(cpu, Request.of("/v1/uptime", Request.DEFAULT_METHOD));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slow-echo", echo.join());
        out.put("cpu", uptime.join());
        return WebResponse.json(out.values().stream().allMatch("up"::equals) ? 200 : 503, out);
    }

    private CompletableFuture<String> probe(String service, Request request) {
        return sendServiceRequestAsync(service, request, DEADLINE)
                .handle((reply, failure) -> failure == null ? "up" : reason(failure));
    }

    private static String reason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return "down: " + cause.getMessage();
    }
}
