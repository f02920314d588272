package org.offload.client;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A raw PULL that stands where a client thinks an instance's PULL is: it passes liveness pings on to the
 * real instance (so the client puts it in the rotation and learns the real instance id) and hands the test
 * every other message (its frames: three in protocol version 1, one in version 2), which the test may then
 * pass on with {@link #forward}. Its sockets live on its thread.
 */
final class Tap implements AutoCloseable {
    private final ZMQ.Socket in;
    private final ZMQ.Socket out;
    private final BlockingQueue<byte[][]> captured = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[][]> toForward = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile boolean cut;
    private volatile boolean passAll;

    Tap(ZMQ.Context context, String instancePull) {
        in = context.socket(SocketType.PULL);
        in.setLinger(0);
        in.setReceiveTimeOut(10);
        in.bind("tcp://127.0.0.1:*");
        out = context.socket(SocketType.PUSH);
        out.setLinger(0);
        out.connect(instancePull);
        thread = new Thread(this::relay, "tap");
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return in.getLastEndpoint();
    }

    /** The next message that is not a ping (frames), waiting up to {@code timeout}; null if none came. */
    byte[][] next(java.time.Duration timeout) throws InterruptedException {
        return captured.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** From now on every message is passed on, not only pings: the tap is a plain relay. */
    Tap passAll() {
        passAll = true;
        return this;
    }

    /** While cut, everything that arrives is dropped, pings too: to the client the instance went silent. */
    void cut(boolean on) {
        cut = on;
    }

    /** Sends {@code frames} on to the real instance. */
    void forward(byte[]... frames) {
        toForward.add(frames);
    }

    private void relay() {
        try {
            while (!stop) {
                byte[][] f;
                while ((f = toForward.poll()) != null) {
                    send(f);
                }
                byte[] env = in.recv(0);
                if (env == null) {
                    continue;
                }
                java.util.List<byte[]> parts = new java.util.ArrayList<>(java.util.List.of(env));
                while (in.hasReceiveMore()) {
                    parts.add(in.recv(0));
                }
                byte[][] frames = parts.toArray(new byte[0][]); // 3 frames in protocol version 1, one in version 2
                if (cut) {
                    continue;
                }
                if (passAll || isPing(frames)) {
                    send(frames);
                } else {
                    captured.add(frames);
                }
            }
        } finally {
            in.close();
            out.close();
        }
    }

    private static boolean isPing(byte[][] frames) {
        if (frames.length == 1 && org.offload.service.internal.Batch.is(frames[0])) {
            return false; // requests in a batch frame: a ping always travels alone
        }
        return (frames.length == 1 ? Wire.decodeFrame(frames[0]) : Wire.decode(frames[0])).path()
                .equals(Wire.PING_PATH);
    }

    private void send(byte[][] frames) {
        for (int i = 0; i < frames.length; i++) {
            out.send(frames[i], i < frames.length - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(5_000);
    }
}
