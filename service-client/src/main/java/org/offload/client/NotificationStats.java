package org.offload.client;

/**
 * A snapshot of a client's notification counters ({@link ServiceClient#subscribe}).
 *
 * @param received   authentic notifications handed to at least one subscription
 * @param missed     notifications an instance published that never arrived, seen as gaps in its sequence (for
 *                   example a subscriber at the service's send high-water mark, or a reconnect)
 * @param rejected   notifications dropped as not authentic or malformed (bad proof, wrong frames, a topic frame
 *                   that does not match the envelope) or as a replay (a sequence number already seen)
 * @param dropped    authentic notifications dropped because a subscription already had
 *                   {@link Subscription#MAX_QUEUED} waiting for its handler
 */
public record NotificationStats(long received, long missed, long rejected, long dropped) {
}
