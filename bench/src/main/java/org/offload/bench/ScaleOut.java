package org.offload.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.offload.client.ServiceClient;
import org.offload.service.Body;
import org.offload.service.Request;

/**
 * CPU offload scale-out: a CPU-bound handler (a fixed number of SHA-256 rounds per request) in worker
 * processes with one handler thread each, called through one service name with 1, 2, 4, ... instances (up to
 * the machine's cores). One client per instance count, each keeping 4 requests in flight per instance.
 */
final class ScaleOut implements AutoCloseable {
    static final String SERVICE = "cpu";
    private static final int IN_FLIGHT_PER_WORKER = 4;

    private final List<WorkerProcess> workers;
    private final List<ServiceClient> clients = new ArrayList<>();
    final List<Integer> counts;
    final List<Scenario> scenarios = new ArrayList<>();

    ScaleOut(BenchOptions o) throws Exception {
        counts = counts(Runtime.getRuntime().availableProcessors());
        int most = counts.get(counts.size() - 1);
        workers = WorkerProcess.startAll(most, List.of("-Xmx256m"), "cpu", o.cpuRounds());
        Request request = new Request(BenchWorker.CPU, Payload.METHOD, Map.of(), Body.wrap(new byte[32], Body.OCTET_STREAM));
        for (int k : counts) {
            ServiceClient client = ServiceClient.builder().name("bench-scale-" + k).build();
            clients.add(client);
            for (int i = 0; i < k; i++) {
                client.register(SERVICE, workers.get(i).pullAddress, workers.get(i).pubAddress, OffloadSide.PASSPHRASE);
            }
            client.call(SERVICE, request, Duration.ofSeconds(10));
            scenarios.add(new Pipelined("scale.w" + k, IN_FLIGHT_PER_WORKER * k,
                    OffloadSide.callAsync(client, SERVICE, () -> request, reply -> true)));
        }
    }

    /** 1 and 2, then doubling while the machine has the cores. */
    static List<Integer> counts(int cores) {
        List<Integer> counts = new ArrayList<>(List.of(1, 2));
        for (int k = 4; k <= cores; k *= 2) {
            counts.add(k);
        }
        return counts;
    }

    @Override
    public void close() {
        clients.forEach(ServiceClient::close);
        workers.forEach(WorkerProcess::close);
    }
}
