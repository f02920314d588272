package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Encryption;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.Proof;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Why no instance took a call, as {@link ServiceEntry#noInstanceReason()} says it, over real PUSH sockets. */
class ServiceEntryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ZMQ.Socket push(String address) {
        ZMQ.Socket push = fx.raw(SocketType.PUSH);
        push.setImmediate(false);
        push.connect(address);
        return push;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void noInstanceReason_oneGoneOneNeverConnected_namesEachWithWhatHappened() {
        ZMQ.Socket peer = fx.raw(SocketType.PULL);
        peer.bind("tcp://127.0.0.1:*");
        String live = peer.getLastEndpoint();
        ZMQ.Socket deadPeer = fx.raw(SocketType.PULL);
        deadPeer.bind("tcp://127.0.0.1:*");
        String dead = deadPeer.getLastEndpoint();
        deadPeer.close();
        Instance gone = new Instance(live, "tcp://127.0.0.1:1", push(live));
        Instance never = new Instance(dead, "tcp://127.0.0.1:2", push(dead));
        ServiceEntry entry = new ServiceEntry("reports", new Proof("p"), new ClientSecurity(Encryption.CURVE, CurveKeys.derive("p")));
        entry.instances.add(gone);
        entry.instances.add(never);
        await().atMost(WAIT).until(gone::writable);
        gone.answered = true; // as the receiver marks an instance once a reply from it arrives
        peer.close();
        await().atMost(WAIT).until(() -> !gone.writable());

        assertEquals("no instance of reports could take it: 1 of 2 answered before but are not writable now"
                + " (disconnected, or their send queue is full): " + live + " (PULL) / tcp://127.0.0.1:1 (PUB); 1 never"
                + " connected: " + dead + " (PULL) / tcp://127.0.0.1:2 (PUB) - is the worker running there, with the same"
                + " encryption (CURVE here) and passphrase?",
                entry.noInstanceReason());
    }
}
