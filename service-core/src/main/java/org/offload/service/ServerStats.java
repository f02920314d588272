package org.offload.service;

/**
 * A snapshot of a service instance's counters.
 *
 * @param received     well-formed, authentic requests accepted for routing
 * @param replied      final replies handed to the PUB socket (any status)
 * @param unauthorized requests answered 401 and cancels dropped: bad proof, or outside the replay window
 * @param replayed     requests dropped because their id was already seen (replay)
 * @param malformed    messages that broke the protocol (bad frame count, envelope, version), and subscriptions
 *                     ignored for want of a valid tag (beyond the few a client sends) or over a bound
 * @param notFound     requests answered 404 or 405
 * @param busy         requests answered 429 because the worker queue was full (see also {@code shed})
 * @param failed       handlers that threw something other than a ServiceException (answered 500)
 * @param expired      requests skipped without a reply because their deadline passed before a worker took them
 * @param cancelled    calls cancelled by their client or by stop
 * @param dropped      replies dropped: parked too long or over the parking bound, or (even a small error reply)
 *                     above the client's reply frame limit
 * @param inFlight     requests accepted and not yet answered
 * @param parked       replies waiting for their client's subscription or for room under the high-water mark
 * @param shed         requests answered 429 because they could not finish before their deadline: refused on
 *                     arrival (deadline-aware admission) or when a worker took them; their handlers never ran
 * @param oversized    handler replies not sent because a frame exceeded the client's reply frame limit
 *                     (answered 500 instead)
 * @param handshakeTimeouts  connections closed because they had not finished the ZeroMQ handshake within the
 *                           handshake timeout (whatever stage they stalled in)
 * @param connectionsRefused connections closed because a socket had {@code maxConnections} or one IP address
 *                           {@code maxConnectionsPerPeer}
 * @param overBudget   request frames dropped unread because {@code maxQueuedBytes} of frames were already
 *                     waiting for the receiver (their messages are dropped)
 * @param queuedBytes  bytes of request frames received and not yet taken by the receiver, each frame
 *                     counted with 128 bytes of overhead; at most {@code maxQueuedBytes}
 * @param refusedHandshakes CURVE handshakes refused by the ZAP handler: the peer did not have the client key
 *                     derived from this service's passphrase (always 0 with {@link Encryption#NONE})
 */
public record ServerStats(long received, long replied, long unauthorized, long replayed, long malformed,
                          long notFound, long busy, long failed, long expired, long cancelled, long dropped,
                          int inFlight, int parked, long shed, long oversized, long handshakeTimeouts,
                          long connectionsRefused, long overBudget, long queuedBytes, long refusedHandshakes) {
}
