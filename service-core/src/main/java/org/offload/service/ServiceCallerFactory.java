package org.offload.service;

import java.util.List;

/**
 * Opens the {@link ServiceCaller} that a service started from a definition file with {@code CALLS} lines gives
 * its handlers ({@link Call#callService}). Found with {@link java.util.ServiceLoader}: {@code service-client}
 * provides one, so a worker whose definition calls other services needs that jar on its class path. The
 * server closes the caller when it stops, if the caller is {@link AutoCloseable}.
 */
public interface ServiceCallerFactory {
    /**
     * A caller named {@code name} (logs, thread names) with each of {@code services} registered under its
     * own name, as {@code ServiceClient.register(ServiceEndpoint)} does.
     */
    ServiceCaller open(String name, List<ServiceEndpoint> services);
}
