package org.offload.client;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * The default callback executor: a new virtual thread per callback, so a callback that blocks holds no other
 * up. Unlike {@code Executors.newVirtualThreadPerTaskExecutor()} it keeps no set of its running threads (a
 * concurrent set add on the receiver thread and a remove on the callback's, per callback): nothing here waits
 * for callbacks to end. After {@link #shutdown} it refuses work, and the dispatcher runs the callback itself.
 */
final class VirtualCallbacks implements Executor {
    private final ThreadFactory threads = Thread.ofVirtual().factory();
    private volatile boolean shut;

    @Override
    public void execute(Runnable command) {
        if (shut) {
            throw new RejectedExecutionException("the client is closed");
        }
        threads.newThread(command).start();
    }

    void shutdown() {
        shut = true;
    }
}
