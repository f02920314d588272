package org.offload.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.offload.service.BusyException;
import org.offload.service.Progress;
import org.offload.service.Reply;
import org.offload.service.RemoteException;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.Status;
import org.offload.service.internal.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-running work as tasks: submit a request, get an id at once, poll the task by id, cancel it. Meant
 * for a web front end that answers "202 Accepted, here is your task" and lets the browser poll, on top of
 * one shared {@link ServiceClient}.
 *
 * <pre>{@code
 * TaskRegistry tasks = TaskRegistry.create(client);
 * Task task = tasks.submit("reports", Request.json("/report/7", "request", Map.of("year", 2026)));
 * ...
 * Optional<Task> now = tasks.get(task.id());       // PENDING, STARTED, SUCCESS, FAILURE or REVOKED
 * tasks.cancel(task.id());                         // the worker's handler is asked to stop
 * }</pre>
 *
 * <p>States: a task is {@code PENDING} until the service reports that a worker started it ({@code STARTED},
 * from its interim 102 reply), then ends {@code SUCCESS} with the reply, {@code FAILURE} with the typed
 * {@link ServiceException} (error status, deadline, service gone), or {@code REVOKED} once a cancel is
 * confirmed. Each task is one call with the task deadline ({@link #DEFAULT_TASK_DEADLINE} unless set), so
 * every task ends by its deadline.
 *
 * <p>Cancel: {@link #cancel} records the request ({@link Task#cancelRequested()}) and returns at once; the
 * state does not change until the cancel is confirmed, so {@code REVOKED} always means the work is not
 * running: a request that had not left the client is revoked by the client itself (within milliseconds); a
 * request queued at the worker never runs and is answered 499; a running handler is flagged
 * ({@code Call.isCancelled()}) and interrupted, and the 499 comes when it has returned. A task whose reply
 * was already on its way keeps that outcome. A cancel the worker never confirms in time (lost with its
 * connection, or a handler that ignores it past the deadline) leaves the task running until its deadline,
 * when it ends {@code FAILURE} with a 408.
 *
 * <p>Memory: running tasks are calls of the client, so at most its {@code maxPendingCalls} (a submit beyond
 * it throws {@link BusyException}). A finished task, including its reply body, is kept for the retention
 * ({@link #DEFAULT_RETENTION}) and at most {@link #DEFAULT_MAX_FINISHED} of them, the oldest evicted first;
 * {@code submit}, {@code get}, {@code cancel}, {@code finished()} and every task that ends evict what is due
 * (no thread of its own). An evicted or unknown id reads as empty.
 *
 * <p>Thread-safe. Task ids are this registry's own: another registry, or another process, does not know them.
 */
public final class TaskRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskRegistry.class);

    /** How long a finished task is kept for {@link #get}. */
    public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(10);
    /** How many finished tasks are kept; beyond it the oldest are evicted. */
    public static final int DEFAULT_MAX_FINISHED = 10_000;
    /** Deadline of a task's call when none is given: long, for long work, but every task still ends. */
    public static final Duration DEFAULT_TASK_DEADLINE = Duration.ofHours(1);

    /** A finished task and when it finished, for eviction (oldest first). */
    private record Finished(TaskEntry entry, long atNanos) {
    }

    private final ServiceClient client;
    private final String name;
    private final long retentionNanos;
    private final int maxFinished;
    private final Duration deadline;
    private final Map<String, TaskEntry> tasks = new ConcurrentHashMap<>();
    /** Finished tasks in the order they finished; guarded by itself. */
    private final ArrayDeque<Finished> finishedOrder = new ArrayDeque<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TaskRegistry(ServiceClient client, Duration retention, int maxFinished, Duration deadline) {
        this.client = client;
        this.name = client.name();
        this.retentionNanos = retention.toNanos();
        this.maxFinished = maxFinished;
        this.deadline = deadline;
    }

    /** A registry with every default on top of {@code client} (which it does not close). */
    public static TaskRegistry create(ServiceClient client) {
        return builder(client).build();
    }

    public static Builder builder(ServiceClient client) {
        return new Builder(Objects.requireNonNull(client, "client"));
    }

    /** {@link #submit(String, Request, Duration)} with the registry's task deadline. */
    public Task submit(String service, Request request) {
        return submit(service, request, deadline);
    }

    /**
     * Sends {@code request} to {@code service} as a task and returns it at once, {@code PENDING}, with a new
     * random id. The request carries {@code offload-notify: started,progress} so the service reports when a
     * worker starts it and how far its handler has got ({@link Task#progress()}).
     *
     * @throws ServiceUnavailableException the service is not registered, or the client or this registry is closed
     * @throws BusyException               the client already has {@code maxPendingCalls} calls in flight
     * @throws IllegalArgumentException    {@code deadline} is not positive or longer than
     *                                     {@link ServiceClient#MAX_DEADLINE}
     */
    public Task submit(String service, Request request, Duration deadline) {
        Objects.requireNonNull(request, "request");
        sweep();
        if (closed.get()) {
            throw new ServiceUnavailableException(name + " - task registry is closed");
        }
        TaskEntry entry = new TaskEntry(UUID.randomUUID().toString(), Objects.requireNonNull(service, "service"),
                request.path(), Instant.now());
        ServiceClient.CallHandle call = client.start(service, request, deadline, reply -> {
            if (reply.status() == Status.STARTED) {
                entry.started();
            } else {
                Progress.of(reply).ifPresent(entry::progress);
            }
        });
        entry.attach(call.cancel());
        tasks.put(entry.id, entry);
        running.incrementAndGet();
        call.future().whenComplete((reply, failure) -> finish(entry, reply, failure));
        log.debug("{} - task {} submitted: {} {} {}", name, entry.id, service, request.method(), request.path());
        if (closed.get()) {
            cancel(entry); // close() ran while this task was being submitted and may have missed it
        }
        return entry.snapshot();
    }

    /** A snapshot of task {@code id}; empty when the id is unknown or the task was evicted. */
    public Optional<Task> get(String id) {
        Objects.requireNonNull(id, "id");
        sweep();
        return Optional.ofNullable(tasks.get(id)).map(TaskEntry::snapshot);
    }

    /**
     * Asks for task {@code id} to be cancelled and returns its snapshot (with {@link Task#cancelRequested()}
     * set); the state turns {@code REVOKED} when the cancel is confirmed (see the class comment). A task that
     * has ended is returned unchanged. Calling it again sends nothing more. Empty for an unknown or evicted id.
     */
    public Optional<Task> cancel(String id) {
        Objects.requireNonNull(id, "id");
        sweep();
        TaskEntry entry = tasks.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        cancel(entry);
        return Optional.of(entry.snapshot());
    }

    /** Tasks submitted here that have not ended yet. */
    public int running() {
        return running.get();
    }

    /** Finished tasks kept (after evicting what is past the retention). */
    public int finished() {
        sweep();
        synchronized (finishedOrder) {
            return finishedOrder.size();
        }
    }

    /**
     * Stops taking tasks and cancels every running one (a cancel message to its worker, as {@link #cancel}).
     * Returns at once: the cancelled tasks turn {@code REVOKED} when their workers confirm, while the client
     * is open; {@link #get} keeps answering. Closing the client afterwards ends what is left with 503
     * ({@code FAILURE}). Does not close the client. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int cancelled = 0;
        for (TaskEntry entry : tasks.values()) {
            cancelled += cancel(entry) ? 1 : 0;
        }
        log.info("{} - task registry closed; cancelled {} running tasks", name, cancelled);
    }

    private boolean cancel(TaskEntry entry) {
        Runnable send = entry.requestCancel(Instant.now());
        if (send == null) {
            return false;
        }
        log.debug("{} - task {} cancel requested", name, entry.id);
        send.run();
        return true;
    }

    /** The call of {@code entry} ended (on the callback executor). */
    private void finish(TaskEntry entry, Reply reply, Throwable failure) {
        ServiceException error = failure == null ? null : typed(entry, failure);
        boolean ended = entry.finish(reply, error, Instant.now(), () -> {
            running.decrementAndGet();
            synchronized (finishedOrder) {
                finishedOrder.addLast(new Finished(entry, System.nanoTime()));
                evictLocked(System.nanoTime());
            }
        });
        if (!ended) {
            return;
        }
        log.debug("{} - task {} ended {}", name, entry.id, error == null ? "SUCCESS" : error.status());
    }

    private ServiceException typed(TaskEntry entry, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ServiceException se) {
            return se;
        }
        log.error("{} - task {} ended with an untyped failure", name, entry.id, cause);
        RemoteException wrapped = new RemoteException(Status.INTERNAL_ERROR, name + " - task " + entry.id
                + " failed in the client: " + cause);
        wrapped.initCause(cause);
        return wrapped;
    }

    /** Evicts finished tasks past the retention or beyond {@code maxFinished}. */
    private void sweep() {
        synchronized (finishedOrder) {
            evictLocked(System.nanoTime());
        }
    }

    private void evictLocked(long now) {
        Finished oldest;
        while ((oldest = finishedOrder.peekFirst()) != null
                && (finishedOrder.size() > maxFinished || now - oldest.atNanos() >= retentionNanos)) {
            finishedOrder.pollFirst();
            tasks.remove(oldest.entry().id, oldest.entry());
        }
    }

    @Override
    public String toString() {
        int kept;
        synchronized (finishedOrder) {
            kept = finishedOrder.size();
        }
        return "TaskRegistry[" + name + ", running=" + running.get() + ", finished=" + kept + "]";
    }

    /** Builds a {@link TaskRegistry}; each option is checked when it is set. Sealed once built. */
    public static final class Builder {
        private final ServiceClient client;
        private Duration retention = DEFAULT_RETENTION;
        private int maxFinished = DEFAULT_MAX_FINISHED;
        private Duration deadline = DEFAULT_TASK_DEADLINE;
        private boolean built;

        private Builder(ServiceClient client) {
            this.client = client;
        }

        /** How long a finished task is kept. */
        public Builder retention(Duration retention) {
            check();
            this.retention = Checks.positive("retention", retention);
            return this;
        }

        /** How many finished tasks are kept at most; the oldest are evicted first. */
        public Builder maxFinished(int max) {
            check();
            this.maxFinished = Checks.positive("maxFinished", max);
            return this;
        }

        /** Deadline of a task's call when {@code submit} is given none; at most {@link ServiceClient#MAX_DEADLINE}. */
        public Builder deadline(Duration deadline) {
            check();
            this.deadline = ServiceClient.checkDeadline("deadline", deadline);
            return this;
        }

        public TaskRegistry build() {
            check();
            built = true;
            return new TaskRegistry(client, retention, maxFinished, deadline);
        }

        private void check() {
            if (built) {
                throw new IllegalStateException("this builder already built a task registry; use a new builder");
            }
        }
    }
}
