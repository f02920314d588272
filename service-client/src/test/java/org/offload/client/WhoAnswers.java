package org.offload.client;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;

/**
 * The handler of {@link HostWorker}'s route: answers {@code {"worker": NAME, "pid": PID}} (NAME from the system
 * property {@value #WORKER_PROPERTY}) after holding the call {@code hold_ms} milliseconds (default 0), so a
 * test tells the instances apart by their answers and keeps calls in flight for as long as it likes.
 */
public final class WhoAnswers implements Handler {
    static final String WORKER_PROPERTY = "offload.test.worker";
    private final String worker = System.getProperty(WORKER_PROPERTY, "unnamed");
    private final long pid = ProcessHandle.current().pid();

    @Override
    public Reply handle(Call call) throws InterruptedException {
        long hold = TimeUnit.MILLISECONDS.toNanos(call.json().path("hold_ms").asLong(0));
        long end = System.nanoTime() + hold;
        for (long left = hold; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left); // stands for work that takes this long
            if (Thread.interrupted()) {
                throw new InterruptedException("cancelled");
            }
        }
        return Reply.json(Map.of("worker", worker, "pid", pid));
    }
}
