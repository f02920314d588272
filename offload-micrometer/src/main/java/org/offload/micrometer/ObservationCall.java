package org.offload.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.transport.ResponseContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.offload.service.ObservedCall;

/**
 * One call's started {@link Observation}: its scope opens around the handler or a client callback, and it
 * stops with the final status. On the service side it also keeps the observer's count of queued requests:
 * a request counts as queued from its start until its scope first opens (a worker took it) or it ends.
 */
final class ObservationCall implements ObservedCall {
    private final Observation observation;
    private final ResponseContext<Integer> context;
    /** Service side: the observer's queued count; null on the client side. */
    private final AtomicInteger queued;
    private volatile boolean dequeued;

    ObservationCall(Observation observation, ResponseContext<Integer> context, AtomicInteger queued) {
        this.observation = observation;
        this.context = context;
        this.queued = queued;
    }

    @Override
    public Scope openScope() {
        leaveQueue();
        Observation.Scope scope = observation.openScope();
        return scope::close;
    }

    @Override
    public void end(int status, Duration elapsed) {
        leaveQueue();
        context.setResponse(status);
        observation.stop();
    }

    private void leaveQueue() {
        if (queued != null && !dequeued) {
            synchronized (this) {
                if (!dequeued) {
                    dequeued = true;
                    queued.decrementAndGet();
                }
            }
        }
    }
}
