package org.offload.demo;

import java.util.Map;
import org.offload.client.ServiceClient;
import org.offload.client.Task;
import org.offload.client.TaskRegistry;
import org.offload.service.Request;

/**
 * {@code POST /v2/iostat?count=N&wait=S}: validates like {@code /v1/iostat}, submits the work to the cpu
 * worker as a task and answers 201 at once with {@code {"task_id": ..., "links": [...]}} and a
 * {@code Location} header pointing at {@code /v2/task/ID}.
 */
final class TaskSubmitRoute extends ServiceRoute {
    static final String PATH = "/v2/iostat";

    private final TaskRegistry tasks;
    private final Endpoint cpu;

    TaskSubmitRoute(ServiceClient client, TaskRegistry tasks, Endpoint cpu) {
        super(client, PATH, "POST");
        this.tasks = tasks;
        this.cpu = cpu;
    }

    @Override
    WebResponse serve(WebRequest web) {
        IoStatParams params = IoStatParams.parse(web::param);
        Request request = createServiceRequest(PATH, Request.DEFAULT_METHOD, params.toJson());
        Task task = tasks.submit(cpu.service(), request, params.duration().plus(WebFrontEnd.CALL_MARGIN));
        return WebResponse.json(201, Map.of("task_id", task.id(), "state", task.state().name(),
                "links", TaskRoute.links(task))).withHeader("Location", TaskRoute.href(task));
    }
}
