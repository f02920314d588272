package org.offload.demo;

import java.util.regex.Pattern;
import org.offload.client.ServiceClient;
import org.offload.client.ServiceClientMixin;

/** A front-end route that calls worker services through the {@link ServiceClientMixin}. */
abstract class ServiceRoute extends Route implements ServiceClientMixin {
    private final ServiceClient client;

    ServiceRoute(ServiceClient client, String context, String... methods) {
        super(context, methods);
        this.client = client;
    }

    ServiceRoute(ServiceClient client, String context, Pattern path, String... methods) {
        super(context, path, methods);
        this.client = client;
    }

    @Override
    public ServiceClient serviceClient() {
        return client;
    }
}
