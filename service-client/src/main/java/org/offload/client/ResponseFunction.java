package org.offload.client;

import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * A response handler that makes something of the reply: registered with {@link ServiceClient#mapResponse}, it
 * serves nowait replies like any {@link ResponseHandler} (its result is then dropped), and
 * {@link ServiceClient#callAndHandle} hands its result to the caller beside the reply.
 *
 * @param <T> what it makes of a reply
 */
@FunctionalInterface
public interface ResponseFunction<T> extends ResponseHandler {
    /** What the reply means to the application; null for nothing. */
    T apply(Request request, Reply reply);

    @Override
    default void onResponse(Request request, Reply reply) {
        apply(request, reply);
    }
}
