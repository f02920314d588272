package org.offload.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.offload.service.Reply;
import org.offload.service.ServiceServer;

/**
 * A worker process for the scale-out and memory rows: one {@link ServiceServer} on ephemeral loopback ports.
 * Prints {@code READY <pull> <pub>}, then answers {@code SAMPLE} on stdin with {@code MEM <live heap bytes>
 * <rss bytes>}, and exits when stdin closes (so it never outlives the benchmark).
 *
 * <pre>
 * cpu ROUNDS           one handler thread; /bench/cpu does ROUNDS of {@link CpuWork}
 * hold CAPACITY        /bench/ping answers; /bench/hold never does (queue holds CAPACITY requests)
 * overload ROUNDS      library defaults; /bench/cpu as above
 * </pre>
 */
public final class BenchWorker {
    static final String CPU = "/bench/cpu";
    static final String PING = "/bench/ping";
    static final String HOLD = "/bench/hold";

    private BenchWorker() {}

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        int n = Integer.parseInt(args[1]);
        CountDownLatch never = new CountDownLatch(1);
        ServiceServer.Builder b = ServiceServer.builder().name("bench-worker-" + mode)
                .bind(OffloadSide.ANY_PORT, OffloadSide.ANY_PORT).passphrase(OffloadSide.PASSPHRASE);
        switch (mode) {
            case "cpu" -> b.workers(1).route("^" + CPU + "$", Payload.METHOD, cpu(n));
            case "overload" -> b.route("^" + CPU + "$", Payload.METHOD, cpu(n));
            case "hold" -> b.workers(1).queueCapacity(n)
                    .route("^" + PING + "$", Payload.METHOD, call -> Reply.json(Map.of("pong", true)))
                    .route("^" + HOLD + "$", Payload.METHOD, call -> {
                        never.await();
                        return Reply.json(Map.of());
                    });
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (ServiceServer server = b.build().start()) {
            out.println("READY " + server.pullAddress() + " " + server.pubAddress());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("SAMPLE")) {
                    System.gc();
                    out.println("MEM " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + " " + rss());
                }
            }
            never.countDown();
        }
        System.exit(0);
    }

    private static org.offload.service.Handler cpu(int rounds) {
        return call -> Reply.json(Map.of("h", CpuWork.run(call.body().toByteArray(), rounds)));
    }

    /** Resident set size from /proc/self/status (bytes), or -1 where there is none. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
