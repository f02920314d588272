package org.offload.bench;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.offload.client.ServiceClient;
import org.offload.micrometer.OffloadObservations;
import org.offload.service.Encryption;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * Offload as an application uses it, in this JVM over tcp on 127.0.0.1 with the passphrase proof on: one
 * plaintext service ({@link Encryption#NONE}) with a route per payload, one client with the default callback
 * executor (virtual threads; the callbacks of one receiver pass share one), one with callbacks run on its receiver thread. The same service
 * with CURVE for the encrypted rows beside them. Each service also has a cast route per payload, whose
 * handler counts the casts it runs. A service keeps every library default, for the rows that
 * count outcomes at large windows. A service and client pair is observed by {@code offload-micrometer} (call
 * timers on both sides into a {@link SimpleMeterRegistry}), for the rows that show what metrics cost per call.
 */
final class OffloadSide implements AutoCloseable {
    static final String PASSPHRASE = "bench-passphrase-4f1c9a7e2b6d8035";
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    static final String ECHO = "echo";
    static final String ECHO_CURVE = "echo-curve";
    static final String DEFAULTS = "defaults";
    /**
     * The deadline of the calls that set a part of the run up (first calls, which also wait out the slow
     * joiner, and warm-ups): never measured, so as generous as a machine busy with other work needs.
     */
    static final Duration SETUP_DEADLINE = Duration.ofSeconds(30);
    /**
     * Deadline of every measured Offload call (the call, call-from-64-threads and pipelined callAsync rows),
     * like the nowait TTL of the send rows. With the default 5 s a
     * service's deadline-aware admission refused (429) requests queued behind the seconds of work a
     * pipelined round leaves queued on a loaded 2-core machine: those rows measure throughput, not shedding
     * (the overload row does that).
     */
    static final Duration PIPELINE_DEADLINE = Duration.ofSeconds(30);
    /** The library's default liveness ping interval, kept. */
    static final Duration LIVENESS_INTERVAL = Duration.ofMillis(500);
    /**
     * Liveness timeout of the clients that cast (the default is 1.5 s). A service answers pings on its
     * receiver thread, in turn with the requests before them, and a cast has no reply that would show the
     * instance alive meanwhile: with 4,096 casts of 16 KiB queued, CURVE at about 1 ms each, a ping waits
     * some 5 s, the client takes the instance for silent, recreates its connections and the casts queued in
     * them are lost. These rows measure throughput, so the timeout is the measured calls' deadline.
     */
    static final Duration CAST_LIVENESS_TIMEOUT = PIPELINE_DEADLINE;
    /** The bench service's queue: room for every window used, so throughput rows never meet a 429. */
    static final int QUEUE_CAPACITY = 65_536;

    private final ServiceServer echo;
    private final ServiceServer echoCurve;
    private final ServiceServer defaults;
    final ServiceClient client;
    final ServiceClient direct;
    /**
     * The CURVE rows' client. Apart from {@link #client}: a client has one SUB per service key, and one with
     * both a plaintext and a CURVE service polls two SUBs, which would slow the plaintext rows down.
     */
    final ServiceClient curve;
    private final ServiceServer observedEcho;
    /** A client whose calls, and whose service's requests, are timed by Micrometer observations. */
    final ServiceClient observed;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private volatile Pipelined.Outcome nowaitOutcome = ok -> { };
    /** Where the cast routes' handlers (and the casts' send failures) report: the running cast round's. */
    private volatile Pipelined.Outcome castOutcome = ok -> { };

    OffloadSide() {
        echo = routes(ServiceServer.builder().name("bench-echo").queueCapacity(QUEUE_CAPACITY)
                .encryption(Encryption.NONE)).build().start();
        echoCurve = routes(ServiceServer.builder().name("bench-echo-curve").queueCapacity(QUEUE_CAPACITY)
                .encryption(Encryption.CURVE)).build().start();
        defaults = routes(ServiceServer.builder().name("bench-defaults")).build().start();
        client = ServiceClient.builder().name("bench-client").liveness(LIVENESS_INTERVAL, CAST_LIVENESS_TIMEOUT).build();
        direct = ServiceClient.builder().name("bench-direct").callbackExecutor(Runnable::run).build();
        curve = ServiceClient.builder().name("bench-curve").liveness(LIVENESS_INTERVAL, CAST_LIVENESS_TIMEOUT).build();
        for (ServiceClient c : new ServiceClient[] {client, direct}) {
            c.register(ECHO, echo.pullAddress(), echo.pubAddress(), PASSPHRASE, Encryption.NONE);
        }
        curve.register(ECHO_CURVE, echoCurve.pullAddress(), echoCurve.pubAddress(), PASSPHRASE, Encryption.CURVE);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        observedEcho = routes(ServiceServer.builder().name("bench-observed").queueCapacity(QUEUE_CAPACITY)
                .observer(OffloadObservations.server(observations))).build().start();
        observed = ServiceClient.builder().name("bench-observed-client")
                .observer(OffloadObservations.client(observations)).build();
        observed.register(ECHO, observedEcho.pullAddress(), observedEcho.pubAddress(), PASSPHRASE);
        client.register(DEFAULTS, defaults.pullAddress(), defaults.pubAddress(), PASSPHRASE);
        for (ServiceClient c : new ServiceClient[] {client, curve}) {
            c.onResponse("^/bench/", (request, reply) -> nowaitOutcome.done(accepts(payloadOf(request), reply)))
                    .onError("^" + Payload.CAST_PREFIX, Payload.METHOD, (service, request, error) -> castOutcome.done(false))
                    .onError((service, request, error) -> nowaitOutcome.done(false));
        }
        for (Payload p : Payload.values()) { // the first call also waits out the slow joiner
            p.accept(client.call(ECHO, p.offloadRequest(), SETUP_DEADLINE));
            p.accept(direct.call(ECHO, p.offloadRequest(), SETUP_DEADLINE));
            p.accept(curve.call(ECHO_CURVE, p.offloadRequest(), SETUP_DEADLINE));
            p.accept(observed.call(ECHO, p.offloadRequest(), SETUP_DEADLINE));
        }
    }

    /**
     * The echo route of every payload, and its cast route, whose handler counts each cast it runs into the
     * running cast round (a cast has no reply: the worker's count is how its end is known).
     */
    private ServiceServer.Builder routes(ServiceServer.Builder b) {
        b.bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE);
        for (Payload p : Payload.values()) {
            b.route("^" + p.path() + "$", Payload.METHOD, p.handler());
            b.route("^" + p.castPath() + "$", Payload.METHOD, call -> {
                castOutcome.done(true);
                return Reply.ok(call.body());
            });
        }
        return b;
    }

    /** {@code call} from the thread that runs it, to the plaintext service. */
    Latency.Op call(Payload p) {
        return call(client, p);
    }

    /** {@code call} on {@code c} from the thread that runs it. */
    Latency.Op call(ServiceClient c, Payload p) {
        return () -> p.accept(c.call(ECHO, p.offloadRequest(), PIPELINE_DEADLINE));
    }

    /** {@code call} from the thread that runs it, to the CURVE service. */
    Latency.Op callCurve(Payload p) {
        return () -> p.accept(curve.call(ECHO_CURVE, p.offloadRequest(), PIPELINE_DEADLINE));
    }

    /** {@code callAsync} on {@code c} to the plaintext service; the reply is checked on the callback executor. */
    Pipelined.Pipeline callAsync(ServiceClient c, Payload p) {
        return callAsync(c, ECHO, p::offloadRequest, reply -> accepts(p, reply));
    }

    /** {@code callAsync} to the CURVE service. */
    Pipelined.Pipeline callAsyncCurve(Payload p) {
        return callAsync(curve, ECHO_CURVE, p::offloadRequest, reply -> accepts(p, reply));
    }

    /** {@code callAsync} of {@code service} on {@code c}: a success is a reply {@code check} accepts. */
    static Pipelined.Pipeline callAsync(ServiceClient c, String service, Supplier<Request> request,
                                        Predicate<Reply> check) {
        return Pipelined.async(outcome -> c.callAsync(service, request.get(), PIPELINE_DEADLINE).whenComplete((reply, error) ->
                outcome.done(error == null && check.test(reply))));
    }

    /** {@code send} (nowait) to the plaintext service; replies are counted in the client's response handler. */
    Pipelined.Pipeline send(Payload p) {
        return send(client, ECHO, p);
    }

    /** {@code send} (nowait) to the CURVE service. */
    Pipelined.Pipeline sendCurve(Payload p) {
        return send(curve, ECHO_CURVE, p);
    }

    private Pipelined.Pipeline send(ServiceClient c, String service, Payload p) {
        return pipeline(outcome -> nowaitOutcome = outcome, () -> c.send(service, p.offloadRequest()));
    }

    /** A pipeline whose outcomes are reported elsewhere (a handler), handed {@code open}'s outcome. */
    private static Pipelined.Pipeline pipeline(java.util.function.Consumer<Pipelined.Outcome> open, Runnable send) {
        return new Pipelined.Pipeline() {
            @Override
            public void open(Pipelined.Outcome outcome) {
                open.accept(outcome);
            }

            @Override
            public void send() {
                send.run();
            }
        };
    }

    /**
     * {@code cast} (no reply) to the plaintext service: each cast is counted when the service's handler runs
     * it, which frees its slot in the window (as the high-water marks bound raw one-way PUSH).
     */
    Pipelined.Pipeline cast(Payload p) {
        return cast(client, ECHO, p);
    }

    /** {@code cast} to the CURVE service. */
    Pipelined.Pipeline castCurve(Payload p) {
        return cast(curve, ECHO_CURVE, p);
    }

    private Pipelined.Pipeline cast(ServiceClient c, String service, Payload p) {
        return pipeline(outcome -> castOutcome = outcome, () -> c.cast(service, p.castRequest()));
    }

    private static boolean accepts(Payload p, Reply reply) {
        try {
            p.accept(reply);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Payload payloadOf(Request request) {
        for (Payload p : Payload.values()) {
            if (p.path().equals(request.path())) {
                return p;
            }
        }
        throw new IllegalArgumentException("no payload for " + request.path());
    }

    @Override
    public void close() {
        client.close();
        direct.close();
        curve.close();
        observed.close();
        observedEcho.close();
        echo.close();
        echoCurve.close();
        defaults.close();
    }
}
