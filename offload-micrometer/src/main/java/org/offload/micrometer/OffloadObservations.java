package org.offload.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import org.offload.client.ClientObserver;
import org.offload.service.ObservedCall;
import org.offload.service.ServerObserver;

/**
 * Micrometer Observation instrumentation for Offload: one observation per client call and one per
 * service request. With a meter handler on the registry (Spring Boot adds one) they become
 * {@code rpc.client.duration} / {@code rpc.server.duration} timers plus {@code .active} long task timers;
 * with Micrometer Tracing's propagating handlers (Spring Boot adds them when a tracer is present) they
 * become spans, and the client's writes W3C {@code traceparent}/{@code tracestate} into the request
 * headers that the service's reads.
 *
 * <pre>{@code
 * ServiceClient client = ServiceClient.builder().observer(OffloadObservations.client(observationRegistry)).build();
 * OffloadServerObserver observer = OffloadObservations.server(observationRegistry);
 * ServiceServer server = ServiceServer.builder()...observer(observer).build().start();
 * }</pre>
 */
public final class OffloadObservations {
    private OffloadObservations() {
    }

    /** Observes client calls with the default convention. */
    public static ClientObserver client(ObservationRegistry registry) {
        return clientObserver(registry, null);
    }

    /** Observes client calls; {@code custom} names and tags them instead of the default convention. */
    public static ClientObserver client(ObservationRegistry registry, OffloadClientObservationConvention custom) {
        return clientObserver(registry, Objects.requireNonNull(custom, "custom"));
    }

    private static ClientObserver clientObserver(ObservationRegistry registry, OffloadClientObservationConvention custom) {
        Objects.requireNonNull(registry, "registry");
        return (service, request, headers) -> {
            if (registry.isNoop()) {
                return ObservedCall.NONE;
            }
            OffloadClientContext context = new OffloadClientContext(service, request, headers);
            Observation observation = Observation.createNotStarted(custom,
                    DefaultOffloadClientObservationConvention.INSTANCE, () -> context, registry).start();
            return new ObservationCall(observation, context, null);
        };
    }

    /** Observes service requests with the default convention. */
    public static OffloadServerObserver server(ObservationRegistry registry) {
        return new OffloadServerObserver(Objects.requireNonNull(registry, "registry"), null);
    }

    /** Observes service requests; {@code custom} names and tags them instead of the default convention. */
    public static OffloadServerObserver server(ObservationRegistry registry, OffloadServerObservationConvention custom) {
        return new OffloadServerObserver(Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(custom, "custom"));
    }
}
