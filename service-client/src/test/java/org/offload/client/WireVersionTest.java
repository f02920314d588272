package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Body;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Which protocol version the client speaks to an instance (PROTOCOL.md section 4): version 2 (one frame) to an
 * instance whose pong named it, version 1 to one whose pong did not (an older release, another language's
 * worker), and version 1 for a request whose one frame would exceed the instance's request frame limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireVersionTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void call_instanceWhosePongNamesNoVersions_requestsGoInVersionOneAndAreAnswered() throws Exception {
        try (V1OnlyInstance old = new V1OnlyInstance(fx.raw(SocketType.PULL), fx.raw(SocketType.PUB))) {
            ServiceClient client = fx.client("to-v1");
            client.register("svc", old.pull, old.pub, PASSPHRASE);

            Reply first = client.call("svc", Request.json("/echo", "request", Map.of("a", 1)));
            Reply second = client.call("svc", Request.json("/echo", "request", Map.of("a", 2)));

            assertEquals("{\"a\":1}", first.body().text());
            assertEquals("{\"a\":2}", second.body().text());
            assertTrue(old.requestFrames.size() >= 3, "pings and the two calls: " + old.requestFrames);
            assertEquals(List.of(Wire.REQUEST_FRAMES), old.requestFrames.stream().distinct().toList(),
                    "every message to a version-1 instance is three frames");
        }
    }

    @Test
    void call_instanceThatSpeaksVersionTwo_requestGoesInOneFrame() throws Exception {
        ServiceServer server = fx.echoServer("to-v2");
        Tap tap = fx.tap(server.pullAddress());
        ServiceClient client = fx.client("v2-client");
        client.register("svc", tap.address(), server.pubAddress(), PASSPHRASE);

        CompletableFuture<Reply> call = client.callAsync("svc", Request.json("/echo", "request", Map.of("a", 1)),
                Fixtures.DEADLINE);
        byte[][] sent = tap.next(Duration.ofSeconds(20));
        assertNotNull(sent, "the tap saw the request");
        tap.forward(sent);

        assertEquals(Wire.REQUEST_FRAMES_V2, sent.length);
        assertEquals(Wire.VERSION_2, Wire.version(sent[0]));
        assertEquals("{\"echo\":{\"a\":1}}", call.join().body().text(), "answered (in version 2) as usual");
    }

    /**
     * A body of exactly the instance's {@code maxMessageBytes}: its version-1 body frame fits, a version-2
     * frame (envelope and proof besides) would not and would make ZeroMQ drop the connection.
     */
    @Test
    void call_bodyOfExactlyTheInstancesFrameLimit_sentInVersionOneAndAnswered() {
        int limit = 64 * 1024;
        ServiceServer server = fx.server("at-limit", b -> b.maxMessageBytes(limit).maxQueuedBytes(limit * 4)
                .route("^/size$", "request", call -> Reply.json(Map.of("size", call.body().size()))));
        ServiceClient client = fx.clientFor(server);

        Reply exact = client.call("at-limit", Request.of("/size", "request").withBody(Body.bytes(new byte[limit])));
        Reply small = client.call("at-limit", Request.of("/size", "request").withBody(Body.bytes(new byte[100])));

        assertEquals(limit, exact.body().json().get("size").asInt());
        assertEquals(100, small.body().json().get("size").asInt());
    }

    /**
     * A worker of an older release, in the manner of PROTOCOL.md's appendix: version 1 only, its pong names no
     * versions. Records the frame count of every message it reads; answers pings and echoes bodies.
     */
    private static final class V1OnlyInstance implements AutoCloseable {
        final String pull;
        final String pub;
        final List<Integer> requestFrames = new CopyOnWriteArrayList<>();
        private final ZMQ.Socket in;
        private final ZMQ.Socket out;
        private final Proof proof = new Proof(PASSPHRASE);
        private final Thread thread;
        private volatile boolean stop;

        V1OnlyInstance(ZMQ.Socket in, ZMQ.Socket out) {
            this.in = in;
            this.out = out;
            in.setReceiveTimeOut(10);
            in.bind("tcp://127.0.0.1:*");
            out.bind("tcp://127.0.0.1:*");
            pull = in.getLastEndpoint();
            pub = out.getLastEndpoint();
            thread = new Thread(this::serve, "v1-only");
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
                requestFrames.add(frames.size());
                if (frames.size() != Wire.REQUEST_FRAMES) {
                    continue; // not version 1: an older worker drops it
                }
                Envelope e = Wire.decode(first);
                boolean ping = e.path().equals(Wire.PING_PATH);
                Envelope reply = new Envelope(Wire.REPLY, e.clientId(), e.requestId(), System.currentTimeMillis(), 0,
                        200, ping ? Wire.PONG : "response", e.path(), "OK",
                        ping ? Map.of(Wire.INSTANCE, "00000000000000aa") : Map.of());
                Sealed m = Sealed.seal(proof, reply, Body.wrap(ping ? new byte[0] : frames.get(1), Body.JSON));
                out.send(e.clientId().topic(), ZMQ.SNDMORE);
                m.send(out, 0);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5_000);
        }
    }
}
