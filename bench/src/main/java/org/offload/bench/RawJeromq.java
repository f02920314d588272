package org.offload.bench;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The baseline: the plainest JeroMQ code for Offload's pattern, with nothing Offload adds (no envelope, proof,
 * routing, worker pool, deadlines or thread hand-offs). A request is {@code [client topic + request id, body]}
 * on PUSH to PULL; the reply is the same header and the answer on PUB to SUB, where the topic routes it back.
 * One server thread blocks in {@code recv} on PULL, does the payload's work and publishes; the sync client is
 * one thread owning PUSH and SUB; the pipelined client has a sender thread and a receiver thread, both
 * blocking. Socket limits match Offload's defaults. Each side has its own context (one I/O thread), as in
 * Offload. With CURVE, the server's PULL, PUB and sink are CURVE servers of one key pair and the client's
 * sockets CURVE clients of another, ZeroMQ's own CURVE (as Offload's {@code Encryption.CURVE}) and nothing else.
 */
final class RawJeromq {
    static final int HEADER_BYTES = 16 + 8;
    private static final int RECEIVE_TIMEOUT_MS = 20;
    private static final long REPLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final String ANY_PORT = "tcp://127.0.0.1:*";
    /** The request id of the pings that wait out the slow joiner; requests count from 1. */
    private static final long PING_ID = 0;
    /**
     * How long a client pings until every server answered: as long as Offload's setup calls wait
     * ({@link OffloadSide#SETUP_DEADLINE}); 10 s were too short for two freshly started worker JVMs on a
     * machine whose load average was above 15.
     */
    private static final Duration SUBSCRIBE_TIMEOUT = OffloadSide.SETUP_DEADLINE;

    private RawJeromq() {}

    private static ZMQ.Socket socket(ZMQ.Context context, SocketType type) {
        ZMQ.Socket s = context.socket(type);
        s.setLinger(0);
        s.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        return s;
    }

    /** Makes {@code s} a CURVE client of the server whose public key is {@code serverPublic}. */
    private static void curveClient(ZMQ.Socket s, byte[] serverPublic, ZMQ.Curve.KeyPair own) {
        s.setCurveServerKey(serverPublic);
        s.setCurvePublicKey(ZMQ.Curve.z85Decode(own.publicKey));
        s.setCurveSecretKey(ZMQ.Curve.z85Decode(own.secretKey));
    }

    /** A server: {@code work} applied to each request body on PULL → PUB, plus a one-way sink. */
    static final class Server implements AutoCloseable {
        private final ZMQ.Context context = ZMQ.context(1);
        private final ZMQ.Socket pull = socket(context, SocketType.PULL);
        private final ZMQ.Socket pub = socket(context, SocketType.PUB);
        private final ZMQ.Socket sink = socket(context, SocketType.PULL);
        private final UnaryOperator<byte[]> work;
        /** Where the sink reports each one-way message it took in: the running one-way round's. */
        volatile Pipelined.Outcome sinkOutcome = ok -> { };
        private final Thread serving;
        private final Thread sinking;
        private volatile boolean stop;
        final String pullAddress;
        final String pubAddress;
        final String sinkAddress;
        /** The CURVE public key its clients must know, or null in plaintext. */
        final byte[] curvePublic;

        /** Echo, or JSON decode and encode, for {@code payload}; with CURVE on every socket or not. */
        Server(Payload payload, boolean curve) {
            this(payload.label, payload::serve, curve);
        }

        Server(String name, UnaryOperator<byte[]> work) {
            this(name, work, false);
        }

        private Server(String name, UnaryOperator<byte[]> work, boolean curve) {
            this.work = work;
            if (curve) {
                ZMQ.Curve.KeyPair keys = ZMQ.Curve.generateKeyPair();
                curvePublic = ZMQ.Curve.z85Decode(keys.publicKey);
                for (ZMQ.Socket s : List.of(pull, pub, sink)) {
                    s.setCurveServer(true);
                    s.setCurveSecretKey(ZMQ.Curve.z85Decode(keys.secretKey));
                }
            } else {
                curvePublic = null;
            }
            pull.setRcvHWM(10_000);
            pub.setSndHWM(131_072);
            sink.setRcvHWM(10_000);
            pull.bind(ANY_PORT);
            pub.bind(ANY_PORT);
            sink.bind(ANY_PORT);
            pullAddress = pull.getLastEndpoint();
            pubAddress = pub.getLastEndpoint();
            sinkAddress = sink.getLastEndpoint();
            serving = Thread.ofPlatform().name("raw-server-" + name).daemon().start(this::serve);
            sinking = Thread.ofPlatform().name("raw-sink-" + name).daemon().start(this::sink);
        }

        private void serve() {
            while (!stop) {
                byte[] header = pull.recv(0);
                if (header == null) {
                    continue;
                }
                byte[] body = pull.recv(0);
                pub.send(header, ZMQ.SNDMORE); // the header starts with the client's topic
                pub.send(work.apply(body), 0);
            }
        }

