package org.offload.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.offload.service.ServiceDefinition;
import org.offload.service.ServiceServer;

/** The demo's two workers in-process on ephemeral loopback ports, and a front end for them; closes all. */
final class DemoFixtures implements AutoCloseable {
    static final String PASSPHRASE = "demo-test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";

    /** The demo's definition files, from the module's directory (where Maven runs the tests). */
    static final Path SERVICES = Path.of("services");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path passphraseFile;

    /** The demo's slow-echo worker, from {@code services/slow-echo.service}. */
    ServiceServer slowEcho() throws IOException {
        return fromDefinition("slow-echo.service");
    }

    /** The demo's cpu worker, from {@code services/cpu.service}. */
    ServiceServer cpu() throws IOException {
        return fromDefinition("cpu.service");
    }

    /**
     * A worker from one of the demo's definition files, as {@code ./run demo} starts it, but on ephemeral
     * ports and with the passphrase from a file (the tests do not set OFFLOAD_PASSPHRASE).
     */
    private ServiceServer fromDefinition(String file) throws IOException {
        if (passphraseFile == null) {
            passphraseFile = Files.createTempFile("demo-passphrase", "");
            Files.writeString(passphraseFile, PASSPHRASE);
        }
        List<String> lines = Files.readAllLines(SERVICES.resolve(file)).stream()
                .map(line -> line.startsWith("PASSPHRASE ") ? "PASSPHRASE file:" + passphraseFile.toAbsolutePath() : line)
                .toList();
        return keep(ServiceDefinition.parse(file, lines).withAddresses(ANY_PORT, ANY_PORT).start());
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
    public void close() {
        try {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
            resources.clear();
            if (passphraseFile != null) {
                Files.deleteIfExists(passphraseFile);
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing a fixture failed", e);
        }
    }
}
