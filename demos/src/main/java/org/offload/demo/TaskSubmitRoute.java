package org.offload.demo;

import java.util.Map;
import java.util.function.Function;
import org.offload.client.ServiceClient;
import org.offload.client.Task;
import org.offload.client.TaskRegistry;

/**
 * {@code POST /v2/iostat?count=N&wait=S} (validated like {@code /v1/iostat}) and {@code POST
 * /v2/primes?seconds=N} (a CPU task, {@link PrimeCount}): submits the work to the cpu workers as a task and
 * answers 201 at once with {@code {"task_id": ..., "links": [...]}} and a {@code Location} header pointing at
 * {@code /v2/task/ID}. The task is listed on the demo page ({@link TaskLog}).
 */
final class TaskSubmitRoute extends ServiceRoute {
    static final String IOSTAT_PATH = "/v2/iostat";
    static final String PRIMES_PATH = "/v2/primes";

    private final TaskRegistry tasks;
    private final TaskLog log;
    private final String service;
    private final Function<WebRequest, ForwardRoute.Forward> forward;

    TaskSubmitRoute(ServiceClient client, TaskRegistry tasks, TaskLog log, String service, String path,
                    Function<WebRequest, ForwardRoute.Forward> forward) {
        super(client, path, "POST");
        this.tasks = tasks;
        this.log = log;
        this.service = service;
        this.forward = forward;
    }

    @Override
    WebResponse serve(WebRequest web) {
        ForwardRoute.Forward f = forward.apply(web);
        Task task = tasks.submit(service, f.request(), f.deadline());
        log.add(task.id());
        return WebResponse.json(201, Map.of("task_id", task.id(), "state", task.state().name(),
                "links", TaskRoute.links(task))).withHeader("Location", TaskRoute.href(task));
    }
}
