package org.offload.demo;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code POST /demo/workers/NAME/ACTION}: freeze (SIGSTOP), thaw (SIGCONT), stop (SIGTERM) or start a demo
 * worker, through the supervisor that owns the processes. 200 with what was done; 409 when the action does
 * not apply (e.g. thaw a running worker); 503 when the front end runs without a supervisor.
 */
final class WorkerActionRoute extends Route {
    static final String PREFIX = "/demo/workers/";

    private final Optional<SupervisorControl> control;

    WorkerActionRoute(Optional<SupervisorControl> control) {
        super(PREFIX, Pattern.compile(Pattern.quote(PREFIX) + "([A-Za-z0-9-]+)/(freeze|thaw|stop|start)/?"), "POST");
        this.control = control;
    }

    @Override
    WebResponse serve(WebRequest web) throws IOException {
        if (control.isEmpty()) {
            return WebResponse.error(503, "this front end runs without the demo's supervisor: nothing to freeze or stop");
        }
        try {
            SupervisorControl.Outcome outcome = control.get().act(web.pathGroup(1), web.pathGroup(2));
            return outcome.status() == 200 ? WebResponse.json(200, Map.of("done", outcome.message()))
                    : WebResponse.error(outcome.status(), outcome.message());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return WebResponse.error(503, "interrupted");
        }
    }
}
