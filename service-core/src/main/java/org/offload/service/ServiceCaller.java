package org.offload.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a handler calls other services through ({@link Call#callService}): in practice an
 * {@code org.offload.client.ServiceClient}, given to the server with {@code ServiceServer.Builder#caller}.
 */
public interface ServiceCaller {
    /** Blocks until the reply or {@code deadline}; failures are typed {@link ServiceException}s. */
    Reply call(String service, Request request, Duration deadline);

    /** The same, as a future. */
    CompletableFuture<Reply> callAsync(String service, Request request, Duration deadline);
}
