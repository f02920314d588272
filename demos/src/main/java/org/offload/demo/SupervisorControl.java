package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The front end's side of the supervisor's {@link ControlServer}: list the children, act on a worker. */
final class SupervisorControl {
    /** How long one exchange with the supervisor may take (a stop waits for the child to exit). */
    static final Duration TIMEOUT = DemoMain.STOP_TIMEOUT.multipliedBy(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One child as the supervisor sees it; {@code bind} is a worker's PULL address. */
    record ChildView(String name, long pid, String state, boolean controllable, String bind) {
    }

    /** What the supervisor answered to an action: the HTTP status and its message. */
    record Outcome(int status, String message) {
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    SupervisorControl(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    List<ChildView> children() throws IOException, InterruptedException {
        JsonNode body = send(HttpRequest.newBuilder(base.resolve(ControlServer.CHILDREN)).GET());
        List<ChildView> out = new ArrayList<>();
        for (JsonNode c : body.path("children")) {
            out.add(new ChildView(c.path("name").asText(), c.path("pid").asLong(), c.path("state").asText(),
                    c.path("controllable").asBoolean(), c.path("bind").asText()));
        }
        return out;
    }

    Outcome act(String name, String action) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(ControlServer.CHILDREN + "/" + name + "/" + action))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).header(ControlServer.TOKEN_HEADER, token)
                .build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(answer.body());
        return new Outcome(answer.statusCode(), body.has("done") ? body.path("done").asText() : body.path("error").asText());
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(request.timeout(TIMEOUT).header(ControlServer.TOKEN_HEADER, token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("supervisor answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }
}
