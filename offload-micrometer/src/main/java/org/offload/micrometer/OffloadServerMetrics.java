package org.offload.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import org.offload.service.ServerStats;
import org.offload.service.ServiceServer;

/**
 * A service instance's {@link ServerStats} as meters: {@code offload.server.<field>} (snake case) for every
 * field, counters for the counts and gauges for {@code in_flight} and {@code parked}, plus the
 * {@code offload.server.queued} gauge when given the server's {@link OffloadServerObserver}. Tagged
 * {@code rpc.system=offload} and {@code rpc.service=<name>}. A Spring Boot application binds it by
 * declaring it as a bean.
 */
public final class OffloadServerMetrics implements MeterBinder {
    /** Meter names start with this. */
    public static final String PREFIX = "offload.server.";

    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("received", "well-formed, authentic requests accepted for routing"),
            Map.entry("replied", "final replies handed to the PUB socket"),
            Map.entry("unauthorized", "requests with a bad proof or outside the replay window"),
            Map.entry("replayed", "requests dropped as replays"),
            Map.entry("malformed", "messages that broke the protocol"),
            Map.entry("notFound", "requests answered 404 or 405"),
            Map.entry("busy", "requests answered 429 (worker queue full)"),
            Map.entry("failed", "handlers that threw (500)"),
            Map.entry("expired", "requests whose deadline passed before a worker took them"),
            Map.entry("cancelled", "calls cancelled by their client or by stop"),
            Map.entry("dropped", "replies dropped (parked too long or over the bound)"),
            Map.entry("inFlight", "requests accepted and not yet answered"),
            Map.entry("parked", "replies waiting for their client's subscription or for room"));

    private final ServiceServer server;
    private final OffloadServerObserver observer;

    /** Meters for {@code server}'s stats. */
    public OffloadServerMetrics(ServiceServer server) {
        this.server = Objects.requireNonNull(server, "server");
        this.observer = null;
    }

    /** Meters for {@code server}'s stats plus the queue gauge of {@code observer}, the one the server was built with. */
    public OffloadServerMetrics(ServiceServer server, OffloadServerObserver observer) {
        this.server = Objects.requireNonNull(server, "server");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of(OffloadTags.SYSTEM, OffloadTags.SYSTEM_VALUE, OffloadTags.SERVICE, server.name());
        StatsMeters.bind(registry, PREFIX, ServerStats.class, server, ServiceServer::stats, tags, DESCRIPTIONS);
        if (observer != null) {
            Gauge.builder(PREFIX + "queued", observer, OffloadServerObserver::queued).tags(tags)
                    .description("requests accepted and waiting for a worker").register(registry);
        }
    }
}
