package org.offload.client;

/**
 * Where a {@link Task} is. A task moves forward only: {@code PENDING → STARTED → SUCCESS | FAILURE |
 * REVOKED}, possibly skipping {@code STARTED} (a reply can overtake the "started" notice, and a task cancelled
 * before a worker took it never starts).
 */
public enum TaskState {
    /** Submitted; no worker has reported starting it yet (it may wait in the client or in a worker queue). */
    PENDING,
    /** A worker started it: the service's interim 102 reply arrived. */
    STARTED,
    /** It ended with a successful (2xx/3xx) reply: {@link Task#result()}. */
    SUCCESS,
    /** It ended with a failure other than a cancel (error status, deadline, service gone): {@link Task#error()}. */
    FAILURE,
    /**
     * It was cancelled and the cancel was confirmed: the request never left the client, never started on the
     * worker, or its handler has returned. {@link Task#error()} holds the 499 {@code CancelledException}.
     */
    REVOKED;

    /** True for the final states: {@code SUCCESS}, {@code FAILURE} and {@code REVOKED}. */
    public boolean isDone() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }
}
