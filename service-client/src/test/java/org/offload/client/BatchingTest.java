package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Body;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client's batch frames (PROTOCOL.md section 2.2): requests the sender thread finds together leave in one
 * frame to an instance that reads them, and only to such an instance; a batch the PUSH refuses un-sends its
 * calls so that they are sent again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BatchingTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void callAsync_callsWaitingForTheInstance_leaveInOneBatchFrameAndAllComplete() throws Exception {
        ServiceServer server = fx.echoServer("batch-client");
        Tap tap = fx.tap(server.pullAddress());
        tap.cut(true); // no pong yet: the calls wait for the instance, then leave in one pass
        ServiceClient client = fx.client("batching-client");
        client.register("svc", tap.address(), server.pubAddress(), Fixtures.PASSPHRASE);
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(client.callAsync("svc", Request.json("/echo", "request", Map.of("n", i)), LONG));
        }

        tap.cut(false);
        byte[][] sent = tap.next(LONG);
        assertNotNull(sent, "the tap saw the requests");
        tap.forward(sent);

        assertEquals(1, sent.length, "one frame");
        assertTrue(Batch.is(sent[0]), "a batch frame");
        List<byte[]> entries = Batch.split(sent[0]);
        assertNotNull(entries, "well-formed");
        assertEquals(40, entries.size(), "every waiting call in it");
        for (int i = 0; i < 40; i++) {
            assertEquals("{\"echo\":{\"n\":" + i + "}}", calls.get(i).get(LONG.toSeconds(), TimeUnit.SECONDS)
                    .body().text(), "call " + i);
        }
        assertNull(tap.next(Duration.ZERO), "nothing sent twice");
    }

    @Test
    void callAsync_manyInFlight_allCompleteThroughBatchedRequestsAndReplies() {
        ServiceServer server = fx.server("batch-load", b -> b.workers(4));
        ServiceClient client = fx.clientFor(server);
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        int n = ServiceServer.DEFAULT_QUEUE_CAPACITY - 100; // all may queue: none is refused 429
        for (int i = 0; i < n; i++) {
            calls.add(client.callAsync(server.name(), Request.json("/echo", "request", Map.of("n", i)), LONG));
        }

        for (int i = 0; i < calls.size(); i++) {
            assertEquals("{\"echo\":{\"n\":" + i + "}}", calls.get(i).join().body().text(), "call " + i);
        }
        assertEquals(n, server.stats().replied(), "every call answered once");
        assertEquals(0, client.stats().malformedReplies(), "every batch frame the client read was well-formed");
    }

    /**
     * An instance that answers every message of requests with one batch frame of replies: the client reads
     * each entry as a reply of its own, and drops a malformed batch frame whole (counted) without ending a call.
     */
    @Test
    void callAsync_repliesInOneBatchFrame_eachCallCompletesAndAMalformedOneIsDropped() throws Exception {
        try (BatchingInstance fake = new BatchingInstance(fx.raw(SocketType.PULL), fx.raw(SocketType.PUB))) {
            ServiceClient client = fx.client("reads-batches");
            client.register("fake", fake.pull, fake.pub, Fixtures.PASSPHRASE);
            List<CompletableFuture<Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                calls.add(client.callAsync("fake", Request.json("/echo", "request", Map.of("n", i)), LONG));
            }
            fake.malformFirstBatch = true;

            fake.answerPings = true;

            for (int i = 0; i < 30; i++) {
                assertEquals("{\"n\":" + i + "}", calls.get(i).get(LONG.toSeconds(), TimeUnit.SECONDS).body().text(),
                        "call " + i);
            }
            assertTrue(fake.batchesSent.get() >= 2, "the malformed batch frame, then a good one");
            assertEquals(1, client.stats().malformedReplies(), "the malformed batch frame, counted once");
        }
    }

    /**
     * A fake instance of protocol version 2 that reads batch frames and answers all the requests of one message
     * in one batch frame; the first such answer, if asked, with a byte too many (and then again, well-formed).
     */
    private static final class BatchingInstance implements AutoCloseable {
        final String pull;
        final String pub;
        final java.util.concurrent.atomic.AtomicInteger batchesSent = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean answerPings;
        volatile boolean malformFirstBatch;
        private final ZMQ.Socket in;
        private final ZMQ.Socket out;
        private final Proof proof = new Proof(Fixtures.PASSPHRASE);
        private final Thread thread;
        private volatile boolean stop;

        BatchingInstance(ZMQ.Socket in, ZMQ.Socket out) {
            this.in = in;
            this.out = out;
            in.setReceiveTimeOut(10);
            in.bind("tcp://127.0.0.1:*");
            out.bind("tcp://127.0.0.1:*");
            pull = in.getLastEndpoint();
            pub = out.getLastEndpoint();
            thread = new Thread(this::serve, "batching-instance");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (!stop) {
                byte[] first = in.recv(0);
                if (first == null) {
                    continue;
                }
                List<byte[]> frames = new ArrayList<>(List.of(first));
                while (in.hasReceiveMore()) {
                    frames.add(in.recv(0));
                }
                if (frames.size() == Wire.REQUEST_FRAMES) { // a ping, always version 1
                    Envelope e = Wire.decode(first);
                    if (answerPings) {
                        Envelope pong = new Envelope(Wire.REPLY, e.clientId(), e.requestId(), System.currentTimeMillis(),
                                0, 200, Wire.PONG, e.path(), "OK", Map.of(Wire.INSTANCE, "00000000000000bb",
                                Wire.PROTOCOLS, "1,2", Batch.HEADER, Batch.READS));
                        out.send(e.clientId().topic(), ZMQ.SNDMORE);
                        Sealed.seal(proof, pong, Body.empty()).send(out, 0);
                    }
                    continue;
                }
                List<byte[]> requests = Batch.is(first) ? Batch.split(first) : List.of(first);
                List<byte[]> replies = new ArrayList<>();
                org.offload.service.internal.ClientId client = null;
                for (byte[] r : requests) {
                    Envelope e = Wire.decodeFrame(r);
                    client = e.clientId();
                    Envelope reply = new Envelope(Wire.REPLY, e.clientId(), e.requestId(), System.currentTimeMillis(),
                            0, 200, "response", e.path(), "OK", Map.of(), Wire.VERSION_2);
                    replies.add(Sealed.seal(proof, reply, Body.wrap(
                            org.offload.service.internal.Inbound.ofFrame(r).body(), Body.JSON)).frame());
                }
                byte[] answer = replies.size() == 1 ? replies.get(0) : Batch.encode(replies);
                if (replies.size() > 1 && malformFirstBatch) {
                    malformFirstBatch = false;
                    out.send(client.topic(), ZMQ.SNDMORE);
                    out.send(java.util.Arrays.copyOf(answer, answer.length + 1), 0);
                    batchesSent.incrementAndGet();
                }
                out.send(client.topic(), ZMQ.SNDMORE);
                out.send(answer, 0);
                batchesSent.addAndGet(replies.size() > 1 ? 1 : 0);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5_000);
        }
    }

    /** Pings take ids from the same counter as calls: one sent ahead of a batch sealed before it is a replay. */
    @Test
    void callAsync_pingsWhileCallsStream_noRequestDroppedAsReplay() {
        ServiceServer server = fx.server("batch-pings", b -> b.workers(2));
        ServiceClient client = fx.client(ServiceClient.builder().name("pinging-client").deadline(LONG)
                .liveness(Duration.ofMillis(1), LONG));
        client.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);
        for (int round = 0; round < 20; round++) {
            List<CompletableFuture<Reply>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                calls.add(client.callAsync(server.name(), Request.json("/echo", "request", Map.of("n", i)), LONG));
            }
            calls.forEach(CompletableFuture::join);
        }

        assertEquals(0, server.stats().replayed(), "requests the instance saw with an id below one it had seen");
        assertEquals(10_000, server.stats().replied());
    }

    @Test
    void learn_pongWithoutBatchHeader_instanceGetsNoBatchFrames() {
        Instance i = new Instance("tcp://127.0.0.1:1", "tcp://127.0.0.1:2", null);

        WireVersions.learn(i, Map.of(Wire.PROTOCOLS, "1,2"));
        assertFalse(i.readsBatches, "an instance of before batch frames");
        WireVersions.learn(i, Map.of(Wire.PROTOCOLS, "1", Batch.HEADER, Batch.READS));
        assertFalse(i.readsBatches, "batch frames are version 2: not for a version-1 instance");
        WireVersions.learn(i, Map.of(Wire.PROTOCOLS, "1,2", Batch.HEADER, "2"));
        assertFalse(i.readsBatches, "a batch frame of another version");
        WireVersions.learn(i, Map.of(Wire.PROTOCOLS, "1,2", Batch.HEADER, Batch.READS));
        assertTrue(i.readsBatches);
    }

    @Test
    void callAsync_waitingCallsOfMixedSizes_batchesStayWithinBoundsAndLargeOnesTravelAlone() throws Exception {
        ServiceServer server = fx.server("batch-bounds", b -> b.route("^/raw$", "request", call -> Reply.ok(call.body())));
        Tap tap = fx.tap(server.pullAddress());
        tap.cut(true);
        ServiceClient client = fx.client("batch-bounds-client");
        client.register("svc", tap.address(), server.pubAddress(), Fixtures.PASSPHRASE);
        int small = 3 * 1024; // batchable; 40 of them are more than one batch frame holds in bytes
        int large = Batch.MAX_ENTRY_BYTES + 1;
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 44; i++) {
            int size = i % 11 == 10 ? large : small;
            sizes.add(size);
            calls.add(client.callAsync("svc", new Request("/raw", "request", Map.of(),
                    Body.wrap(new byte[size], Body.OCTET_STREAM)), LONG));
        }

        tap.cut(false);
        int entries = 0;
        int batchFrames = 0;
        while (entries < calls.size()) {
            byte[][] sent = tap.next(LONG);
            assertNotNull(sent, "the tap saw " + entries + " of " + calls.size() + " requests");
            tap.forward(sent);
            assertEquals(1, sent.length, "version 2: one frame a message");
            if (Batch.is(sent[0])) {
                batchFrames++;
                assertTrue(sent[0].length <= Batch.MAX_BYTES, "a batch frame of " + sent[0].length + " bytes");
                List<byte[]> in = Batch.split(sent[0]);
                assertNotNull(in, "well-formed");
                for (byte[] e : in) {
                    assertTrue(e.length <= Batch.MAX_ENTRY_BYTES, "an entry of " + e.length + " bytes");
                }
                entries += in.size();
            } else {
                entries++;
            }
        }
        assertTrue(batchFrames >= 2, "the small calls filled more than one batch frame: " + batchFrames);
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(sizes.get(i), calls.get(i).get(LONG.toSeconds(), TimeUnit.SECONDS).body().toByteArray().length,
                    "call " + i);
        }
        assertNull(tap.next(Duration.ZERO), "nothing sent twice");
    }

    @Test
    void endPass_pushThatTakesNothing_callsUnsentAndOutOfTheMap() {
        try (ZMQ.Context ctx = ZMQ.context(1); ZMQ.Socket push = ctx.socket(SocketType.PUSH)) {
            push.setLinger(0); // connected to nothing: a DONTWAIT send is refused
            Instance to = instance(push);
            Map<Long, Pending> pending = new ConcurrentHashMap<>();
            List<Pending> sent = new ArrayList<>();
            RequestBatches batches = new RequestBatches(pending, sent::add);
            List<Pending> calls = addCalls(batches, to, pending, 3);

            List<Pending> back = batches.endPass();

            assertEquals(calls, back, "all three come back, oldest first");
            assertTrue(sent.isEmpty());
            assertTrue(pending.isEmpty(), "no longer pending: they are sent again under new ids");
            assertEquals(0, to.inFlight.get());
            back.forEach(p -> assertNull(p.instance));
            assertTrue(batches.endPass().isEmpty(), "handed back once");
        }
    }

    @Test
    void endPass_pushThatTakesIt_oneBatchFrameAndEveryCallSent() {
        try (ZMQ.Context ctx = ZMQ.context(1); ZMQ.Socket pull = ctx.socket(SocketType.PULL);
             ZMQ.Socket push = ctx.socket(SocketType.PUSH)) {
            pull.bind("inproc://batches-taken");
            push.connect("inproc://batches-taken");
            Instance to = instance(push);
            Map<Long, Pending> pending = new ConcurrentHashMap<>();
            List<Pending> sent = new ArrayList<>();
            RequestBatches batches = new RequestBatches(pending, sent::add);
            List<Pending> calls = addCalls(batches, to, pending, 3);

            assertTrue(batches.endPass().isEmpty());

            assertEquals(calls, sent);
            assertEquals(3, pending.size(), "still pending: their replies are due");
            byte[] frame = pull.recv(0);
            assertFalse(pull.hasReceiveMore());
            assertEquals(3, Batch.split(frame).size());
            calls.forEach(p -> assertSame(to, p.instance));
        }
    }

    @Test
    void add_moreThanMaxEntries_fullBatchLeavesFirst() {
        try (ZMQ.Context ctx = ZMQ.context(1); ZMQ.Socket pull = ctx.socket(SocketType.PULL);
             ZMQ.Socket push = ctx.socket(SocketType.PUSH)) {
            pull.bind("inproc://batches-full");
            push.connect("inproc://batches-full");
            Instance to = instance(push);
            Map<Long, Pending> pending = new ConcurrentHashMap<>();
            RequestBatches batches = new RequestBatches(pending, p -> { });
            addCalls(batches, to, pending, Batch.MAX_ENTRIES + 1);
            batches.endPass();

            assertEquals(Batch.MAX_ENTRIES, Batch.split(pull.recv(0)).size());
            byte[] last = pull.recv(0);
            assertFalse(Batch.is(last), "the one left over goes alone");
            assertEquals(Batch.MAX_ENTRIES + 1L, Wire.requestId(last), "and last: ids grow on the wire");
        }
    }

    private static Instance instance(ZMQ.Socket push) {
        Instance to = new Instance("inproc://x", "inproc://y", push);
        to.readsBatches = true;
        to.wireVersion = Wire.VERSION_2;
        to.maxRequestBytes = 1 << 20;
        return to;
    }

    /** {@code n} calls sealed for {@code to} and added to its batch, as the sender thread does. */
    private static List<Pending> addCalls(RequestBatches batches, Instance to, Map<Long, Pending> pending, int n) {
        Proof proof = new Proof(Fixtures.PASSPHRASE);
        org.offload.service.internal.ClientId client = org.offload.service.internal.ClientId.random();
        List<Pending> calls = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            Request r = Request.json("/echo", "request", Map.of("n", id));
            Pending p = new Pending(null, r, CallMode.ASYNC, 60_000, id, new CompletableFuture<>(), null, null);
            Sealed m = Sealed.seal(proof, new Envelope(Wire.REQUEST, client, id, System.currentTimeMillis(), 60_000, 0,
                    r.method(), r.path(), "", Map.of(), Wire.VERSION_2), Body.json(Map.of("n", id)));
            assertTrue(RequestBatch.batchable(to, m));
            p.requestId = id;
            p.instance = to;
            to.inFlight.incrementAndGet();
            pending.put((long) id, p);
            batches.add(to, p, m);
            calls.add(p);
        }
        return calls;
    }
}
