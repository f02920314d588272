package org.offload.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.offload.service.ObservedCall;
import org.offload.service.Request;
import org.offload.service.ServerObserver;

/**
 * The service side of {@link OffloadObservations}: one observation per routed request, from receipt to
 * the final reply, whose scope is open while the handler runs (so the handler sees the caller's trace).
 * It also counts the requests waiting for a worker, for {@link OffloadServerMetrics}'s queue gauge.
 */
public final class OffloadServerObserver implements ServerObserver {
    private final ObservationRegistry registry;
    private final OffloadServerObservationConvention custom;
    private final AtomicInteger queued = new AtomicInteger();

    OffloadServerObserver(ObservationRegistry registry, OffloadServerObservationConvention custom) {
        this.registry = registry;
        this.custom = custom;
    }

    @Override
    public ObservedCall onRequest(String service, String route, Request request) {
        if (registry.isNoop()) {
            return ObservedCall.NONE;
        }
        OffloadServerContext context = new OffloadServerContext(service, route, request);
        Observation observation = Observation.createNotStarted(custom,
                DefaultOffloadServerObservationConvention.INSTANCE, () -> context, registry).start();
        queued.incrementAndGet();
        return new ObservationCall(observation, context, queued);
    }

    /** Requests accepted and not yet taken by a worker (refusals pass through at once). */
    public int queued() {
        return queued.get();
    }
}
