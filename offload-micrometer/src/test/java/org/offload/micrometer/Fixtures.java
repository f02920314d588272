package org.offload.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.offload.client.ServiceClient;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.ServiceServer;

/**
 * Shared fixtures: an observation registry with a meter handler (and, for tracing tests, Micrometer Tracing
 * over the OpenTelemetry SDK with W3C propagation), services on ephemeral loopback ports and clients, all
 * closed after each test (a {@code @RegisterExtension} field).
 */
final class Fixtures implements AutoCloseable, AfterEachCallback {
    static final String PASSPHRASE = "test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    /** Deadline of calls whose deadline the test is not about: far beyond what a call takes. */
    static final Duration DEADLINE = Duration.ofSeconds(15);
    /** Upper bound of waits for what normally takes milliseconds. */
    static final Duration WAIT = Duration.ofSeconds(15);

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ObservationRegistry observations = ObservationRegistry.create();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<CountDownLatch> gates = Collections.synchronizedList(new ArrayList<>());
    private Tracer tracer;

    Fixtures() {
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    }

    MeterRegistry meters() {
        return meters;
    }

    /**
     * Adds tracing to {@link #observations} (as Spring Boot does when a tracer is on the classpath): spans
     * through Micrometer Tracing's OpenTelemetry bridge, W3C trace context propagated by the client's and
     * read by the service's handler.
     */
    Tracer tracing() {
        if (tracer != null) {
            return tracer;
        }
        SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        resources.add(sdk::close);
        io.opentelemetry.api.trace.Tracer otelTracer = sdk.getTracer("offload-test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        tracer = new OtelTracer(otelTracer, current, event -> { },
                new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(sdk.getPropagators(), otelTracer);
        observations.observationConfig().observationHandler(
                new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        return tracer;
    }

    /** A started, observed service with {@code ^/echo$ request} (echoes the body) plus what {@code custom} adds. */
    ServiceServer server(String name, OffloadServerObserver observer, UnaryOperator<ServiceServer.Builder> custom) {
        ServiceServer.Builder b = ServiceServer.builder().name(name).bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE)
                .observer(observer)
                .route("^/echo$", "request", call -> Reply.json(Map.of("echo", call.json())));
        ServiceServer server = custom.apply(b).build().start();
        resources.add(server);
        return server;
    }

    /** An observed client with {@code server} registered under the server's name. */
    ServiceClient clientFor(ServiceServer server) {
        ServiceClient client = ServiceClient.builder().name("client-of-" + server.name()).deadline(DEADLINE)
                .observer(OffloadObservations.client(observations)).build();
        resources.add(client);
        client.register(server.name(), server.pullAddress(), server.pubAddress(), PASSPHRASE);
        return client;
    }

    /** A handler that counts itself in {@code entered} and blocks until {@link #close()} or the latch opens. */
    Handler blocking(CountDownLatch release, AtomicInteger entered) {
        gates.add(release);
        return call -> {
            entered.incrementAndGet();
            release.await();
            return Reply.json(Map.of("released", true));
        };
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
        gates.forEach(CountDownLatch::countDown);
        Exception first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }
}
