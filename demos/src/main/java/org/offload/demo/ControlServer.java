package org.offload.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The supervisor's control port, for the web front end only: on 127.0.0.1, an ephemeral port, and every
 * request must carry {@value #TOKEN_HEADER} with the random token the supervisor gave the front end (in
 * {@value #TOKEN_VARIABLE}). {@code GET /children} lists the children; {@code POST /children/NAME/ACTION}
 * freezes, thaws, stops or starts a worker ({@link Children#act}).
 */
final class ControlServer implements AutoCloseable {
    /** Header that carries the token. */
    static final String TOKEN_HEADER = "X-Offload-Demo-Token";
    /** Environment variable through which the front end gets the token. */
    static final String TOKEN_VARIABLE = "OFFLOAD_DEMO_CONTROL_TOKEN";
    static final String CHILDREN = "/children";

    private final HttpServer server;
    private final Children children;
    private final byte[] token;

    ControlServer(Children children, String token) throws IOException {
        this.children = children;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(CHILDREN, this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            WebResponse response = respond(exchange);
            response.send(exchange);
        }
    }

    private WebResponse respond(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            return WebResponse.error(403, "missing or wrong " + TOKEN_HEADER);
        }
        String rest = exchange.getRequestURI().getPath().substring(CHILDREN.length());
        String[] parts = rest.split("/");
        String method = exchange.getRequestMethod();
        if ((rest.isEmpty() || rest.equals("/")) && method.equals("GET")) {
            return WebResponse.json(200, Map.of("children", views()));
        }
        if (parts.length == 3 && parts[0].isEmpty() && method.equals("POST")) {
            try {
                return WebResponse.json(200, Map.of("done", children.act(parts[1], parts[2])));
            } catch (IllegalArgumentException e) {
                return WebResponse.error(409, e.getMessage());
            } catch (IOException e) {
                return WebResponse.error(500, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return WebResponse.error(503, "interrupted");
            }
        }
        return WebResponse.error(404, "GET " + CHILDREN + " or POST " + CHILDREN + "/NAME/ACTION");
    }

    private List<Map<String, Object>> views() {
        return children.list().stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("pid", v.pid());
            m.put("state", v.state().name());
            m.put("controllable", v.controllable());
            m.put("bind", bind(v.command()));
            return m;
        }).toList();
    }

    /** The PULL address a worker's command binds ({@code --bind PULL PUB}), or "" for the front end. */
    private static String bind(List<String> command) {
        int at = command.indexOf("--bind");
        return at >= 0 && at + 1 < command.size() ? command.get(at + 1) : "";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
