package org.offload.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.offload.service.Body;
import org.offload.service.Call;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServerStats;
import org.offload.service.ServiceServer;

/**
 * A worker process for the scale-out and memory rows: one {@link ServiceServer} on ephemeral loopback ports.
 * Prints {@code READY <pull> <pub>}, then answers {@code SAMPLE} on stdin with {@code MEM <live heap bytes>
 * <rss bytes>} and {@code STATS} with {@code STATS <replies> <429s> <expired> <cpu handler runs> <their
 * nanoseconds> <workers>} (its {@link ServerStats} and handler time), and exits when stdin closes (so it never outlives the benchmark).
 *
 * <pre>
 * cpu 0                one handler thread; /bench/cpu/N does N rounds of {@link CpuWork}
 * hold CAPACITY        /bench/ping answers; /bench/hold never does (queue holds CAPACITY requests)
 * overload 0           library defaults; /bench/cpu/N as above
 * rawcpu 0             no Offload: plain JeroMQ, one thread PULL → {@link CpuWork} → PUB (see {@link #rawCpuRequest})
 * </pre>
 */
public final class BenchWorker {
    static final String CPU = "/bench/cpu/";
    private static final String CPU_ROUTE = "^" + CPU + "\\d{1,9}$";
    static final String PING = "/bench/ping";
    static final String HOLD = "/bench/hold";
    /** Runs of the CPU handler and the time they took (wall clock, from its start to its return). */
    private static final LongAdder CPU_RUNS = new LongAdder();
    private static final LongAdder CPU_NANOS = new LongAdder();

    private BenchWorker() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int n = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (mode.equals("rawcpu")) {
            try (RawJeromq.Server raw = new RawJeromq.Server("cpu", BenchWorker::rawCpu)) {
                out.println("READY " + raw.pullAddress + " " + raw.pubAddress);
                while (System.in.read() != -1) {
                    // until the benchmark closes stdin
                }
            }
            System.exit(0);
        }
        CountDownLatch never = new CountDownLatch(1);
        ServiceServer.Builder b = ServiceServer.builder().name("bench-worker-" + mode)
                .bind(OffloadSide.ANY_PORT, OffloadSide.ANY_PORT).passphrase(OffloadSide.PASSPHRASE);
        switch (mode) {
            case "cpu" -> b.workers(1).route(CPU_ROUTE, Payload.METHOD, BenchWorker::cpu);
            case "overload" -> b.route(CPU_ROUTE, Payload.METHOD, BenchWorker::cpu);
            case "hold" -> b.workers(1).queueCapacity(n)
                    .route("^" + PING + "$", Payload.METHOD, call -> Reply.json(Map.of("pong", true)))
                    .route("^" + HOLD + "$", Payload.METHOD, call -> {
                        never.await();
                        return Reply.json(Map.of());
                    });
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        try (ServiceServer server = b.build().start()) {
            out.println("READY " + server.pullAddress() + " " + server.pubAddress());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("SAMPLE")) {
                    System.gc();
                    out.println("MEM " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + " " + rss());
                } else if (line.equals("STATS")) {
                    ServerStats st = server.stats();
                    out.println("STATS " + st.replied() + " " + (st.busy() + st.shed()) + " " + st.expired() + " "
                            + CPU_RUNS.sum() + " " + CPU_NANOS.sum() + " " + ServiceServer.DEFAULT_WORKERS);
                }
            }
            never.countDown();
        }
        System.exit(0);
    }

    /** The request for {@code rounds} of {@link CpuWork}. */
    static Request cpuRequest(int rounds) {
        return new Request(CPU + rounds, Payload.METHOD, Map.of(), Body.wrap(new byte[32], Body.OCTET_STREAM));
    }

    private static Reply cpu(Call call) {
        long start = System.nanoTime();
        int rounds = Integer.parseInt(call.path().substring(CPU.length()));
        Reply reply = Reply.json(Map.of("h", CpuWork.run(call.body().toByteArray(), rounds)));
        CPU_NANOS.add(System.nanoTime() - start);
        CPU_RUNS.increment();
        return reply;
    }

    /** The plain-JeroMQ request body for {@code rounds} of {@link CpuWork}. */
    static byte[] rawCpuRequest(int rounds) {
        return ByteBuffer.allocate(32).putInt(0, rounds).array();
    }

    /** Answers this process's id (so pings tell workers apart) and the work's result. */
    private static byte[] rawCpu(byte[] body) {
        String result = CpuWork.run(body, ByteBuffer.wrap(body).getInt(0));
        return (ProcessHandle.current().pid() + ":" + result).getBytes(StandardCharsets.UTF_8);
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
