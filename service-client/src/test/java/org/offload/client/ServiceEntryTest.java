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
    void noInstanceReason_oneSilentOneNeverConnected_namesEachWithWhatHappened() {
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
        gone.answered = true; // as the receiver marks an instance once a pong or reply from it arrives
        gone.alive = true;
        assertEquals(gone, entry.pick(null), "alive and writable: in the rotation");
        assertEquals(null, entry.pick(gone), "the only instance in the rotation is the one to avoid");
        gone.alive = false; // as liveness does when nothing was heard for the timeout
        peer.close();

        assertEquals(null, entry.pick(null));
        assertEquals("no instance of reports could take it: 1 of 2 answered before but went silent (no pong within"
                + " the liveness timeout; reconnecting): " + live + " (PULL) / tcp://127.0.0.1:1 (PUB); 1 never"
                + " connected: " + dead + " (PULL) / tcp://127.0.0.1:2 (PUB) - is the worker running there, with the"
                + " same encryption (CURVE here) and passphrase?",
                entry.noInstanceReason());
    }
}
