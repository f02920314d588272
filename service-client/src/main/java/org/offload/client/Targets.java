package org.offload.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Wire;

/** Calls aimed at instances rather than at a service: one named instance, every instance, casts to all. */
final class Targets {
    private final ServiceClient client;

    Targets(ServiceClient client) {
        this.client = client;
    }

    static Request cast(Request request) {
        return request.withHeader(Wire.REPLY_MODE, Wire.NO_REPLY);
    }

    Reply callInstance(String service, String instance, Request request, Duration deadline) {
        ServiceEntry entry = client.entry(service);
        Instance target = find(entry, instance);
        CompletableFuture<Reply> future = new CompletableFuture<>();
        client.submit(service, request, deadline, CallMode.SYNC, future, null, target);
        return await(future, deadline, service, request);
    }

    List<InstanceOutcome> fanout(String service, Request request, Duration deadline) {
        ServiceEntry entry = client.entry(service);
        List<Instance> all = List.copyOf(entry.instances);
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (Instance i : all) {
            CompletableFuture<Reply> f = new CompletableFuture<>();
            futures.add(f);
            try {
                client.submit(service, request, deadline, CallMode.SYNC, f, null, i);
            } catch (ServiceException e) {
                f.completeExceptionally(e);
            }
        }
        List<InstanceOutcome> outcomes = new ArrayList<>();
        for (int n = 0; n < all.size(); n++) {
            Instance i = all.get(n);
            Optional<Reply> reply = Optional.empty();
            Optional<ServiceException> failure = Optional.empty();
            try {
                reply = Optional.of(await(futures.get(n), deadline, service, request));
            } catch (ServiceException e) {
                failure = Optional.of(e);
            }
            outcomes.add(new InstanceOutcome(i.instanceId, i.pullAddress, reply, failure));
        }
        return outcomes;
    }

    void castAll(String service, Request request) {
        ServiceEntry entry = client.entry(service);
        for (Instance i : List.copyOf(entry.instances)) {
            client.submit(service, cast(request), client.settings().nowaitTtl(), CallMode.CAST, null, null, i);
        }
    }

    private static Instance find(ServiceEntry entry, String instance) {
        for (Instance i : entry.instances) {
            if (i.instanceId.equals(instance) || i.pullAddress.equals(instance)) {
                return i;
            }
        }
        List<String> known = entry.instances.stream()
                .map(i -> i.instanceId.isEmpty() ? i.pullAddress : i.instanceId + " (" + i.pullAddress + ")").toList();
        throw new ServiceUnavailableException("no instance " + instance + " of " + entry.name + " is registered"
                + " (instances: " + known + ")");
    }

    private Reply await(CompletableFuture<Reply> future, Duration deadline, String service, Request request) {
        try {
            return future.get(deadline.toMillis() + client.settings().closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw ServiceClient.rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new DeadlineExceededException(client.name() + " - " + service + " - no reply to request "
                    + request.path() + " after " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException(client.name() + " - interrupted while waiting for " + request.path());
        }
    }
}
