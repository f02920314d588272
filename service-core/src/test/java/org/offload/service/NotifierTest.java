package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;

/** The notification queue: bounded in bytes, never blocking; topics checked with precise messages. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NotifierTest {
    private final AtomicInteger wakeups = new AtomicInteger();

    private Notifier notifier(long maxQueuedBytes) {
        return new Notifier("notes", "0011223344556677", new Proof("notifier-test-passphrase"), maxQueuedBytes,
                wakeups::incrementAndGet);
    }

    @Test
    void publish_queueFull_dropsAndCountsWithoutBlocking() {
        // nothing drains this queue: each event counts 128 + 1 (topic) + 100 (body) bytes; 4 fit in 1,000
        Notifier n = notifier(1_000);
        Body body = Body.bytes(new byte[100]);
        for (int i = 0; i < 4; i++) {
            assertTrue(n.publish("t", body), "event " + i);
        }
        for (int i = 0; i < 50; i++) {
            assertFalse(n.publish("t", body));
        }
        assertEquals(new NotifierStats(0, 50, 4 * 229), n.stats());
        assertEquals(4, wakeups.get());
    }

    @Test
    void publish_afterClose_isDroppedAndDiscardEmptiesTheQueue() {
        Notifier n = notifier(1_000_000);
        assertTrue(n.publish("t", Body.empty()));
        n.close();
        assertFalse(n.publish("t", Body.empty()));
        n.discard();
        assertEquals(new NotifierStats(0, 2, 0), n.stats());
    }

    @Test
    void publish_invalidTopicOrBody_throwsPreciseMessages() {
        Notifier n = notifier(1_000_000);
        assertEquals("topic must not be empty",
                assertThrows(IllegalArgumentException.class, () -> n.publish("", Body.empty())).getMessage());
        assertEquals("topic must be <= 255 UTF-8 bytes but was 256",
                assertThrows(IllegalArgumentException.class, () -> n.publish("x".repeat(256), Body.empty())).getMessage());
        assertTrue(n.publish("x".repeat(255), Body.empty()));
        assertEquals("notification body must be <= 1048576 bytes but was 1048577",
                assertThrows(IllegalArgumentException.class,
                        () -> n.publish("t", Body.bytes(new byte[Wire.MAX_NOTIFICATION_BODY_BYTES + 1]))).getMessage());
    }

    @Test
    void clientId_random_neverStartsWithTheNotificationMarker() {
        for (int i = 0; i < 20_000; i++) {
            assertTrue(ClientId.random().topic()[0] != Wire.NOTIFY_MARKER);
        }
    }
}
