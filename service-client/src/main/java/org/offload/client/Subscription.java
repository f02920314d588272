package org.offload.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription to a service's notifications whose topic starts with a prefix ({@link ServiceClient#subscribe}).
 * Its handler runs on the client's callback executor, one notification at a time, in arrival order.
 * {@link #close()} ends it (idempotent): no notification is handed to the handler after close returns, except
 * one already running.
 */
public final class Subscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    /** Most notifications one subscription holds for its handler; more are dropped and counted. */
    public static final int MAX_QUEUED = 10_000;

    private final String client;
    private final String service;
    private final String topicPrefix;
    private final NotificationHandler handler;
    private final Executor executor;
    private final Notifications owner;
    private final ArrayDeque<Notification> queue = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Guarded by {@link #queue}: a drain task is submitted or running. */
    private boolean scheduled;

    Subscription(String client, String service, String topicPrefix, NotificationHandler handler, Executor executor,
                 Notifications owner) {
        this.client = client;
        this.service = service;
        this.topicPrefix = topicPrefix;
        this.handler = handler;
        this.executor = executor;
        this.owner = owner;
    }

    public String service() {
        return service;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Unsubscribes; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (queue) {
                queue.clear();
            }
            owner.remove(this);
        }
    }

    boolean wants(String fromService, String topic) {
        return !closed.get() && service.equals(fromService) && topic.startsWith(topicPrefix);
    }

    /** Receiver thread: queues {@code n} for the handler; false when the queue is full (dropped). */
    boolean offer(Notification n) {
        synchronized (queue) {
            if (closed.get()) {
                return true;
            }
            if (queue.size() >= MAX_QUEUED) {
                return false;
            }
            queue.add(n);
            if (scheduled) {
                return true;
            }
            scheduled = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain(); // the executor is shut down (client closing): deliver here rather than lose them
        }
        return true;
    }

    private void drain() {
        while (true) {
            Notification n;
            synchronized (queue) {
                n = closed.get() ? null : queue.poll();
                if (n == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                handler.onNotification(n);
            } catch (RuntimeException | Error e) {
                log.warn("{} - a notification handler for {} {} threw", client, service, topicPrefix, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + service + ", '" + topicPrefix + "'" + (closed.get() ? ", closed" : "") + "]";
    }
}
