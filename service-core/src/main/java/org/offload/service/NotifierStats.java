package org.offload.service;

/**
 * A snapshot of an instance's notification counters ({@link ServiceServer#publish}).
 *
 * @param published   notifications handed to the PUB socket (each went to every proved subscriber below its
 *                    high-water mark at that moment)
 * @param dropped     notifications not published: the queue already held
 *                    {@link ServiceServer#MAX_QUEUED_NOTIFICATION_BYTES}, or the service was stopping
 * @param queuedBytes bytes of notifications waiting for the publishing thread, each counted with
 *                    128 bytes of overhead
 */
public record NotifierStats(long published, long dropped, long queuedBytes) {
}
