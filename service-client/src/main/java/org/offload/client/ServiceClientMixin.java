package org.offload.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * Gives any class (typically a web handler) service calls: implement {@link #serviceClient()} to return the
 * application's shared client. Services are named by their PULL address, as in
 * {@link ServiceClient#register(String, String, String)}; registering again is a no-op, so handlers may
 * register on every request.
 */
public interface ServiceClientMixin {

    /** The application's client (one per application, shared). */
    ServiceClient serviceClient();

    default ServiceRef registerService(String pullAddress, String pubAddress, String passphrase) {
        return serviceClient().register(pullAddress, pubAddress, passphrase);
    }

    /** A request whose body is {@code arguments} as JSON (a map, a record, ...). */
    default Request createServiceRequest(String path, String method, Object arguments) {
        return Request.json(path, method, arguments);
    }

    /** Sync call with the client's default deadline; throws a typed exception on failure. */
    default Reply sendServiceRequest(String service, Request request) {
        return serviceClient().call(service, request);
    }

    default Reply sendServiceRequest(String service, Request request, Duration deadline) {
        return serviceClient().call(service, request, deadline);
    }

    /**
     * Sync call whose reply also runs the response handler for its path + METHOD: brubeck's
     * {@code (response, handler_response) = send_service_request(...)}; see {@link ServiceClient#callAndHandle}.
     */
    default <T> HandledReply<T> sendServiceRequestAndHandle(String service, Request request, Class<T> resultType) {
        return serviceClient().callAndHandle(service, request, resultType);
    }

    default CompletableFuture<Reply> sendServiceRequestAsync(String service, Request request) {
        return serviceClient().callAsync(service, request);
    }

    /** Async call with its own deadline; the future fails with a typed exception. */
    default CompletableFuture<Reply> sendServiceRequestAsync(String service, Request request, Duration deadline) {
        return serviceClient().callAsync(service, request, deadline);
    }

    /** Nowait: the reply goes to the client's response handler for its path + METHOD; the handle cancels it. */
    default Cancellable sendServiceRequestNowait(String service, Request request) {
        return serviceClient().send(service, request);
    }

    /** Cast: no reply is asked for, nothing waits (failures to send go to the error handlers). */
    default void castServiceRequest(String service, Request request) {
        serviceClient().cast(service, request);
    }
}
