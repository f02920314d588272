package org.offload.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceUnavailableException;

/** The README's "Testing your own service" example, as it is printed there. */
class ReadmeExampleTest {
    @RegisterExtension
    final OffloadKit kit = new OffloadKit();   // closes what it made after each test

    @Test
    @Timeout(30)
    void report_workerBusyOnce_callerSeesTheStatusThenTheReport() {
        TestService reports = kit.service("reports")
                .route("^/report/", "request", call -> Reply.json(Map.of("report", call.path())))
                .start();                      // ephemeral ports on 127.0.0.1; its client is ready
        reports.faults().on("^/report/").next(1).answer(503);

        assertThrows(ServiceUnavailableException.class, () -> reports.call(Request.of("/report/7", "request")));
        Reply reply = reports.call(Request.of("/report/7", "request"));
        assertEquals("/report/7", reply.body().json().get("report").asText());
    }
}
