package org.offload.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.offload.service.Reply;
import org.offload.service.Request;

/** A registered service, bound to its client: the same calls without repeating the name. */
public final class ServiceRef {
    private final ServiceClient client;
    private final String name;

    ServiceRef(ServiceClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** PULL addresses of the registered instances. */
    public List<String> instances() {
        return client.instances(name);
    }

    /** {@link ServiceClient#awaitReady(String, Duration)} for this service. */
    public boolean awaitReady(Duration timeout) {
        return client.awaitReady(name, timeout);
    }

    public Reply call(Request request) {
        return client.call(name, request);
    }

    public Reply call(Request request, Duration deadline) {
        return client.call(name, request, deadline);
    }

    public CompletableFuture<Reply> callAsync(Request request) {
        return client.callAsync(name, request);
    }

    public CompletableFuture<Reply> callAsync(Request request, Duration deadline) {
        return client.callAsync(name, request, deadline);
    }

    public Cancellable send(Request request) {
        return client.send(name, request);
    }

    public void cast(Request request) {
        client.cast(name, request);
    }

    public List<InstanceOutcome> fanout(Request request, Duration deadline) {
        return client.fanout(name, request, deadline);
    }

    public Reply callInstance(String instance, Request request, Duration deadline) {
        return client.callInstance(name, instance, request, deadline);
    }

    @Override
    public String toString() {
        return "ServiceRef[" + name + "]";
    }
}
