package org.offload.bench;

import java.util.ArrayList;
import java.util.List;
import org.offload.client.ServiceClient;
import org.offload.service.Request;

/**
 * CPU offload scale-out: a CPU-bound handler (a fixed number of SHA-256 rounds per request) in worker
 * processes with one handler thread each, called through one service name with 1, 2, 4, ... instances (up to
 * the machine's cores). One client per instance count, each keeping 4 requests in flight per instance. Two
 * amounts of work: a light one, where Offload's own cost per request (wake-ups of its threads, in the client
 * and in each worker) is a visible part of the CPU; and one ten times heavier, where it is not. The heavy
 * rows run interleaved with the same work done by plain JeroMQ workers (one thread: PULL → work → PUB), the
 * messaging baseline of what this machine allows. CPU per request counts this JVM and the worker processes.
 */
final class ScaleOut implements AutoCloseable {
    static final String SERVICE = "cpu";
    private static final int IN_FLIGHT_PER_WORKER = 4;

    private final List<WorkerProcess> workers;
    private final List<WorkerProcess> rawWorkers;
    private final List<ServiceClient> clients = new ArrayList<>();
    private final List<RawJeromq.Client> rawClients = new ArrayList<>();
    final List<Integer> counts;
    static final String LIGHT = "light";
    static final String HEAVY = "heavy";
    /** The heavy request does this many times the light one's work. */
    static final int HEAVIER = 10;
    final List<Scenario> light = new ArrayList<>();
    final List<Scenario> heavy = new ArrayList<>();

    ScaleOut(BenchOptions o) throws Exception {
        counts = counts(Runtime.getRuntime().availableProcessors());
        int most = counts.get(counts.size() - 1);
        workers = WorkerProcess.startAll(most, List.of("-Xmx256m"), "cpu", 0);
        rawWorkers = WorkerProcess.startAll(most, List.of("-Xmx256m"), "rawcpu", 0);
        byte[] rawRequest = BenchWorker.rawCpuRequest(HEAVIER * o.cpuRounds());
        for (int k : counts) {
            ServiceClient client = ServiceClient.builder().name("bench-scale-" + k).build();
            clients.add(client);
            for (int i = 0; i < k; i++) {
                client.register(SERVICE, workers.get(i).pullAddress, workers.get(i).pubAddress, OffloadSide.PASSPHRASE);
            }
            for (String weight : List.of(LIGHT, HEAVY)) {
                Request request = BenchWorker.cpuRequest(weight.equals(LIGHT) ? o.cpuRounds() : HEAVIER * o.cpuRounds());
                client.call(SERVICE, request, OffloadSide.SETUP_DEADLINE);
                (weight.equals(LIGHT) ? light : heavy).add(new Pipelined("scale." + weight + ".w" + k,
                        IN_FLIGHT_PER_WORKER * k, OffloadSide.callAsync(client, SERVICE, () -> request, reply -> true),
                        WorkerProcess.cpuOf(workers.subList(0, k))));
            }
            List<WorkerProcess> raw = rawWorkers.subList(0, k);
            RawJeromq.Client rawClient = new RawJeromq.Client(null, "cpu-" + k, raw.stream().map(w -> w.pullAddress).toList(),
                    raw.stream().map(w -> w.pubAddress).toList(), () -> rawRequest, reply -> { });
            rawClients.add(rawClient);
            heavy.add(new Pipelined("scale.raw.w" + k, IN_FLIGHT_PER_WORKER * k, rawClient.pipeline(),
                    WorkerProcess.cpuOf(raw)));
        }
    }

    /** The ids of every scale-out scenario on a machine with {@code cores}. */
    static List<String> ids(int cores) {
        List<String> ids = new ArrayList<>();
        for (int k : counts(cores)) {
            for (String kind : List.of(LIGHT, HEAVY, "raw")) {
                ids.add("scale." + kind + ".w" + k);
            }
        }
        return ids;
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
        rawClients.forEach(RawJeromq.Client::close);
        workers.forEach(WorkerProcess::close);
        rawWorkers.forEach(WorkerProcess::close);
    }
}
