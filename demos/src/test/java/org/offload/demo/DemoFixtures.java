package org.offload.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.offload.service.ServiceDefinition;
import org.offload.testing.OffloadKit;
import org.offload.testing.TestService;

/**
 * The demo's two workers in-process on ephemeral loopback ports (started by the test kit, so each has fault
 * injection), and a front end for them; closes all.
 */
final class DemoFixtures implements AutoCloseable {
    /** The demo's definition files, from the module's directory (where Maven runs the tests). */
    static final Path SERVICES = Path.of("services");

    private final OffloadKit kit = new OffloadKit();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** The demo's slow-echo worker, from {@code services/slow-echo.service}. */
    TestService slowEcho() {
        return fromDefinition("slow-echo.service");
    }

    /** The demo's cpu worker, from {@code services/cpu.service}. */
    TestService cpu() {
        return fromDefinition("cpu.service");
    }

    /**
     * A worker from one of the demo's definition files, as {@code ./run demo} starts it (its routes, handlers
     * and settings), but on ephemeral ports and with the kit's passphrase (the tests set no OFFLOAD_PASSPHRASE).
     */
    private TestService fromDefinition(String file) {
        return kit.service(ServiceDefinition.load(SERVICES.resolve(file))).start();
    }

    /** A cpu worker that only answers {@code /v1/uptime}. */
    TestService uptimeOnly() {
        return kit.service("uptime-only").route("^/v1/uptime$", "request", new Uptime()).start();
    }

    /** The passphrase of every worker here. */
    String passphrase() {
        return kit.passphrase();
    }

    static Endpoint endpoint(TestService worker) {
        return new Endpoint(worker.pullAddress(), worker.pubAddress());
    }

    /** A front end on a free port for the given workers. */
    WebFrontEnd frontEnd(Endpoint slowEcho, Endpoint cpu) throws IOException {
        WebFrontEnd web = WebFrontEnd.start(new WebFrontEnd.Settings("127.0.0.1", 0, slowEcho, cpu, OptionalLong.empty()),
                kit.passphrase());
        resources.add(web);
        return web;
    }

    static URI base(WebFrontEnd web) {
        return URI.create("http://127.0.0.1:" + web.port() + "/");
    }

    @Override
    public void close() {
        try {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
            resources.clear();
        } catch (Exception e) {
            throw new IllegalStateException("closing a fixture failed", e);
        } finally {
            kit.close();
        }
    }
}
