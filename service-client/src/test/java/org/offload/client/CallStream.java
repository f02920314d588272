package org.offload.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * A steady stream of calls: {@code callers} threads each calling {@code service}'s {@link HostWorker#ROUTE} in
 * a loop, one call at a time, every call's outcome recorded with its start and end ({@link System#nanoTime()}),
 * until {@link #stop}. Each call is held {@code hold} by the worker, so calls are really in flight at any moment.
 */
final class CallStream implements AutoCloseable {
    /** One call: its caller, start and end, and either the worker that answered or the failure (class, message). */
    record Outcome(int caller, long start, long end, String worker, String failure, String message) {
        boolean failed() {
            return !failure.isEmpty();
        }
    }

    /** How long {@link #close()} waits for the last calls; a closed client ends them at once. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final List<Outcome> outcomes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean running = true;

    private CallStream() {}

    static CallStream start(ServiceClient client, String service, int callers, Duration hold, Duration deadline) {
        CallStream stream = new CallStream();
        Request request = Request.json(HostWorker.ROUTE, "request", Map.of("hold_ms", hold.toMillis()));
        for (int i = 0; i < callers; i++) {
            int caller = i;
            stream.threads.add(Thread.ofPlatform().daemon().name(client.name() + "-caller-" + i)
                    .start(() -> stream.loop(caller, client, service, request, deadline)));
        }
        return stream;
    }

    private void loop(int caller, ServiceClient client, String service, Request request, Duration deadline) {
        while (running) {
            started.incrementAndGet();
            long start = System.nanoTime();
            Outcome outcome;
            try {
                Reply reply = client.call(service, request, deadline);
                outcome = new Outcome(caller, start, System.nanoTime(), reply.body().json().path("worker").asText(),
                        "", "");
            } catch (RuntimeException e) { // a ServiceException unless something is badly wrong: the test checks
                outcome = new Outcome(caller, start, System.nanoTime(), "", e.getClass().getSimpleName(),
                        String.valueOf(e.getMessage()));
            }
            synchronized (outcomes) {
                outcomes.add(outcome);
            }
        }
    }

    /** The outcomes so far, in the order the calls ended. */
    List<Outcome> outcomes() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    /** Whether {@code worker} answered a call that ended at or after {@code since}. */
    boolean answeredBy(String worker, long since) {
        return firstAnswerBy(worker, since).isPresent();
    }

    /** The first call (by end) that {@code worker} answered ending at or after {@code since}. */
    Optional<Outcome> firstAnswerBy(String worker, long since) {
        return outcomes().stream().filter(o -> o.worker().equals(worker) && o.end() >= since).findFirst();
    }

    /** How many calls that started at or after {@code since} have ended. */
    long endedStartingAfter(long since) {
        return outcomes().stream().filter(o -> o.start() >= since).count();
    }

    /**
     * Stops the callers and waits up to {@code within} for their last calls to end; returns how many calls
     * were started but never ended (0 unless a call was lost).
     */
    int stop(Duration within) throws InterruptedException {
        running = false;
        long end = System.nanoTime() + within.toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
        }
        return started.get() - outcomes().size();
    }

    @Override
    public void close() {
        try {
            stop(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
