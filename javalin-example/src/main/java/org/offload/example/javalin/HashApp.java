package org.offload.example.javalin;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.offload.client.ServiceClient;
import org.offload.client.ServiceClientMixin;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;

/**
 * A small Javalin web app that pushes hashing to an Offload worker. Its handlers run on virtual threads and
 * call the worker through {@link ServiceClientMixin}: sync ({@code GET /hash}), futures ({@code GET /hashes})
 * and nowait ({@code POST /jobs}, the reply collected by a response handler for {@code GET /jobs/{id}}).
 */
public final class HashApp implements ServiceClientMixin, AutoCloseable {
    /** Most texts one {@code GET /hashes} may name. */
    public static final int MAX_TEXTS = 64;
    /** Most nowait jobs whose outcome is kept; the oldest is forgotten past it (memory stays bounded). */
    public static final int MAX_JOBS = 1_000;

    /** Where the app listens and where its worker is. Port 0: a free port. */
    public record Settings(String host, int port, String workerPull, String workerPub) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(workerPull, "workerPull");
            Objects.requireNonNull(workerPub, "workerPub");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535 but was " + port);
            }
        }
    }

    private final ServiceClient client;
    private final String worker;
    private final Jobs jobs = new Jobs(MAX_JOBS);
    private final Javalin app;

    private HashApp(Settings settings, String passphrase) {
        this.client = ServiceClient.builder().name("javalin-example").build();
        this.worker = registerService(settings.workerPull(), settings.workerPub(), passphrase).name();
        client.onResponse("^/hash$", (request, reply) -> jobs.done(jobId(request), reply.body().json()));
        client.onError((service, request, error) -> jobs.failed(jobId(request), error));
        this.app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson());
        });
        app.get("/hash", this::hash);
        app.get("/hashes", this::hashes);
        app.post("/jobs", this::submitJob);
        app.get("/jobs/{id}", this::job);
        app.exception(ServiceException.class, (e, ctx) -> failed(ctx, e));
        app.exception(IllegalArgumentException.class, (e, ctx) -> ctx.status(400).json(Map.of("error", e.getMessage())));
    }

    /** Starts the app; close it to stop the web server and the client. */
    public static HashApp start(Settings settings, String passphrase) {
        HashApp web = new HashApp(settings, passphrase);
        try {
            web.app.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            web.client.close();
            throw e;
        }
        return web;
    }

    @Override
    public ServiceClient serviceClient() {
        return client;
    }

    /** The port the app listens on. */
    public int port() {
        return app.port();
    }

    /** Sync: the handler's virtual thread waits for the worker's reply. */
    private void hash(Context ctx) {
        Reply reply = sendServiceRequest(worker, hashRequest(text(ctx.queryParam("text")), rounds(ctx)));
        Map<String, Object> out = new LinkedHashMap<>(json(reply));
        out.put("web_thread_virtual", Thread.currentThread().isVirtual());
        ctx.json(out);
    }

    /** Futures: one call per text, all in flight at once; the response is written when the last ends. */
    private void hashes(Context ctx) {
        List<String> texts = ctx.queryParams("text");
        if (texts.isEmpty() || texts.size() > MAX_TEXTS) {
            throw new IllegalArgumentException("text must be given 1.." + MAX_TEXTS + " times but was " + texts.size());
        }
        int rounds = rounds(ctx);
        List<CompletableFuture<Reply>> calls = texts.stream()
                .map(t -> sendServiceRequestAsync(worker, hashRequest(text(t), rounds))).toList();
        ctx.future(() -> CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenAccept(done -> ctx.json(Map.of("hashes", calls.stream().map(c -> json(c.join()).get("sha256")).toList())))
                .exceptionally(e -> {
                    failed(ctx, e instanceof CompletionException ? e.getCause() : e);
                    return null;
                }));
    }

    /** Nowait: 202 at once; the reply reaches the response handler, which files it under the job's id. */
    private void submitJob(Context ctx) {
        String id = UUID.randomUUID().toString();
        Request request = hashRequest(text(ctx.queryParam("text")), rounds(ctx)).withHeader("job", id);
        jobs.pending(id);
        sendServiceRequestNowait(worker, request);
        ctx.status(202).header("Location", "/jobs/" + id).json(Map.of("job", id, "location", "/jobs/" + id));
    }

    private void job(Context ctx) {
        jobs.find(ctx.pathParam("id")).ifPresentOrElse(ctx::json,
                () -> ctx.status(404).json(Map.of("error", "no job " + ctx.pathParam("id"))));
    }

    private Request hashRequest(String text, int rounds) {
        return createServiceRequest("/hash", "request", Map.of("text", text, "rounds", rounds));
    }

    private static String jobId(Request request) {
        return request.headers().getOrDefault("job", "");
    }

    private static String text(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("text is required");
        }
        return text;
    }

    private static int rounds(Context ctx) {
        String value = ctx.queryParam("rounds");
        if (value == null) {
            return 1;
        }
        try {
            int rounds = Integer.parseInt(value);
            if (rounds >= 1 && rounds <= HashHandler.MAX_ROUNDS) {
                return rounds;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("rounds must be an integer 1.." + HashHandler.MAX_ROUNDS + " but was '"
                + value + "'");
    }

    private static Map<String, Object> json(Reply reply) {
        JsonNode body = reply.body().json();
        Map<String, Object> out = new LinkedHashMap<>();
        body.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A failed call as HTTP: the worker's 4xx as it is; no instance, busy or cancelled 503; deadline 504; else 502. */
    static int httpStatus(ServiceException e) {
        int status = e.status();
        if (status == 400 || status == 404) {
            return status;
        }
        if (status == 429 || status == 503 || status == 499) {
            return 503;
        }
        return status == 408 || status == 504 ? 504 : 502;
    }

    private static void failed(Context ctx, Throwable t) {
        if (t instanceof ServiceException e) {
            ctx.status(httpStatus(e)).json(Map.of("error", e.getMessage(), "service_status", e.status()));
        } else {
            ctx.status(500).json(Map.of("error", "internal error"));
        }
    }

    /** Stops the web server, then the client (its pending calls fail with 503). */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            client.close();
        }
    }
}
