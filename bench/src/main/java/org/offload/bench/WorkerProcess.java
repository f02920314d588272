package org.offload.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A {@link BenchWorker} child JVM on the benchmark's own classpath. Closing it closes its stdin (the worker
 * exits), then destroys it if it has not; a shutdown hook does the same for any child still alive.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> stop(p, 0)), "bench-workers-cleanup"));
    }

    /**
     * How long a worker may take to say READY or to answer a SAMPLE: a JVM booting beside three others, or
     * collecting its heap while overloaded, on a machine busy with other builds, takes seconds, not this.
     */
    private static final int ANSWER_TIMEOUT_SECONDS = 60;

    /** Stands for the end of the worker's output in {@link #lines}. */
    private static final String EOF = new String("EOF");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer in;
    final String pullAddress;
    final String pubAddress;

    private WorkerProcess(Process process) throws IOException {
        this.process = process;
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name("bench-worker-output").start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the worker is gone
            } finally {
                lines.add(EOF);
            }
        });
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String[] ready = readLine(ANSWER_TIMEOUT_SECONDS).split(" ");
        if (ready.length != 3 || !ready[0].equals("READY")) {
            throw new IOException("worker did not start: " + String.join(" ", ready));
        }
        this.pullAddress = ready[1];
        this.pubAddress = ready[2];
    }

    /** Starts {@code BenchWorker mode arg} with {@code jvmOptions}; returns once it is listening. */
    /** CPU nanoseconds the worker process has used so far (from /proc). */
    long cpuNanos() {
        return CpuClock.processCpuNanos(process.pid());
    }

    /** The CPU nanoseconds so far of all of {@code workers}. */
    static LongSupplier cpuOf(List<WorkerProcess> workers) {
        return () -> workers.stream().mapToLong(WorkerProcess::cpuNanos).sum();
    }

    static WorkerProcess start(List<String> jvmOptions, String mode, int arg) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error"); // a held call's reply cannot reach a closed client
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchWorker.class.getName());
        command.add(mode);
        command.add(Integer.toString(arg));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        LIVE.add(p);
        try {
            return new WorkerProcess(p);
        } catch (IOException | RuntimeException e) {
            stop(p, 0);
            throw e;
        }
    }

    /** Starts {@code count} workers at once (their JVMs boot in parallel). */
    static List<WorkerProcess> startAll(int count, List<String> jvmOptions, String mode, int arg) throws Exception {
        try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<WorkerProcess>> starting = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                starting.add(starter.submit(() -> start(jvmOptions, mode, arg)));
            }
            List<WorkerProcess> started = new ArrayList<>();
            for (Future<WorkerProcess> f : starting) {
                started.add(f.get());
            }
            return started;
        }
    }

    /** Asks for a memory sample: {live heap bytes after a GC, RSS bytes}. */
    long[] sample() throws IOException {
        return ask("SAMPLE", "MEM", 2);
    }

    /**
     * Asks for the worker's counters: {final replies, 429 replies, requests skipped as expired, CPU handler
     * runs, their nanoseconds, handler threads}.
     */
    long[] stats() throws IOException {
        return ask("STATS", "STATS", 6);
    }

    /** Sends {@code command}; the answer must be {@code answer} and {@code count} numbers. */
    private long[] ask(String command, String answer, int count) throws IOException {
        in.write(command + "\n");
        in.flush();
        String[] f = readLine(ANSWER_TIMEOUT_SECONDS).split(" ");
        if (f.length != count + 1 || !f[0].equals(answer)) {
            throw new IOException("unexpected answer from worker: " + String.join(" ", f));
        }
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = Long.parseLong(f[i + 1]);
        }
        return numbers;
    }

    private String readLine(int timeoutSeconds) throws IOException {
        try {
            String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("no answer from the worker within " + timeoutSeconds + " s");
            }
            if (line == EOF) {
                throw new IOException("worker exited (code " + process.waitFor() + ")");
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the worker", e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // already gone
        }
        stop(process, 5);
    }

    /** Waits up to {@code graceSeconds} for {@code p} to exit, then destroys it (forcibly if need be). */
    private static void stop(Process p, int graceSeconds) {
        try {
            if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(p);
        }
    }
}
