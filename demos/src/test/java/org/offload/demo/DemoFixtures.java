package org.offload.demo;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.offload.service.ServiceHandler;
import org.offload.service.ServiceServer;

/** The demo's two workers in-process on ephemeral loopback ports, and a front end for them; closes all. */
final class DemoFixtures implements AutoCloseable {
    static final String PASSPHRASE = "demo-test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";

    private final List<AutoCloseable> resources = new ArrayList<>();

    ServiceServer slowEcho() {
        return keep(ServiceServer.builder().name("slow-echo").bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE)
                .workers(16).route("^/service/", "request", ServiceHandler.of(SlowEcho::new)).build().start());
    }

    ServiceServer cpu() {
        return keep(ServiceServer.builder().name("cpu").bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE)
                .route("^/v1/uptime$", "request", new Uptime())
                .route("^/v[12]/iostat$", "request", new IoStat())
                .route("^/mandelbrot/tile$", "request", new MandelbrotTile())
                .build().start());
    }

    /** A cpu worker that only answers {@code /v1/uptime}. */
    ServiceServer uptimeOnly() {
        return keep(ServiceServer.builder().name("uptime-only").bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE)
                .route("^/v1/uptime$", "request", new Uptime()).build().start());
    }

    static Endpoint endpoint(ServiceServer server) {
        return new Endpoint(server.pullAddress(), server.pubAddress());
    }

    /** A front end on a free port for the given workers. */
    WebFrontEnd frontEnd(Endpoint slowEcho, Endpoint cpu) throws IOException {
        return keep(WebFrontEnd.start(new WebFrontEnd.Settings("127.0.0.1", 0, slowEcho, cpu, OptionalLong.empty()),
                PASSPHRASE));
    }

    static URI base(WebFrontEnd web) {
        return URI.create("http://127.0.0.1:" + web.port() + "/");
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
