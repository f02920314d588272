package org.offload.service;

/**
 * A snapshot of a service instance's counters.
 *
 * @param received     well-formed, authentic requests accepted for routing
 * @param replied      final replies handed to the PUB socket (any status)
 * @param unauthorized requests dropped or answered 401: bad proof, or outside the replay window
 * @param replayed     requests dropped because their id was already seen (replay)
 * @param malformed    messages that broke the protocol (bad frame count, envelope, version)
 * @param notFound     requests answered 404 or 405
 * @param busy         requests answered 429 because the worker queue was full
 * @param failed       handlers that threw something other than a ServiceException (answered 500)
 * @param expired      requests skipped because their deadline passed before a worker took them
 * @param cancelled    calls cancelled by their client or by stop
 * @param dropped      replies dropped: parked too long or over the parking bound
 * @param inFlight     requests accepted and not yet answered
 * @param parked       replies waiting for their client's subscription or for room under the high-water mark
 * @param refusedHandshakes CURVE handshakes refused by the ZAP handler: the peer did not have the client key
 *                     derived from this service's passphrase (always 0 with {@link Encryption#NONE})
 */
public record ServerStats(long received, long replied, long unauthorized, long replayed, long malformed,
                          long notFound, long busy, long failed, long expired, long cancelled, long dropped,
                          int inFlight, int parked, long refusedHandshakes) {
}
