package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.Sealed;

/**
 * Bytes of request frames waiting for the receiver are bounded before any proof is checked: a flood of
 * large frames with bad proofs, and a multipart message that never ends (JeroMQ holds it whole, out of the
 * high-water mark's sight), leave the queued bytes under {@code maxQueuedBytes} and real clients served.
 */
@Timeout(value = 120, unit = SECONDS)
class QueuedBytesTest {
    private static final int FRAME = 8 * 1024 * 1024;
    private static final int BUDGET = 3 * FRAME + FRAME / 2;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ServiceServer start(String name) {
        return fx.start(Fixtures.builder(name).maxMessageBytes(FRAME).maxQueuedBytes(BUDGET));
    }

    private void assertServes(ServiceServer server) {
        RawPeer peer = fx.peer(server);
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1))).status());
    }

    @Test
    void multipartThatNeverEnds_hitsTheBudget_connectionClosedBytesGivenBackAndServiceServes() throws Exception {
        ServiceServer server = start("endless-more");
        Socket attacker = fx.zmtpConnect(server.pullAddress(), "PUSH");
        byte[] body = new byte[FRAME];

        // frames that keep the MORE flag: JeroMQ delivers none of them, the 4th no longer fits
        boolean cut = false;
        for (int i = 0; i < 10 && !cut; i++) {
            try {
                Fixtures.write(attacker, Fixtures.frame(body, true));
            } catch (IOException closedByService) {
                cut = true;
            }
        }

        assertTrue(cut || Fixtures.closedByService(attacker, Fixtures.WAIT), "the hoarding connection stayed open");
        Fixtures.await().until(() -> server.stats().queuedBytes() == 0); // its unfinished frames were given back
        assertTrue(server.stats().overBudget() >= 1, server.stats()::toString);
        assertEquals(0, server.stats().malformed() + server.stats().unauthorized(), "nothing reached the checks");
        assertServes(server);
    }

    @Test
    void manyFramesInOneMessage_connectionClosedAndServiceServes() throws Exception {
        ServiceServer server = start("many-frames");
        Socket attacker = fx.zmtpConnect(server.pullAddress(), "PUSH");
        byte[] frames = new byte[0];
        for (int i = 0; i <= ServerIo.MAX_FRAMES_PER_MESSAGE; i++) { // tiny frames: the budget is never the limit
            frames = concat(frames, Fixtures.frame(new byte[1], true));
        }

        Fixtures.write(attacker, frames);

        assertTrue(Fixtures.closedByService(attacker, Fixtures.WAIT), "a message of endless tiny frames stayed open");
        Fixtures.await().until(() -> server.stats().queuedBytes() == 0);
        assertEquals(0, server.stats().overBudget());
        assertServes(server);
    }

    @Test
    void pubPort_subscriptionFramesThatNeverEnd_connectionClosedAndServiceServes() throws Exception {
        ServiceServer server = start("endless-subscription");
        Socket attacker = fx.zmtpConnect(server.pubAddress(), "SUB");
        byte[] subscription = new byte[17];
        subscription[0] = 1; // subscribe

        Fixtures.write(attacker, Fixtures.frame(subscription, true), Fixtures.frame(subscription, true),
                Fixtures.frame(subscription, true));

        assertTrue(Fixtures.closedByService(attacker, Fixtures.WAIT), "a subscription that never ends stayed open");
        assertServes(server);
    }

    @Test
    void floodOf8MiBBadProofRequests_queuedBytesNeverAboveTheBudget_andServiceServes() throws Exception {
        ServiceServer server = start("big-flood");
        RawPeer signer = fx.peer(server);
        Sealed m = signer.seal(signer.request("/echo", "request", Map.of()), Body.bytes(new byte[FRAME - 64]));
        byte[] message = concat(Fixtures.frame(m.envelope(), true), Fixtures.frame(m.body(), true),
                Fixtures.frame(new byte[32], false)); // a proof of zeros: never verifies
        List<Thread> senders = new ArrayList<>();
        AtomicLong sent = new AtomicLong();
        for (int c = 0; c < 4; c++) {
            Socket s = fx.zmtpConnect(server.pullAddress(), "PUSH");
            senders.add(Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        Fixtures.write(s, message);
                        sent.incrementAndGet();
                    }
                } catch (IOException closedByService) {
                    // the service may close a connection that holds budget in an unfinished message
                }
            }));
        }
        long[] highest = new long[1];

        Fixtures.await().pollInterval(Duration.ofMillis(1)).until(() -> {
            highest[0] = Math.max(highest[0], server.stats().queuedBytes());
            return senders.stream().noneMatch(Thread::isAlive);
        });
        // the receiver caught up, and what JeroMQ dropped with the closed connections was given back: no leak
        Fixtures.await().until(() -> server.stats().queuedBytes() == 0);

        assertTrue(highest[0] <= BUDGET, "queued bytes reached " + highest[0] + " (budget " + BUDGET + ")");
        assertTrue(sent.get() > 0 && server.stats().unauthorized() > 0, server.stats()::toString);
        assertEquals(0, server.stats().received(), "no bad-proof request was accepted");
        assertServes(server);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
