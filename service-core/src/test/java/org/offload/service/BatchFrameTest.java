package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Batch;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Wire;

/**
 * Batch frames against a real service (PROTOCOL.md section 2.2): each entry is answered as if it had come
 * alone, a bad entry does not spoil the others, a malformed container is dropped whole and counted, and a
 * client that never sent a batch never gets one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchFrameTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();

    private ServiceServer server(String name) {
        return fx.start(Fixtures.builder(name).workers(4).route("^/count$", "request", counting));
    }

    /** A version-2 frame of a request from {@code peer} to {@code path}, with the next id. */
    private static byte[] frame(RawPeer peer, String path, int n) {
        return peer.sealV2(peer.request(path, "request", Map.of()), Body.json(Map.of("n", n))).frame();
    }

    private static Map<Long, Received> byId(List<Received> replies) {
        Map<Long, Received> out = new HashMap<>();
        replies.forEach(r -> out.put(r.requestId(), r));
        return out;
    }

    @Test
    void ping_versionOne_pongSaysTheInstanceReadsBatchFrames() {
        RawPeer peer = fx.peer(fx.echoServer("batch-pong"));

        Received pong = peer.call(Wire.PING_PATH, Wire.PING);

        assertEquals(Batch.READS, pong.headers().get(Batch.HEADER));
    }

    @Test
    void request_batchOfTen_eachAnsweredWithItsOwnIdAndBody() {
        ServiceServer server = server("batch-ten");
        RawPeer peer = fx.subscribedPeer(server);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frames.add(frame(peer, "/count", i));
        }

        peer.sendBatch(frames);
        Map<Long, Received> replies = byId(peer.replies(10));

        for (int i = 0; i < 10; i++) {
            Received r = replies.get(Wire.requestId(frames.get(i)));
            assertTrue(r != null && r.authentic(), "an authentic reply to entry " + i);
            assertEquals(Status.OK, r.status());
            assertEquals("{\"echo\":{\"n\":" + i + "}}", r.body().text());
        }
        assertEquals(10, counting.invocations.get());
        assertEquals(11, server.stats().received(), "the handshake and the ten entries");
    }

    @Test
    void request_batchWithOneTamperedEntry_thatOneAnswered401TheOthersServed() {
        ServiceServer server = server("batch-401");
        RawPeer peer = fx.subscribedPeer(server);
        byte[] bad = frame(peer, "/count", 1);
        bad[bad.length - 1] ^= 1; // the entry's own proof no longer verifies
        List<byte[]> frames = List.of(frame(peer, "/count", 0), bad, frame(peer, "/count", 2));

        peer.sendBatch(frames);
        Map<Long, Received> replies = byId(peer.replies(3));

        assertEquals(Status.UNAUTHORIZED, replies.get(Wire.requestId(bad)).status());
        assertEquals(Status.OK, replies.get(Wire.requestId(frames.get(0))).status());
        assertEquals(Status.OK, replies.get(Wire.requestId(frames.get(2))).status());
        assertEquals(1, server.stats().unauthorized());
        assertEquals(2, counting.invocations.get());
    }

    @Test
    void request_entriesWithFallingIds_laterOneDroppedAsReplay() {
        ServiceServer server = server("batch-replay");
        RawPeer peer = fx.subscribedPeer(server);
        byte[] first = frame(peer, "/count", 1);
        byte[] second = frame(peer, "/count", 2);

        peer.sendBatch(List.of(second, first)); // ids must grow within a batch as across messages
        Received r = peer.replies(1).get(0);

        assertEquals(Wire.requestId(second), r.requestId());
        Fixtures.await().until(() -> server.stats().replayed() == 1);
        assertEquals(1, counting.invocations.get());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flags", "count zero", "count too high", "trailing byte", "short entry",
                            "entry of another client", "nested batch"})
    void request_malformedBatch_droppedWholeCountedAndServiceStillServes(String defect) {
        ServiceServer server = server("batch-bad");
        RawPeer peer = fx.subscribedPeer(server);
        List<byte[]> frames = new ArrayList<>(List.of(frame(peer, "/count", 1), frame(peer, "/count", 2)));
        if (defect.equals("entry of another client")) {
            Envelope e = new Envelope(Wire.REQUEST, ClientId.random(), 99, System.currentTimeMillis(), 5_000, 0,
                    "request", "/count", "", Map.of());
            frames.set(1, peer.sealV2(e, Body.json(Map.of("n", 3))).frame());
        } else if (defect.equals("nested batch")) {
            frames.set(1, Batch.encode(List.of(frame(peer, "/count", 3), frame(peer, "/count", 4))));
        }
        byte[] batch = Batch.encode(frames);
        switch (defect) {
            case "flags" -> batch[5] = 1; // the flags byte
            case "count zero" -> batch = zeroCount(batch);
            case "count too high" -> batch[Wire.STABLE_PREFIX_BYTES + 1] = 3;
            case "trailing byte" -> batch = java.util.Arrays.copyOf(batch, batch.length + 1);
            case "short entry" -> java.nio.ByteBuffer.wrap(batch).putInt(Batch.HEADER_BYTES, 10);
            default -> { }
        }

        peer.sendFrames(batch);
        Received after = peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("still", "here")));

        assertEquals(Status.OK, after.status());
        assertEquals(1, server.stats().malformed());
        assertEquals(0, counting.invocations.get(), "no entry of a malformed batch ran");
    }

    private static byte[] zeroCount(byte[] batch) {
        byte[] out = java.util.Arrays.copyOf(batch, Batch.HEADER_BYTES);
        out[Wire.STABLE_PREFIX_BYTES] = 0;
        out[Wire.STABLE_PREFIX_BYTES + 1] = 0;
        return out;
    }

    @Test
    void reply_toRequestsThatCameAlone_neverInABatchFrame() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("batch-never").workers(8).route("^/gate$", "request", gate));
        RawPeer peer = fx.subscribedPeer(server);
        for (int i = 0; i < 40; i++) {
            peer.sendV2("/gate", "request", Map.of(), Body.empty());
        }
        Fixtures.await().until(() -> server.stats().inFlight() == 40);

        gate.open(); // eight workers publish at once: replies pile up behind the publisher's lock
        List<Received> replies = peer.replies(40);

        assertEquals(0, peer.batchFramesReceived, "a client that sent no batch frame gets none");
        assertEquals(40, replies.size());
        assertFalse(replies.stream().anyMatch(r -> r.status() != Status.OK));
    }
}
