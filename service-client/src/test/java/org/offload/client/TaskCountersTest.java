package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** A task seen ended through {@link TaskRegistry#get} is already counted as ended (issue 9, defect 10). */
class TaskCountersTest {
    private static final int TASKS = 400;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void get_taskSeenEnded_runningAndFinishedAlreadyCountIt() {
        ServiceServer server = fx.echoServer("counted");
        try (TaskRegistry tasks = TaskRegistry.create(fx.clientFor(server))) {
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                String id = tasks.submit("counted", Request.json("/echo", "request", Map.of("i", i))).id();
                // spin on the snapshot: the first read that says ENDED must find the counters updated too
                while (!tasks.get(id).orElseThrow().isDone()) {
                    Thread.onSpinWait();
                }
                int running = tasks.running();
                int finished = tasks.finished();
                if (running != 0 || finished != i + 1) {
                    mismatches.add("task " + i + ": running=" + running + ", finished=" + finished);
                }
            }
            assertEquals(List.of(), mismatches);
        }
    }
}
