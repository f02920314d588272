package org.offload.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.offload.client.Task;

/** What the demo page shows of one task: its row (state, progress, elapsed time, outcome). */
final class TaskView {
    /** Characters of a result or error shown in a row. */
    static final int MAX_OUTCOME = 160;

    private TaskView() {}

    /**
     * How far the task has got, as far as the front end knows: {@code fraction} 0..1 and a message for people.
     * Empty when the task reports no progress; the page then shows an indeterminate bar with the state and
     * the elapsed time. This is the one place that reads a task's progress.
     */
    record Progress(double fraction, String message) {
    }

    static Optional<Progress> progress(Task task) {
        return task.progress().map(p -> new Progress(p.fraction(), p.message()));
    }

    static Map<String, Object> row(Task task, Instant now) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", task.id());
        row.put("path", task.path());
        row.put("state", task.state().name());
        row.put("done", task.isDone());
        row.put("elapsed_ms", Duration.between(task.submitted(), task.finished().orElse(now)).toMillis());
        row.put("cancel_requested", task.cancelRequested().isPresent());
        progress(task).ifPresent(p -> row.put("progress", Map.of("fraction", p.fraction(), "message", p.message())));
        task.result().ifPresent(reply -> row.put("outcome", cut(reply.body().text())));
        task.error().ifPresent(error -> row.put("outcome", cut(error.status() + " " + error.getMessage())));
        return row;
    }

    private static String cut(String text) {
        return text.length() > MAX_OUTCOME ? text.substring(0, MAX_OUTCOME) + "…" : text;
    }
}
