package org.offload.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.offload.client.Task;
import org.offload.client.TaskRegistry;
import org.offload.service.Body;

/**
 * {@code GET /v2/task/ID}: the task's state, its latest progress ({@code {"fraction", "message"}}, as the
 * worker's handler reported it), its result once {@code SUCCESS}, its error once
 * {@code FAILURE} or {@code REVOKED}, and links (cancel while it runs). {@code DELETE /v2/task/ID}: asks the
 * worker to stop it and answers 204 at once; the task turns {@code REVOKED} when the worker confirms
 * (within moments: its handler checks for cancellation). 404 for an unknown id, 409 for a task that ended.
 */
final class TaskRoute extends Route {
    static final String PREFIX = "/v2/task/";

    private final TaskRegistry tasks;

    TaskRoute(TaskRegistry tasks) {
        super(PREFIX, Pattern.compile(Pattern.quote(PREFIX) + "([^/]+)/?"), "GET", "DELETE");
        this.tasks = tasks;
    }

    @Override
    WebResponse serve(WebRequest web) {
        String id = web.pathGroup(1);
        if (web.method().equals("GET")) {
            return tasks.get(id).map(task -> WebResponse.json(200, json(task))).orElseGet(() -> unknown(id));
        }
        Optional<Task> known = tasks.get(id);
        if (known.isEmpty()) {
            return unknown(id);
        }
        if (known.get().isDone()) {
            return WebResponse.error(409, "task " + id + " already ended " + known.get().state());
        }
        return tasks.cancel(id).map(task -> WebResponse.noContent()).orElseGet(() -> unknown(id));
    }

    static String href(Task task) {
        return PREFIX + task.id();
    }

    /** What the front end shows of a task. */
    static Map<String, Object> json(Task task) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_id", task.id());
        out.put("path", task.path());
        out.put("state", task.state().name());
        out.put("submitted", task.submitted().toString());
        task.progress().ifPresent(p -> out.put("progress", Map.of("fraction", p.fraction(), "message", p.message())));
        task.finished().ifPresent(at -> out.put("finished", at.toString()));
        task.cancelRequested().ifPresent(at -> out.put("cancel_requested", at.toString()));
        task.result().ifPresent(reply -> out.put("result", Body.JSON.equals(reply.body().contentType())
                ? reply.body().json() : reply.body().text()));
        task.error().ifPresent(error -> {
            out.put("error", error.getMessage());
            out.put("error_status", error.status());
        });
        out.put("links", links(task));
        return out;
    }

    static List<Map<String, String>> links(Task task) {
        List<Map<String, String>> links = new ArrayList<>();
        links.add(Map.of("rel", "task", "method", "GET", "href", href(task)));
        if (!task.isDone()) {
            links.add(Map.of("rel", "cancel", "method", "DELETE", "href", href(task)));
        }
        return links;
    }

    private static WebResponse unknown(String id) {
        return WebResponse.error(404, "no task " + id + " (unknown, or ended more than "
                + TaskRegistry.DEFAULT_RETENTION.toMinutes() + " minutes ago)");
    }
}
