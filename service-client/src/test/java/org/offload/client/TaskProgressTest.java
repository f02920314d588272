package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Progress;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** Task progress over real sockets (issue 12 item 7): Task.progress() moves in order; plain calls ignore it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskProgressTest {
    private static final int STEPS = 4;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void progress_handlerReportsSteps_taskShowsEachFrom0To1InOrder() {
        Semaphore seen = new Semaphore(0);
        ServiceServer server = fx.server("stepper", b -> b.route("^/steps$", "request", call -> {
            for (int i = 0; i <= STEPS; i++) {
                call.progress((double) i / STEPS, "step " + i + " of " + STEPS);
                seen.acquire(); // the test saw this step: the next one cannot overtake it
            }
            return Reply.json(Map.of("steps", STEPS));
        }));
        ServiceClient client = fx.clientFor(server);
        TaskRegistry tasks = TaskRegistry.create(client);
        Task task = tasks.submit("stepper", Request.of("/steps", "request"));

        List<Progress> observed = new ArrayList<>();
        for (int i = 0; i <= STEPS; i++) {
            Progress expected = new Progress((double) i / STEPS, "step " + i + " of " + STEPS);
            await().atMost(Fixtures.WAIT).pollInterval(Duration.ofMillis(2)).until(() -> {
                Optional<Progress> now = tasks.get(task.id()).orElseThrow().progress();
                now.filter(p -> observed.isEmpty() || !observed.get(observed.size() - 1).equals(p)).ifPresent(observed::add);
                return now.equals(Optional.of(expected));
            });
            assertEquals(TaskState.STARTED, tasks.get(task.id()).orElseThrow().state());
            seen.release();
        }

        await().atMost(Fixtures.WAIT).until(() -> tasks.get(task.id()).orElseThrow().isDone());
        Task done = tasks.get(task.id()).orElseThrow();
        assertEquals(TaskState.SUCCESS, done.state());
        assertEquals(Optional.of(new Progress(1.0, "step 4 of 4")), done.progress(), "kept after the end");
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), observed.stream().map(Progress::fraction).toList());
    }

    @Test
    void progress_tightLoop_listenerSeesFewReportsInOrderEndingWithTheLast() {
        ServiceServer server = fx.server("looper", b -> b.route("^/loop$", "request", call -> {
            long start = System.nanoTime();
            long spin = Duration.ofMillis(400).toNanos();
            for (long t; (t = System.nanoTime() - start) < spin; ) {
                call.progress((double) t / spin, "working");
            }
            call.progress(1.0, "done");
            return Reply.ok(org.offload.service.Body.empty());
        }));
        ServiceClient client = fx.clientFor(server);
        List<Reply> interim = new CopyOnWriteArrayList<>();

        ServiceClient.CallHandle handle = client.start("looper", Request.of("/loop", "request"), Fixtures.DEADLINE,
                interim::add);
        Reply last = handle.future().join();

        assertEquals(Status.OK, last.status());
        assertEquals(Status.STARTED, interim.get(0).status(), "102 first");
        List<Progress> reports = interim.subList(1, interim.size()).stream()
                .map(r -> Progress.of(r).orElseThrow(() -> new AssertionError("not a progress reply: " + r))).toList();
        // 400 ms at one report per 100 ms (the default interval), plus the first and the last
        assertTrue(!reports.isEmpty() && reports.size() <= 7, reports.size() + " reports: " + reports);
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i).fraction() > reports.get(i - 1).fraction(), "in order: " + reports);
        }
        assertEquals(new Progress(1.0, "done"), reports.get(reports.size() - 1));
    }

    @Test
    void call_requestAsksForProgress_plainCallIgnoresTheReportsAndGetsTheReply() {
        ServiceServer server = fx.server("reporting", b -> b.route("^/report$", "request", call -> {
            for (int i = 0; i <= 10; i++) {
                call.progress(i / 10.0, "step " + i);
            }
            return Reply.json(Map.of("wanted", call.wantsProgress()));
        }));
        ServiceClient client = fx.clientFor(server);

        Reply reply = client.call("reporting", Request.of("/report", "request")
                .withHeader("offload-notify", "started,progress"));
        Reply async = client.callAsync("reporting", Request.of("/report", "request")
                .withHeader("offload-notify", "progress")).join();

        assertEquals("{\"wanted\":true}", reply.body().json().toString());
        assertEquals(Status.OK, async.status());
        assertEquals(0, client.stats().malformedReplies());
        assertEquals(0, client.stats().lateReplies(), "no report came after a final reply");
    }
}
