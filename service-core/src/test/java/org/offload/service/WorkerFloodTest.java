package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.internal.ClientId;

/**
 * A worker process with a 512 MB heap against a million distinct junk topics (issue 10: on the old XPUB its
 * I/O thread died of OutOfMemoryError and the process stayed up, deaf). The service cuts each hostile
 * connection off at its bound, so the flood comes over as many connections as it takes.
 */
@Timeout(value = 300, unit = SECONDS)
class WorkerFloodTest {
    private static final long TOPICS = 1_000_000;
    /** Subscriptions written per connection: past the service's bounds, so each connection is cut off. */
    private static final long PER_CONNECTION = 2_000;
    /**
     * Live heap (after a full GC) the flood may leave behind: the old XPUB's tries kept about 1 KB a topic,
     * 1 GB here; bounded, the service keeps at most its queues' worth (a few MB) while a flood runs.
     */
    private static final long MAX_LIVE_HEAP_GROWTH = 32L << 20;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX) // reads the child's RSS from /proc
    void millionTopicFloodOn512MbHeap_workerKeepsServingWithRssBounded() throws Exception {
        Path file = Files.write(dir.resolve("flood.service"), List.of(
                "SERVICE flood tcp://127.0.0.1:1 tcp://127.0.0.1:2",
                "PASSPHRASE env:" + ServiceDefinitionTest.PASSPHRASE_VARIABLE,
                // the flood opens its 500 connections one after another from one address: the per-peer
                // connection bound (a defence of its own, ConnectionLimitsTest) must not be what stops it
                "MAX_CONNECTIONS_PER_PEER 1000",
                "ROUTE ^/echo$",
                "REQUEST " + TestHandlers.ECHO));
        WorkerProcess worker = fx.add(WorkerProcess.start(List.of("-Xmx512m"),
                Map.of(ServiceDefinitionTest.PASSPHRASE_VARIABLE, Fixtures.PASSPHRASE),
                file.toString(), "--bind", Fixtures.ANY_PORT, Fixtures.ANY_PORT));
        String[] addresses = worker.awaitServing();
        RawPeer peer = fx.add(new RawPeer(addresses[0], addresses[1], Fixtures.PASSPHRASE, ClientId.random()));
        assertEcho(peer, 0);
        long rssBefore = worker.residentBytes();
        long heapBefore = worker.liveHeapBytes();

        long connections = 0;
        for (long first = 0; first < TOPICS; first += PER_CONNECTION, connections++) {
            try (Socket s = SubscriptionFlooder.connect(addresses[1])) {
                SubscriptionFlooder.flood(s, first, PER_CONNECTION);
            } catch (IOException cut) {
                // the service closed it first: on with the next connection
            }
        }

        try {
            assertEcho(peer, 1);
        } catch (AssertionError e) {
            throw new AssertionError("after the flood: " + String.join("\n", worker.stderr()), e);
        }
        RawPeer fresh = fx.add(new RawPeer(addresses[0], addresses[1], Fixtures.PASSPHRASE, ClientId.random()));
        assertEcho(fresh, 2);
        long rssAfter = worker.residentBytes();
        long heapAfter = worker.liveHeapBytes();
        assertTrue(worker.process().isAlive());
        assertFalse(String.join("\n", worker.stderr()).contains("OutOfMemoryError"), () -> "" + worker.stderr());
        System.out.printf("WorkerFloodTest: %,d topics over %,d connections; worker live heap %,d -> %,d KiB,"
                + " RSS %,d -> %,d MiB%n", TOPICS, connections, heapBefore >> 10, heapAfter >> 10, rssBefore >> 20,
                rssAfter >> 20);
        assertTrue(heapAfter - heapBefore < MAX_LIVE_HEAP_GROWTH, () -> "live heap grew from " + (heapBefore >> 10)
                + " to " + (heapAfter >> 10) + " KiB");
    }

    private static void assertEcho(RawPeer peer, int n) {
        RawPeer.Received r = peer.call(Fixtures.ECHO, Request.DEFAULT_METHOD, Map.of(), Body.json(Map.of("n", n)));
        assertEquals(Status.OK, r.status());
        assertEquals(n, r.body().json().get("echo").get("n").asInt());
    }
}
