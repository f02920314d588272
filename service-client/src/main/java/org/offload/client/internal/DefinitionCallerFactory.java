package org.offload.client.internal;

import java.util.List;
import org.offload.client.ServiceClient;
import org.offload.service.ServiceCaller;
import org.offload.service.ServiceCallerFactory;
import org.offload.service.ServiceEndpoint;

/**
 * The {@link ServiceCallerFactory} that {@link java.util.ServiceLoader} finds in this jar: a
 * {@link ServiceClient} with each service of a definition's {@code CALLS} lines registered. Not for
 * applications, which build their own {@code ServiceClient}.
 */
public final class DefinitionCallerFactory implements ServiceCallerFactory {
    @Override
    public ServiceCaller open(String name, List<ServiceEndpoint> services) {
        ServiceClient client = ServiceClient.builder().name(name).build();
        try {
            services.forEach(client::register);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }
}
