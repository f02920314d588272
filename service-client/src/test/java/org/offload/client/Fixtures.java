package org.offload.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.offload.service.Reply;
import org.offload.service.ServiceServer;

/**
 * Shared test fixtures: services on ephemeral loopback ports and clients, all closed by {@link #close()}.
 * Use one per test (try-with-resources or a field closed in {@code @AfterEach}).
 */
final class Fixtures implements AutoCloseable {
    static final String PASSPHRASE = "test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** A started echo service: {@code ^/echo$ request} answers {"echo": <request body>}. */
    ServiceServer echoServer(String name) {
        return server(name, b -> b);
    }

    /** A started service with the echo route plus whatever {@code custom} adds. */
    ServiceServer server(String name, UnaryOperator<ServiceServer.Builder> custom) {
        return server(name, ANY_PORT, ANY_PORT, custom);
    }

    /** A started service on the given addresses (e.g. to restart on the same ports). */
    ServiceServer server(String name, String pull, String pub, UnaryOperator<ServiceServer.Builder> custom) {
        ServiceServer.Builder b = ServiceServer.builder().name(name).bind(pull, pub).passphrase(PASSPHRASE)
                .route("^/echo$", "request", call -> Reply.json(Map.of("echo", call.json())));
        ServiceServer server = custom.apply(b).build().start();
        resources.add(server);
        return server;
    }

    /** A client with test-friendly defaults. */
    ServiceClient client(String name) {
        return client(ServiceClient.builder().name(name).deadline(DEADLINE));
    }

    ServiceClient client(ServiceClient.Builder builder) {
        ServiceClient client = builder.build();
        resources.add(client);
        return client;
    }

    /** A client with {@code server} registered under the server's name. */
    ServiceClient clientFor(ServiceServer server) {
        ServiceClient client = client("client-of-" + server.name());
        client.register(server.name(), server.pullAddress(), server.pubAddress(), PASSPHRASE);
        return client;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a fixture failed", e);
            }
        }
        resources.clear();
    }
}
