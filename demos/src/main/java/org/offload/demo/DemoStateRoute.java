package org.offload.demo;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.offload.client.TaskRegistry;

/**
 * {@code GET /demo/state}: everything the demo page refreshes, in one JSON answer — the newest tasks
 * ({@value #MAX_TASKS} at most, of {@code tasks_total} started), the latest replies that reached the response
 * handler, and the workers table ({@link WorkerWatch}). The page polls it.
 */
final class DemoStateRoute extends Route {
    static final String PATH = "/demo/state";
    /** Task rows in one answer: the page stays light however many tasks were started. */
    static final int MAX_TASKS = 30;

    private final TaskRegistry tasks;
    private final TaskLog log;
    private final RecentReplies replies;
    private final WorkerWatch workers;

    DemoStateRoute(TaskRegistry tasks, TaskLog log, RecentReplies replies, WorkerWatch workers) {
        super(PATH, "GET");
        this.tasks = tasks;
        this.log = log;
        this.replies = replies;
        this.workers = workers;
    }

    @Override
    WebResponse serve(WebRequest web) {
        Instant now = Instant.now();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tasks", log.newest(MAX_TASKS).stream().map(tasks::get).flatMap(Optional::stream)
                .map(task -> TaskView.row(task, now)).toList());
        out.put("tasks_total", log.size());
        out.put("tasks_running", tasks.running());
        List<Map<String, Object>> recent = replies.list().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", e.at().toString());
            m.put("path", e.path());
            m.put("status", e.status());
            m.put("text", e.text());
            return m;
        }).toList();
        out.put("replies", recent);
        out.put("workers", workers.rows());
        return WebResponse.json(200, out);
    }
}
