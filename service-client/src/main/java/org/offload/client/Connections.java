package org.offload.client;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Proof;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.ZmqErrors;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client's connections by address: PUSH sockets to instances, and the SUB's connections to their PUB
 * sockets, counted by the services that use them. When the last user goes, a connection stays idle for a
 * grace period before it closes, so a quick re-register reuses it. Replacing a connection loses what is in
 * flight on the old one (a reply published to a closing SUB connection); measured here, closing and
 * reopening at once lost the next call's request or reply in 10 of 60 tries, reuse in none. Sender thread
 * only.
 */
final class Connections {
    /** How long an unused connection stays open for a re-register to reuse. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** How long registering waits for the receiver thread to connect its SUB (it looks every 10 ms). */
    static final long PUB_CONNECT_WAIT_MS = 5_000;

    private record Idle<T>(T value, long until) {
    }

    private record PubKey(String address, ClientSecurity security) {
    }

    private final ClientIo io;
    /** Keyed by {@link #key}: a connection is reused only for the same address and keys. */
    private final Map<String, Integer> pubUsers = new HashMap<>();
    private final Map<String, Idle<PubKey>> idlePubs = new HashMap<>();
    private final Map<String, Idle<ZMQ.Socket>> idlePushes = new HashMap<>();

    Connections(ClientIo io) {
        this.io = io;
    }

    /** An inproc endpoint must be bound first: JeroMQ 0.6.0 loses what a connect before the bind queues. */
    static void requireBoundIfInproc(String client, String service, String address) {
        if (SharedContext.isInproc(address) && !SharedContext.isBound(address)) {
            throw new ServiceUnavailableException(client + " - cannot register " + service + ": no service of this"
                    + " JVM is bound to " + address + " - start it before registering (an inproc endpoint must exist"
                    + " first)");
        }
    }

    /**
     * The SUB proves this passphrase to every PUB (PROTOCOL.md section 5): the SUB of {@code security}
     * subscribes, once per distinct passphrase and for the client's lifetime, to the client id followed by its
     * tag. Queued before the registration's connect, so the subscription goes out with the connection.
     */
    void proveSubscription(Proof proof, ClientSecurity security) {
        byte[] topic = proof.provedTopic(io.id);
        io.receiver.execute(subs -> subs.prove(security, topic));
    }

    /** Connections are reused only for the same address and the same encryption and keys. */
    private static String key(String address, ClientSecurity security) {
        return security.id() + " " + address;
    }

    /** A PUSH socket connected to {@code pullAddress}: an idle one if there is one, else a new one. */
    ZMQ.Socket openPush(String pullAddress, ClientSecurity security) {
        Idle<ZMQ.Socket> idle = idlePushes.remove(key(pullAddress, security));
        if (idle != null) {
            return idle.value();
        }
        ZMQ.Socket push = io.context.socket(SocketType.PUSH);
        try {
            io.guard(push, security);
            push.setSndHWM(io.settings.sendHwm());
            // JeroMQ's flag is the inverse of libzmq's ZMQ_IMMEDIATE: false = queue only on live connections,
            // so a dead instance is not writable, its calls go elsewhere, and nothing runs after its caller quit.
            push.setImmediate(false);
            security.apply(push);
            push.connect(pullAddress);
            return push;
        } catch (RuntimeException e) {
            push.close();
            throw new IllegalArgumentException(io.name + " - cannot connect to PULL " + pullAddress + ": "
                    + ZmqErrors.describe(e), e);
        }
    }

    /** A PUSH connected nowhere (never writable): the placeholder of an instance whose reconnect failed. */
    ZMQ.Socket closedPush() {
        ZMQ.Socket push = io.context.socket(SocketType.PUSH);
        push.setLinger(0);
        return push;
    }

    /** A fresh PUSH to {@code pullAddress} in place of {@code old}, which closes (what it queued is dropped). */
    ZMQ.Socket reopenPush(String pullAddress, ClientSecurity security, ZMQ.Socket old) {
        old.close();
        Idle<ZMQ.Socket> idle = idlePushes.remove(key(pullAddress, security));
        if (idle != null) {
            idle.value().close();
        }
        return openPush(pullAddress, security);
    }

    /** The SUB's connection to {@code pubAddress} made anew (liveness found the instance silent). */
    void reconnectPub(String pubAddress, ClientSecurity security) {
        io.receiver.execute(subs -> subs.reconnect(pubAddress, security));
    }

    /** The instance at {@code pullAddress} is no longer used: its PUSH idles, then closes. */
    void releasePush(String pullAddress, ClientSecurity security, ZMQ.Socket push) {
        if (SharedContext.isInproc(pullAddress)) {
            push.close(); // an inproc connection never comes back once its service closes: nothing to reuse
            return;
        }
        idlePushes.put(key(pullAddress, security), new Idle<>(push, System.nanoTime() + GRACE_NANOS));
    }

    /**
     * One more service instance replies from {@code pubAddress}: the SUB connects on the first, and this
     * waits for the receiver thread to say whether it could, so a bad address fails the registration.
     */
    void acquirePub(String pubAddress, ClientSecurity security) {
        String key = key(pubAddress, security);
        if (!pubUsers.containsKey(key) && idlePubs.remove(key) == null) {
            CompletableFuture<Void> connected = new CompletableFuture<>();
            io.receiver.execute(subs -> {
                try {
                    subs.connect(pubAddress, security);
                    connected.complete(null);
                } catch (RuntimeException e) {
                    connected.completeExceptionally(e);
                }
            });
            try {
                connected.get(PUB_CONNECT_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
                throw new IllegalArgumentException(io.name + " - cannot connect to PUB " + pubAddress + ": "
                        + ZmqErrors.describe(cause), cause);
            } catch (TimeoutException | InterruptedException e) {
                throw new ServiceUnavailableException(io.name + " - the reply receiver did not connect to " + pubAddress
                        + " within " + PUB_CONNECT_WAIT_MS + " ms (is the client closing?)");
            }
        }
        pubUsers.merge(key, 1, Integer::sum);
    }

    /** One fewer: after the last, the SUB's connection idles, then disconnects. */
    void releasePub(String pubAddress, ClientSecurity security) {
        String key = key(pubAddress, security);
        if (pubUsers.merge(key, -1, Integer::sum) == 0) {
            pubUsers.remove(key);
            if (SharedContext.isInproc(pubAddress)) {
                io.receiver.execute(subs -> subs.disconnect(pubAddress, security));
                return;
            }
            idlePubs.put(key, new Idle<>(new PubKey(pubAddress, security), System.nanoTime() + GRACE_NANOS));
        }
    }

    boolean hasIdle() {
        return !idlePushes.isEmpty() || !idlePubs.isEmpty();
    }

    /** Closes the idle connections whose grace period ended. */
    void closeExpired(long now) {
        idlePushes.values().removeIf(idle -> {
            boolean expired = now - idle.until() >= 0;
            if (expired) {
                idle.value().close();
            }
            return expired;
        });
        idlePubs.values().removeIf(idle -> {
            boolean expired = now - idle.until() >= 0;
            if (expired) {
                io.receiver.execute(subs -> subs.disconnect(idle.value().address(), idle.value().security()));
            }
            return expired;
        });
    }

    /** At close: the idle PUSH sockets (the SUB closes with its receiver). */
    void closeIdle() {
        idlePushes.values().forEach(idle -> idle.value().close());
        idlePushes.clear();
    }
}
