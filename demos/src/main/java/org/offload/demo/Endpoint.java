package org.offload.demo;

import java.util.Objects;

/**
 * Where a worker service listens: its PULL (requests) and PUB (replies) addresses. The front end names
 * each service by its PULL address, as {@link org.offload.client.ServiceClientMixin} does.
 */
record Endpoint(String pull, String pub) {
    Endpoint {
        Objects.requireNonNull(pull, "pull");
        Objects.requireNonNull(pub, "pub");
    }

    /** Both sockets on 127.0.0.1: PULL on {@code port}, PUB on {@code port + 1}. */
    static Endpoint loopback(int port) {
        return new Endpoint(address(port), address(port + 1));
    }

    /** {@code tcp://127.0.0.1:port}. */
    static String address(int port) {
        return "tcp://127.0.0.1:" + port;
    }

    /** The service's name in the client: its PULL address. */
    String service() {
        return pull;
    }
}
