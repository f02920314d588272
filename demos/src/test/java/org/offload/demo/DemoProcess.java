package org.offload.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole demo as {@code ./run demo} starts it — the supervisor JVM and its children — on free ports, with
 * the module's classes and runtime classpath ({@code target/runtime-classpath.txt}). Its output is kept in
 * {@code target/browser/demo.log}. Closing it sends SIGTERM to the supervisor, which stops its children.
 */
final class DemoProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("\\[demo\\] ready: open (http://[^/ ]+)/");
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Path LOG = Path.of("target", "browser", "demo.log");

    private final Process process;
    private final URI base;

    private DemoProcess(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    static DemoProcess start() throws Exception {
        String classpath = Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(Path.of("target", "runtime-classpath.txt")).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", classpath, "org.offload.demo.DemoMain",
                "--port", "0", "--worker-ports", "0", "--services", DemoFixtures.SERVICES.toString()))
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> copy(process, ready), "demo-output");
        pump.setDaemon(true);
        pump.start();
        try {
            return new DemoProcess(process, ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("the demo did not get ready (see " + LOG.toAbsolutePath() + ")", e);
        }
    }

    private static void copy(Process process, CompletableFuture<URI> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var log = Files.newBufferedWriter(LOG)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                log.write(line);
                log.newLine();
                log.flush();
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    ready.complete(URI.create(m.group(1) + "/"));
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IllegalStateException("the demo exited before it was ready"));
    }

    URI base() {
        return base;
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
