package org.offload.client;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.offload.service.ProtocolException;
import org.offload.service.Reply;
import org.offload.service.Status;
import org.offload.service.UnauthorizedException;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Inbound;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Owns the SUB sockets ({@link ReplySockets}: one per service key, normally one) on its own thread, blocked
 * in {@code recv} on the one SUB (JeroMQ's fastest wait), or polling when there are several. Every reply must
 * be for a pending call and carry a valid proof of that service's passphrase, or it is dropped and counted.
 */
final class ReplyReceiver implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    /** How often a blocked receive looks up for connect/disconnect commands or stop. */
    private static final int RECEIVE_TIMEOUT_MS = 10;
    /**
     * Messages taken from a SUB in one pass (with several SUBs: from one readable SUB before looking at the
     * others): enough to gather a burst's callbacks, few enough that the first reply's callback does not wait
     * long for the pass to end.
     */
    private static final int BATCH = 32;

    private final ClientIo io;
    private final String name;
    private final ReplySockets subs;
    private final Thread thread;
    private final BlockingQueue<Consumer<ReplySockets>> commands = new LinkedBlockingQueue<>();
    private final WarnLimiter warn = new WarnLimiter();
    /** The callbacks of one pass, run together (with an executor the user chose, it collects none). */
    private final CallbackRuns runs;
    /**
     * When this thread last came round its loop (it does at least every receive timeout): liveness does not
     * call an instance silent while this thread itself is behind, since then nothing could have been heard.
     */
    volatile long lastLoopNanos = System.nanoTime();
    private volatile boolean stop;

    ReplyReceiver(ClientIo io) {
        this.io = io;
        this.name = io.name;
        this.subs = new ReplySockets(io, RECEIVE_TIMEOUT_MS);
        this.thread = new Thread(this, name + "-recv");
        this.thread.setDaemon(true);
        this.runs = io.dispatcher.runsOn(thread);
    }

    void start() {
        thread.start();
    }

    /** Runs {@code command} with the SUB sockets on the receiver thread, within {@value #RECEIVE_TIMEOUT_MS} ms. */
    void execute(Consumer<ReplySockets> command) {
        commands.add(command);
    }

    /** See {@link CallbackRuns#helpers}; 0 with an executor the user chose. */
    long callbackHandOvers() {
        return runs.helpers();
    }

    void stopAndJoin() throws InterruptedException {
        stop = true;
        thread.join(RECEIVE_TIMEOUT_MS * 20L);
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                lastLoopNanos = System.nanoTime();
                runCommands();
                List<ZMQ.Socket> sockets = subs.sockets();
                if (sockets.isEmpty()) {
                    run(commands.poll(subs.waitMs(), TimeUnit.MILLISECONDS));
                } else {
                    runs.begin(); // the callbacks of the replies this pass takes start together at its end
                    try {
                        if (sockets.size() == 1) {
                            ZMQ.Socket sub = sockets.get(0);
                            byte[] topic = sub.recv(0);
                            if (topic != null) {
                                readRest(sub, topic);
                                drain(sub, 1);
                            }
                        } else {
                            for (ZMQ.Socket sub : subs.pollReadable()) {
                                drain(sub, 0);
                            }
                        }
                    } finally {
                        runs.end();
                    }
                }
                // while a run of callbacks is unfinished, wake often enough to free it from one that blocks
                subs.shortWait(runs.check(System.nanoTime()));
            }
        } catch (Throwable t) {
            log.error("{} - reply receiver failed; replies will not arrive", name, t);
        } finally {
            runs.release();
            subs.close();
        }
    }

    /** Takes what {@code sub} holds without waiting, until this pass has {@value #BATCH} messages from it. */
    private void drain(ZMQ.Socket sub, int taken) {
        byte[] topic;
        for (int n = taken; n < BATCH && (topic = sub.recv(ZMQ.DONTWAIT)) != null; n++) {
            readRest(sub, topic);
        }
    }

    private void runCommands() {
        Consumer<ReplySockets> c;
        while ((c = commands.poll()) != null) {
            run(c);
        }
    }

    private void run(Consumer<ReplySockets> c) {
        if (c == null) {
            return;
        }
        try {
            c.accept(subs);
        } catch (RuntimeException e) {
            log.warn("{} - SUB command failed", name, e);
        }
    }

    private void readRest(ZMQ.Socket sub, byte[] topic) {
        byte[][] frames = new byte[Wire.REPLY_FRAMES][];
        frames[0] = topic;
        int count = 1;
        while (sub.hasReceiveMore()) {
            byte[] f = sub.recv(0);
            if (count < Wire.REPLY_FRAMES) {
                frames[count] = f;
            }
            count++;
        }
        onReply(frames, count);
    }

    private void onReply(byte[][] frames, int count) {
        if (Notifications.isNotification(frames[0])) {
            io.notifications.onMessage(frames, count);
            return;
        }
        if (count == Wire.REPLY_FRAMES_V2 && Batch.is(frames[1])) {
            onBatch(frames[0], frames[1]);
            return;
        }
        // the frame count tells the framing: topic + 3 frames (version 1) or topic + 1 (version 2)
        Inbound m = count == Wire.REPLY_FRAMES ? Inbound.ofFrames(frames[1], frames[2], frames[3])
                : count == Wire.REPLY_FRAMES_V2 ? Inbound.ofFrame(frames[1]) : null;
        byte[] env = m == null ? null : m.first();
        if (m == null || !io.id.matches(frames[0]) || !m.hasPrefix() || !io.id.equals(Wire.clientId(env))) {
            peerError(io.malformed, "dropped a reply with " + count + " frames or a foreign topic");
            return;
        }
        Pending p = io.pending.get(Wire.requestId(env));
        if (p == null) {
            Liveness.Ping ping = io.pings.remove(Wire.requestId(env));
            if (ping != null) {
                onPong(ping, m);
                return;
            }
            io.late.incrementAndGet();
            log.debug("{} - dropped a reply for request id {} that is not pending", name, Wire.requestId(env));
            return;
        }
        boolean authentic = m.verify(p.service.proof);
        if (!authentic) {
            onUnverifiable(p, m);
            return;
        }
        Instance from = p.instance;
        if (from != null) {
            from.heard(System.nanoTime());
        }
        Envelope e;
        Reply reply;
        try {
            e = m.decode();
            if (isForgedRejection(p, e)) {
                peerError(io.badProof, "dropped a rejection that does not echo the proof of request id " + p.requestId);
                return;
            }
            if (answersATamperedCopy(e)) {
                peerError(io.badProof, "dropped a rejection of a tampered copy of request id " + p.requestId);
                return;
            }
            // rejections of a request the service could not parse carry path "/" (PROTOCOL.md section 7)
            boolean pathOk = e.path().equals(p.request.path()) || (e.path().equals("/") && e.status() >= 400);
            if (e.kind() != Wire.REPLY || !pathOk) {
                throw new ProtocolException("expected a reply for " + p.request.path() + " but got kind " + e.kind()
                        + " for " + e.path());
            }
            reply = new Reply(e.status(), e.message(), e.method(), e.headers(), Sealed.body(e.headers(), m.body()));
        } catch (ProtocolException | IllegalArgumentException x) {
            io.malformed.incrementAndGet();
            int status = x instanceof ProtocolException pe ? pe.status() : Status.BAD_REQUEST;
            io.fail(p, new ProtocolException(status, name + " - malformed reply from " + p.service.name + " to "
                    + p.request.path() + ": " + x.getMessage()));
            return;
        }
        if (Status.isInterim(reply.status())) {
            if (p.interim != null) {
                io.dispatcher.interim(p, reply);
            }
            return;
        }
        if (io.retryElsewhere(p, reply)) {
            return;
        }
        io.complete(p, reply, e.path());
    }

    /**
     * A batch frame of replies (PROTOCOL.md section 2.2): each entry is checked as if it had come alone; the
     * container proves nothing, so a malformed one (or one for another client) is dropped whole.
     */
    private void onBatch(byte[] topic, byte[] frame) {
        List<byte[]> entries = io.id.matches(topic) && io.id.equals(Wire.clientId(frame)) ? Batch.split(frame) : null;
        if (entries == null) {
            peerError(io.malformed, "dropped a malformed batch frame of " + frame.length + " bytes or one for another client");
            return;
        }
        for (byte[] entry : entries) {
            onReply(new byte[][] {topic, entry}, Wire.REPLY_FRAMES_V2);
        }
    }

    /**
     * The answer to a liveness ping: the instance is alive (a signed pong, or a rejection that echoes our
     * ping's proof - a service with another passphrase is alive too, and its calls will say so with 401),
     * says whether it is stopping, and names its instance id.
     */
    private void onPong(Liveness.Ping ping, Inbound m) {
        Instance i = ping.instance();
        try {
            if (m.verify(ping.service().proof)) {
                Envelope e = m.decode();
                if (answersATamperedCopy(e)) { // our ping verifies there: someone altered a copy of it
                    peerError(io.badProof, "dropped a rejection of a tampered copy of a ping to " + ping.service().name);
                    return;
                }
                i.stopping = e.status() == Status.SERVICE_UNAVAILABLE;
                String id = e.headers().getOrDefault(Wire.INSTANCE, "");
                if (!id.equals(i.instanceId)) {
                    i.restartedAs = id;
                }
                WireVersions.learn(i, e.headers());
            } else {
                Envelope e = m.decode();
                String echoed = e.headers().get(Wire.REJECTED_PROOF);
                if (echoed == null || !echoed.equals(Wire.proofHex(ping.proof()))) {
                    peerError(io.badProof, "dropped a pong from " + ping.service().name + " whose proof did not verify");
                    return;
                }
            }
        } catch (ProtocolException | IllegalArgumentException x) {
            peerError(io.malformed, "dropped a malformed pong from " + ping.service().name + ": " + x.getMessage());
            return;
        }
        i.answered = true;
        i.heard(System.nanoTime());
    }

    /**
     * A reply this service's passphrase does not verify. Only a rejection (401, or 505 from a service of
     * another version) that echoes the proof we sent for that request ends the call: a service with another
     * passphrase can answer no other way. Anything else is dropped.
     */
    private void onUnverifiable(Pending p, Inbound m) {
        int status = Wire.status(m.first());
        if (status == Status.UNAUTHORIZED || status == Status.VERSION_NOT_SUPPORTED) {
            try {
                Envelope e = m.decode();
                if (!isForgedRejection(p, e) && e.headers().containsKey(Wire.REJECTED_PROOF)) {
                    io.fail(p, status == Status.UNAUTHORIZED
                            ? new UnauthorizedException(name + " - " + p.service.name + " rejected request "
                                    + p.request.path() + ": passphrase proof did not verify (do both sides use the"
                                    + " same passphrase?)")
                            : new ProtocolException(status, name + " - " + p.service.name + " does not speak protocol"
                                    + " version " + Wire.VERSION + ": " + e.message()));
                    return;
                }
            } catch (ProtocolException x) {
                // fall through: an undecodable unverifiable reply is just dropped
            }
        }
        peerError(io.badProof, "dropped a reply from " + p.service.name + " whose proof did not verify");
    }

    /**
     * True for a rejection we can verify (so the service shares our passphrase) of a message it could not
     * authenticate or parse (401 or 505 on path {@code /}). Our own message verifies there, so what was
     * rejected was a copy someone altered while keeping our proof: it must not fail our call.
     */
    private static boolean answersATamperedCopy(Envelope e) {
        return e.headers().containsKey(Wire.REJECTED_PROOF) && e.path().equals("/")
                && (e.status() == Status.UNAUTHORIZED || e.status() == Status.VERSION_NOT_SUPPORTED);
    }

    /** True when {@code e} claims to answer a rejected message but does not echo the proof we sent. */
    private static boolean isForgedRejection(Pending p, Envelope e) {
        String echoed = e.headers().get(Wire.REJECTED_PROOF);
        return echoed != null && !echoed.equals(Wire.proofHex(p.sentProof));
    }

    private void peerError(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (warn.tryAcquire()) {
            log.warn("{} - {} (badProof={}, malformed={})", name, what, io.badProof.get(), io.malformed.get());
        }
    }
}
