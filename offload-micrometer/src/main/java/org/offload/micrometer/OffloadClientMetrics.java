package org.offload.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import org.offload.client.ClientStats;
import org.offload.client.ServiceClient;

/**
 * A client's {@link ClientStats} as meters: {@code offload.client.<field>} (snake case) for every field,
 * counters for the counts and a gauge for {@code pending}. Tagged {@code rpc.system=offload} and
 * {@code offload.client=<name>}. A Spring Boot application binds it by declaring it as a bean.
 */
public final class OffloadClientMetrics implements MeterBinder {
    /** Meter names start with this. */
    public static final String PREFIX = "offload.client.";

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "sent", "requests written to a PUSH socket",
            "replies", "final replies matched to a pending call",
            "timeouts", "calls that ended with no reply before their deadline",
            "unavailable", "calls that ended with no connected instance to take them",
            "lateReplies", "authentic-looking replies for no pending call",
            "badProofReplies", "replies whose proof did not verify",
            "malformedReplies", "replies that broke the protocol",
            "unhandled", "nowait replies no response or error handler matched",
            "pending", "calls waiting for a reply or an instance");

    private final ServiceClient client;

    public OffloadClientMetrics(ServiceClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of(OffloadTags.SYSTEM, OffloadTags.SYSTEM_VALUE, OffloadTags.CLIENT, client.name());
        StatsMeters.bind(registry, PREFIX, ClientStats.class, client, ServiceClient::stats, tags, DESCRIPTIONS);
    }
}
