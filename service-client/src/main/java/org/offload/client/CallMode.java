package org.offload.client;

/** How a call's outcome is delivered. */
enum CallMode {
    /** A thread blocks on the future; completed on the receiver thread (no user code runs there). */
    SYNC,
    /** The future's dependants are user code; completed on the callback executor. */
    ASYNC,
    /** Nobody waits; the reply goes to the response or error handler on the callback executor. */
    NOWAIT,
    /** No reply is asked for: the call ends once sent; a failure to send goes to the error handlers. */
    CAST
}
