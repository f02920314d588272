package org.offload.client;

/**
 * A snapshot of a client's counters.
 *
 * @param sent             requests written to a PUSH socket
 * @param replies          final replies matched to a pending call
 * @param timeouts         calls that ended with no reply before their deadline
 * @param unavailable      calls that ended with no connected instance to take them
 * @param lateReplies      authentic-looking replies for no pending call (late, duplicate or foreign): dropped
 * @param badProofReplies  replies whose proof did not verify: dropped
 * @param malformedReplies replies that broke the protocol: dropped (or failed their call when signed)
 * @param unhandled        nowait replies no response or error handler matched
 * @param pending          calls waiting for a reply (or for an instance) now
 */
public record ClientStats(long sent, long replies, long timeouts, long unavailable, long lateReplies,
                          long badProofReplies, long malformedReplies, long unhandled, int pending) {
}
