package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BusyException;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.NotFoundException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.Status;
import org.offload.service.UnauthorizedException;

/**
 * Tasks over real sockets: submit, poll, cancel (queued, running, unsent), failures, eviction, close.
 *
 * <p>A task's state changes before the registry's counters ({@code running()}, {@code finished()}) and its
 * eviction of older tasks catch up, so those are awaited rather than read right after the state.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskRegistryTest {
    private static final Duration WAIT = Fixtures.WAIT;
    /**
     * Deadline of the task whose cancel the worker never confirms: the test runs until it, so it is short,
     * yet long enough to see the task started and the cancel delivered first on a loaded machine.
     */
    private static final Duration STUBBORN_DEADLINE = Duration.ofSeconds(6);
    /** Allowance for the wall clock ({@link Task#submitted()}, {@link Task#finished()}) against the monotonic one. */
    private static final Duration CLOCK_TOLERANCE = Duration.ofMillis(100);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** The task's current snapshot; it must still be known. */
    private static Task task(TaskRegistry tasks, String id) {
        return tasks.get(id).orElseThrow(() -> new AssertionError("task " + id + " is unknown"));
    }

    /** Waits until task {@code id} reaches {@code state} and returns that snapshot. */
    private static Task awaitState(TaskRegistry tasks, String id, TaskState state) {
        await().atMost(WAIT).until(() -> task(tasks, id).state(), s -> s == state || s.isDone());
        Task now = task(tasks, id);
        assertEquals(state, now.state(), () -> "task ended otherwise: " + now);
        return now;
    }

    /**
     * Waits until the gated handler runs. STARTED alone is not enough before a cancel that must interrupt
     * it: the service sends the 102 just before the job becomes interruptible (Job.run), and a cancel
     * that arrives in between only flags the call, so a handler blocked in the gate would never see it.
     */
    private static void awaitEntered(Fixtures.Gate gate) {
        await().atMost(WAIT).until(() -> gate.entered() == 1);
    }

    /**
     * Waits until the registry counts {@code running} tasks and keeps {@code finished} ones: the counters
     * follow a task's state change (TaskRegistry.finish), so they may lag a snapshot that says it ended.
     */
    private static void awaitCounts(TaskRegistry tasks, int running, int finished) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(running, tasks.running(), "running tasks");
            assertEquals(finished, tasks.finished(), "finished tasks kept");
        });
    }

    /** The error of a task that ended in {@code state}, which must be a {@code type}. */
    private static <T extends ServiceException> T errorOf(Task task, TaskState state, Class<T> type) {
        assertEquals(state, task.state());
        assertTrue(task.result().isEmpty());
        assertTrue(task.finished().isPresent());
        return assertInstanceOf(type, task.error().orElseThrow());
    }

    @Test
    void submit_handlerRuns_pendingThenStartedThenSuccessWithResult() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("reports", b -> b.route("^/report$", "request", gate.handler()));
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            Task submitted = tasks.submit("reports", Request.json("/report", "request", Map.of("year", 2026)));

            assertEquals(TaskState.PENDING, submitted.state());
            assertEquals(submitted.id(), UUID.fromString(submitted.id()).toString());
            assertEquals("reports", submitted.service());
            assertEquals("/report", submitted.path());
            assertTrue(submitted.finished().isEmpty() && submitted.result().isEmpty() && submitted.error().isEmpty());

            Task started = awaitState(tasks, submitted.id(), TaskState.STARTED);
            awaitEntered(gate); // the 102 is sent just before the handler is called
            assertFalse(started.isDone());
            assertEquals(1, tasks.running());

            gate.open();
            Task done = awaitState(tasks, submitted.id(), TaskState.SUCCESS);
            Reply result = done.result().orElseThrow();
            assertEquals(Status.OK, result.status());
            assertEquals(2026, Fixtures.json(result).get("echo").get("year").asInt());
            assertTrue(done.error().isEmpty() && done.cancelRequested().isEmpty());
            assertFalse(done.finished().orElseThrow().isBefore(done.submitted()));
            awaitCounts(tasks, 0, 1);
        }
    }

    @Test
    void cancel_runningTask_revokedAndHandlerReallyStopped() {
        AtomicInteger ticks = new AtomicInteger();
        AtomicBoolean exited = new AtomicBoolean();
        ServiceServer server = fx.server("spinner", b -> b.route("^/spin$", "request", call -> {
            try {
                while (!call.isCancelled()) {
                    ticks.incrementAndGet();
                    // a tick of work; a cancel's interrupt ends the wait at once and the handler stops
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
                return Reply.json(Map.of("finished", true));
            } finally {
                exited.set(true);
            }
        }));
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            String id = tasks.submit("spinner", Request.of("/spin", "request")).id();
            awaitState(tasks, id, TaskState.STARTED);
            await().atMost(WAIT).until(() -> ticks.get() > 5);

            Task asked = tasks.cancel(id).orElseThrow();
            boolean exitedThen = exited.get();   // read after the snapshot: REVOKED must imply it was already true
            assertTrue(asked.cancelRequested().isPresent());
            assertTrue(asked.state() == TaskState.STARTED || asked.state() == TaskState.REVOKED && exitedThen,
                    () -> asked + " while the handler had exited: " + exitedThen);
            await().pollInterval(1, TimeUnit.MILLISECONDS).atMost(WAIT).until(() -> {
                TaskState state = task(tasks, id).state();
                boolean exitedNow = exited.get();
                assertTrue(state != TaskState.REVOKED || exitedNow, "REVOKED while the handler still ran");
                return state.isDone();
            });

            Task revoked = task(tasks, id);
            CancelledException error = errorOf(revoked, TaskState.REVOKED, CancelledException.class);
            assertEquals(Status.CANCELLED, error.status());
            int stoppedAt = ticks.get();
            await().during(300, TimeUnit.MILLISECONDS).atMost(3, TimeUnit.SECONDS).until(() -> ticks.get() == stoppedAt);
            assertEquals(1, server.stats().cancelled());
            assertEquals(revoked, tasks.cancel(id).orElseThrow(), "a done task is unchanged by cancel");
        }
    }

    @Test
    void cancel_queuedTask_revokedAndItsHandlerNeverRuns() {
        Fixtures.Gate gate = fx.gate();
        AtomicInteger counted = new AtomicInteger();
        ServiceServer server = fx.server("one-worker", b -> b.workers(1)
                .route("^/block$", "request", gate.handler())
                .route("^/count$", "request", call -> Reply.json(Map.of("n", counted.incrementAndGet()))));
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            String blocking = tasks.submit("one-worker", Request.of("/block", "request")).id();
            awaitState(tasks, blocking, TaskState.STARTED);
            String queued = tasks.submit("one-worker", Request.of("/count", "request")).id();
            await().atMost(WAIT).until(() -> server.stats().received() == 2);   // it waits in the worker queue

            tasks.cancel(queued);
            Task revoked = awaitState(tasks, queued, TaskState.REVOKED);
            CancelledException error = errorOf(revoked, TaskState.REVOKED, CancelledException.class);
            assertTrue(error.getMessage().contains("cancelled before it started"), error::getMessage);

            gate.open();
            awaitState(tasks, blocking, TaskState.SUCCESS);
            // the single worker takes jobs in order: once a later task ran, the cancelled one was skipped
            String later = tasks.submit("one-worker", Request.of("/count", "request")).id();
            Task laterDone = awaitState(tasks, later, TaskState.SUCCESS);
            assertEquals(1, Fixtures.json(laterDone.result().orElseThrow()).get("n").asInt());
            assertEquals(1, counted.get());
        }
    }

    @Test
    void cancel_requestNotYetSent_revokedByTheClientAtOnce() {
        ServiceServer gone = fx.echoServer("gone");
        String pull = gone.pullAddress();
        String pub = gone.pubAddress();
        gone.close();   // nothing listens there now: the request waits in the client for an instance
        ServiceClient client = fx.client("no-instance");
        client.register("gone", pull, pub, Fixtures.PASSPHRASE);
        try (TaskRegistry tasks = TaskRegistry.create(client)) {
            String id = tasks.submit("gone", Request.of("/echo", "request")).id();

            tasks.cancel(id);
            await().atMost(WAIT).until(() -> task(tasks, id).isDone());   // long before its deadline (1 h)
            CancelledException error = errorOf(task(tasks, id), TaskState.REVOKED, CancelledException.class);
            assertTrue(error.getMessage().contains("before it was sent"), error::getMessage);
        }
    }

    @Test
    void submit_failingHandlers_failureWithTypedErrorAndStatus() {
        ServiceServer server = fx.server("failing", b -> b
                .route("^/refuse$", "request", call -> {
                    throw new UnauthorizedException(403, "reports are kept");
                })
                .route("^/crash$", "request", call -> {
                    throw new IllegalStateException("bug");
                }));
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            String refused = tasks.submit("failing", Request.of("/refuse", "request")).id();
            String crashed = tasks.submit("failing", Request.of("/crash", "request")).id();
            String unknown = tasks.submit("failing", Request.of("/nowhere", "request")).id();

            await().atMost(WAIT).until(() -> task(tasks, refused).isDone() && task(tasks, crashed).isDone()
                    && task(tasks, unknown).isDone());
            UnauthorizedException forbidden = errorOf(task(tasks, refused), TaskState.FAILURE, UnauthorizedException.class);
            assertEquals(Status.FORBIDDEN, forbidden.status());
            assertTrue(forbidden.getMessage().contains("reports are kept"), forbidden::getMessage);
            assertEquals(Status.INTERNAL_ERROR, errorOf(task(tasks, crashed), TaskState.FAILURE, RemoteException.class).status());
            assertEquals(Status.NOT_FOUND, errorOf(task(tasks, unknown), TaskState.FAILURE, NotFoundException.class).status());
        }
    }

    @Test
    void cancel_workerNeverConfirms_taskEndsAtItsDeadline() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("stubborn", b -> b.route("^/stubborn$", "request", gate.stubbornHandler()));
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            String id = tasks.submit("stubborn", Request.of("/stubborn", "request"), STUBBORN_DEADLINE).id();
            awaitState(tasks, id, TaskState.STARTED);
            awaitEntered(gate);

            tasks.cancel(id);
            await().atMost(WAIT).until(() -> gate.interrupted() > 0);   // the worker got the cancel and ignores it
            // still running; on a machine slow enough to be past the deadline already, ended by it (checked below)
            assertNotEquals(TaskState.REVOKED, task(tasks, id).state(), "not revoked before the worker confirms");

            await().atMost(STUBBORN_DEADLINE.plus(WAIT)).until(() -> task(tasks, id).isDone());
            Task failed = task(tasks, id);
            assertEquals(Status.REQUEST_TIMEOUT, errorOf(failed, TaskState.FAILURE, DeadlineExceededException.class).status());
            assertTrue(failed.cancelRequested().isPresent());
            Duration ran = Duration.between(failed.submitted(), failed.finished().orElseThrow());
            assertTrue(ran.plus(CLOCK_TOLERANCE).compareTo(STUBBORN_DEADLINE) >= 0,
                    "ended after " + ran.toMillis() + " ms, before its deadline of " + STUBBORN_DEADLINE.toMillis() + " ms");
        }
    }

    @Test
    void getAndCancel_unknownIdEmpty_finishedTaskUnchanged() {
        ServiceServer server = fx.echoServer("echo");
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            String id = tasks.submit("echo", Request.of("/echo", "request")).id();
            awaitState(tasks, id, TaskState.SUCCESS);

            String unknown = UUID.randomUUID().toString();
            assertEquals(Optional.empty(), tasks.get(unknown));
            assertEquals(Optional.empty(), tasks.cancel(unknown));
            assertEquals(Optional.empty(), tasks.get(""));
            Task done = task(tasks, id);
            assertEquals(done, tasks.cancel(id).orElseThrow(), "cancel leaves a finished task as it was");
            assertTrue(task(tasks, id).cancelRequested().isEmpty());
        }
    }

    @Test
    void get_finishedTaskPastRetention_evicted() {
        ServiceServer server = fx.echoServer("echo");
        try (TaskRegistry tasks = TaskRegistry.builder(fx.clientFor(server)).retention(Duration.ofMillis(300)).build()) {
            String id = tasks.submit("echo", Request.of("/echo", "request")).id();
            awaitState(tasks, id, TaskState.SUCCESS);

            await().atMost(WAIT).until(() -> tasks.get(id).isEmpty());
            assertEquals(0, tasks.finished());
            assertEquals(Optional.empty(), tasks.cancel(id));
        }
    }

    @Test
    void get_moreFinishedThanMaxFinished_oldestEvicted() {
        ServiceServer server = fx.echoServer("echo");
        try (TaskRegistry tasks = TaskRegistry.builder(fx.clientFor(server)).maxFinished(2).build()) {
            String[] ids = new String[3];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tasks.submit("echo", Request.json("/echo", "request", Map.of("i", i))).id();
                awaitState(tasks, ids[i], TaskState.SUCCESS);
                // its bookkeeping done before the next one ends, so they are kept in the order they ended
                awaitCounts(tasks, 0, Math.min(i + 1, 2));
            }

            // the third task's end evicts the first, just after its state changed (the count is 2 either side)
            await().atMost(WAIT).until(() -> tasks.get(ids[0]).isEmpty());
            assertEquals(1, Fixtures.json(task(tasks, ids[1]).result().orElseThrow()).get("echo").get("i").asInt());
            assertEquals(2, Fixtures.json(task(tasks, ids[2]).result().orElseThrow()).get("echo").get("i").asInt());
            assertEquals(2, tasks.finished());
        }
    }

    @Test
    void submit_beyondClientPendingLimit_throwsBusy() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("held", b -> b.route("^/hold$", "request", gate.handler()));
        ServiceClient client = fx.client(ServiceClient.builder().name("one-call").maxPendingCalls(1));
        client.register("held", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);
        try (TaskRegistry tasks = TaskRegistry.create(client)) {
            String first = tasks.submit("held", Request.of("/hold", "request")).id();

            BusyException busy = assertThrows(BusyException.class, () -> tasks.submit("held", Request.of("/hold", "request")));
            assertEquals(Status.TOO_MANY_REQUESTS, busy.status());
            assertEquals(1, tasks.running());

            gate.open();
            awaitState(tasks, first, TaskState.SUCCESS);
            String next = tasks.submit("held", Request.of("/hold", "request")).id();
            awaitState(tasks, next, TaskState.SUCCESS);
        }
    }

    @Test
    void close_runningTask_cancelledAndNewSubmitsRefused() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("held", b -> b.route("^/hold$", "request", gate.handler()));
        TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server));
        String id = tasks.submit("held", Request.of("/hold", "request")).id();
        awaitState(tasks, id, TaskState.STARTED);
        awaitEntered(gate);

        tasks.close();
        tasks.close();

        Task revoked = awaitState(tasks, id, TaskState.REVOKED);
        assertTrue(revoked.cancelRequested().isPresent());
        assertEquals(1, gate.interrupted());
        ServiceUnavailableException closed = assertThrows(ServiceUnavailableException.class,
                () -> tasks.submit("held", Request.of("/hold", "request")));
        assertEquals("client-of-held - task registry is closed", closed.getMessage());
        awaitCounts(tasks, 0, 1);
    }

    @Test
    void submit_unknownService_throwsUnavailableAndKeepsNothing() {
        ServiceServer server = fx.echoServer("echo");
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            assertThrows(ServiceUnavailableException.class, () -> tasks.submit("nope", Request.of("/echo", "request")));
            assertEquals(0, tasks.running());
        }
    }
}