        private void sink() {
            while (!stop) {
                byte[] frame = sink.recv(0);
                if (frame != null && !sink.hasReceiveMore()) {
                    sinkOutcome.done(true);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            serving.join();
            sinking.join();
            pull.close();
            pub.close();
            sink.close();
            context.term();
        }
    }

    /**
     * A client of one or more servers (PUSH deals requests round robin, SUB hears every PUB): sync round
     * trips, a pipelined pipeline, and one-way sends to the first server's sink.
     */
    static final class Client implements AutoCloseable {
        private final ZMQ.Context context = ZMQ.context(1);
        private final ZMQ.Socket push = socket(context, SocketType.PUSH);
        private final ZMQ.Socket sub = socket(context, SocketType.SUB);
        private final ZMQ.Socket oneWay = socket(context, SocketType.PUSH);
        private final byte[] topic = new byte[16];
        private final Server server;
        private final String name;
        private final Supplier<byte[]> request;
        private final Consumer<byte[]> accept;
        private long nextId = 1;

        /** A client of {@code server} sending {@code payload}. */
        Client(Server server, Payload payload) throws InterruptedException {
            this(server, payload.label, List.of(server.pullAddress), List.of(server.pubAddress), payload::request,
                    payload::accept);
        }

        /** A client of the servers at these addresses; {@code accept} throws for a wrong reply. */
        Client(Server sinkOwner, String name, List<String> pulls, List<String> pubs, Supplier<byte[]> request,
               Consumer<byte[]> accept) throws InterruptedException {
            this.server = sinkOwner;
            this.name = name;
            this.request = request;
            this.accept = accept;
            new SecureRandom().nextBytes(topic);
            if (sinkOwner != null && sinkOwner.curvePublic != null) {
                ZMQ.Curve.KeyPair own = ZMQ.Curve.generateKeyPair();
                for (ZMQ.Socket s : List.of(push, sub, oneWay)) {
                    curveClient(s, sinkOwner.curvePublic, own);
                }
            }
            push.setSndHWM(10_000);
            oneWay.setSndHWM(10_000);
            sub.setRcvHWM(100_000);
            sub.subscribe(topic);
            pubs.forEach(sub::connect);
            pulls.forEach(push::connect);
            if (sinkOwner != null) {
                oneWay.connect(sinkOwner.sinkAddress);
            }
            awaitSubscriptions(pulls.size());
        }

        /**
         * PUB drops what it publishes before the subscription arrives: ping until as many different replies as
         * servers came back (PUSH deals the pings round robin; servers answer pings differently, or there is
         * one), then drop the answers to the surplus pings.
         */
        private void awaitSubscriptions(int servers) throws InterruptedException {
            Set<Integer> answered = new HashSet<>();
            long until = System.nanoTime() + SUBSCRIBE_TIMEOUT.toNanos();
            while (System.nanoTime() < until) {
                send(PING_ID);
                if (sub.recv(0) != null) {
                    answered.add(Arrays.hashCode(sub.recv(0)));
                    if (answered.size() >= servers) {
                        Thread.sleep(100);
                        while (sub.recv(ZMQ.DONTWAIT) != null) {
                            // answers to the surplus pings
                        }
                        return;
                    }
                }
            }
            throw new IllegalStateException("raw " + name + ": " + answered.size() + " of " + servers
                    + " servers answered within " + SUBSCRIBE_TIMEOUT.toSeconds() + " s");
        }

        private void send(long id) {
            byte[] header = Arrays.copyOf(topic, HEADER_BYTES);
            ByteBuffer.wrap(header, 16, 8).putLong(id);
            push.send(header, ZMQ.SNDMORE);
            push.send(request.get(), 0);
        }

        /** One sync round trip on this thread. */
        void call() {
            long id = nextId++;
            send(id);
            long until = System.nanoTime() + REPLY_TIMEOUT_NANOS;
            while (System.nanoTime() < until) {
                byte[] header = sub.recv(0);
                if (header == null) {
                    continue;
                }
                byte[] body = sub.recv(0);
                if (ByteBuffer.wrap(header, 16, 8).getLong() == id) {
                    accept.accept(body);
                    return;
                }
            }
            throw new IllegalStateException("raw " + name + ": no reply to request " + id);
        }

        /** Pipelined requests: this thread (the driver) sends, a receiver thread blocked on SUB counts replies. */
        Pipelined.Pipeline pipeline() {
            return new Pipelined.Pipeline() {
                private volatile boolean stop;
                private Thread receiver;

                @Override
                public void open(Pipelined.Outcome outcome) {
                    stop = false;
                    receiver = Thread.ofPlatform().name("raw-receiver-" + name).start(() -> {
                        while (!stop) {
                            byte[] header = sub.recv(0);
                            if (header != null) {
                                byte[] body = sub.recv(0);
                                if (ByteBuffer.wrap(header, 16, 8).getLong() == PING_ID) {
                                    continue; // a late answer to a ping of awaitSubscriptions, not a request's
                                }
                                boolean ok;
                                try {
                                    accept.accept(body);
                                    ok = true;
                                } catch (RuntimeException e) {
                                    ok = false;
                                }
                                outcome.done(ok);
                            }
                        }
                    });
                }

                @Override
                public void send() {
                    Client.this.send(nextId++);
                }

                @Override
                public void close() throws InterruptedException {
                    stop = true;
                    receiver.join();
                }
            };
        }

        /**
         * One-way PUSH → PULL to the first server's sink: the driver sends, the sink counts each message as
         * it takes it in, which frees its slot in the {@link Pipelined} window (the same driver and window
         * as the cast rows, so the two differ only in what carries the messages).
         */
        Pipelined.Pipeline oneWay() {
            return new Pipelined.Pipeline() {
                @Override
                public void open(Pipelined.Outcome outcome) {
                    server.sinkOutcome = outcome;
                }

                @Override
                public void send() {
                    byte[] header = Arrays.copyOf(topic, HEADER_BYTES);
                    ByteBuffer.wrap(header, 16, 8).putLong(nextId++);
                    oneWay.send(header, ZMQ.SNDMORE);
                    oneWay.send(request.get(), 0);
                }
            };
        }

        @Override
        public void close() {
            push.close();
            sub.close();
            oneWay.close();
            context.term();
        }
    }
}
