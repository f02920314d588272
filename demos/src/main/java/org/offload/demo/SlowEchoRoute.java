package org.offload.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * {@code GET /service/sync} and {@code GET /service/async} ({@code ?delay_ms=N&message=text}): calls the
 * slow-echo worker. Sync waits for its answer and shows it; async returns 202 at once and the answer
 * reaches the client's response handler (shown on {@code /}).
 */
final class SlowEchoRoute extends ServiceRoute {
    static final String SYNC_PATH = "/service/sync";
    static final String ASYNC_PATH = "/service/async";
    /** Time a sync call may take beyond the delay it asks for. */
    static final Duration SYNC_MARGIN = Duration.ofSeconds(5);

    private final Endpoint slowEcho;
    private final boolean nowait;

    private SlowEchoRoute(ServiceClient client, Endpoint slowEcho, String path, boolean nowait) {
        super(client, path, "GET");
        this.slowEcho = slowEcho;
        this.nowait = nowait;
    }

    static SlowEchoRoute sync(ServiceClient client, Endpoint slowEcho) {
        return new SlowEchoRoute(client, slowEcho, SYNC_PATH, false);
    }

    static SlowEchoRoute async(ServiceClient client, Endpoint slowEcho) {
        return new SlowEchoRoute(client, slowEcho, ASYNC_PATH, true);
    }

    @Override
    WebResponse serve(WebRequest web) {
        Duration delay = SlowEcho.delay(web.param("delay_ms").orElse(null));
        String message = SlowEcho.message(web.param("message").orElse(context() + " says hello"));
        Request request = createServiceRequest(context(), Request.DEFAULT_METHOD,
                Map.of("delay_ms", delay.toMillis(), "message", message));
        if (nowait) {
            sendServiceRequestNowait(slowEcho.service(), request);
            return WebResponse.json(202, Map.of("accepted", true, "message", message, "delay_ms", delay.toMillis(),
                    "reply_shows_on", "/"));
        }
        long started = System.nanoTime();
        Reply reply = sendServiceRequest(slowEcho.service(), request, delay.plus(SYNC_MARGIN));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", reply.status());
        out.put("status_message", reply.message());
        out.put("elapsed_ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
        out.put("reply", reply.body().json());
        return WebResponse.json(200, out);
    }
}
