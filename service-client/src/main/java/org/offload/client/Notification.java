package org.offload.client;

import java.time.Instant;
import java.util.Objects;
import org.offload.service.Body;

/**
 * One event a service instance published ({@code ServiceServer.publish}), as a subscriber receives it.
 *
 * @param service   the name the publishing service gave itself
 * @param instance  the publishing instance's id (16 hex digits); a restart draws a new one
 * @param topic     the event's topic (1..255 UTF-8 bytes)
 * @param sequence  the instance's number for this event: 1, 2, 3... in publish order, across all its topics
 * @param published the instance's clock when the event was published
 * @param body      the payload (JSON unless {@link Body#contentType()} says otherwise)
 */
public record Notification(String service, String instance, String topic, long sequence, Instant published,
                           Body body) {
    public Notification {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(published, "published");
        Objects.requireNonNull(body, "body");
        if (sequence == 0) {
            throw new IllegalArgumentException("sequence must be >= 1 (unsigned) but was 0");
        }
    }
}
