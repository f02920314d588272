package org.offload.testing;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.offload.client.ServiceClient;
import org.offload.client.ServiceRef;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Checks;

/**
 * A service the kit started, registered in the kit's client and already in its rotation: a first call is
 * sent at once. Its {@link #faults()} act on the calls it serves. Closed by the kit.
 */
public final class TestService {
    private final ServiceServer server;
    private final ServiceClient client;
    private final ServiceRef ref;
    private final Faults faults;

    private TestService(ServiceServer server, ServiceClient client, ServiceRef ref, Faults faults) {
        this.server = server;
        this.client = client;
        this.ref = ref;
        this.faults = faults;
    }

    /** The name the service is registered under in {@link #client()}. */
    public String name() {
        return ref.name();
    }

    public ServiceServer server() {
        return server;
    }

    /** The kit's client, with this service registered and ready. */
    public ServiceClient client() {
        return client;
    }

    /** This service in {@link #client()}. */
    public ServiceRef ref() {
        return ref;
    }

    /** The faults injected into this service's handlers. */
    public Faults faults() {
        return faults;
    }

    public String pullAddress() {
        return server.pullAddress();
    }

    public String pubAddress() {
        return server.pubAddress();
    }

    /** A sync call with the kit's deadline: the successful reply, or the typed exception. */
    public Reply call(Request request) {
        return ref.call(request);
    }

    public CompletableFuture<Reply> callAsync(Request request) {
        return ref.callAsync(request);
    }

    /** Nowait: the reply goes to the client's response handler for its path and METHOD. */
    public void send(Request request) {
        ref.send(request);
    }

    @Override
    public String toString() {
        return "TestService[" + name() + " on " + pullAddress() + " / " + pubAddress() + "]";
    }

    /**
     * Sets up a test service: routes (each handler behind the service's {@link Faults}), any
     * {@link ServiceServer.Builder} option, and inproc instead of tcp loopback; {@link #start()} starts it.
     */
    public static final class Builder {
        private final OffloadKit kit;
        private final ServiceServer.Builder server;
        private final Faults faults;
        private String name;
        private boolean inproc;
        private boolean started;

        Builder(OffloadKit kit, String name, ServiceServer.Builder server, Faults faults) {
            this.kit = kit;
            this.name = name;
            this.server = server;
            this.faults = faults;
        }

        /** A route, as {@link ServiceServer.Builder#route}; after a definition's routes when there is one. */
        public Builder route(String pathRegex, String method, Handler handler) {
            check();
            server.route(pathRegex, method, faults.wrap(handler));
            return this;
        }

        /** This service's faults, to set up before it starts (e.g. to fail its very first call). */
        public Faults faults() {
            return faults;
        }

        /**
         * The name the service is registered under in the client (default: the service's name). Several test
         * services under one name are instances of one service; {@code start()} then returns once the service
         * has an instance in the rotation, not necessarily this one.
         */
        public Builder registerAs(String serviceName) {
            check();
            this.name = Checks.notBlank("serviceName", serviceName);
            return this;
        }

        public Builder workers(int workers) {
            check();
            server.workers(workers);
            return this;
        }

        /** Any other {@link ServiceServer.Builder} option (not {@code bind}: the kit picks the addresses). */
        public Builder configure(Consumer<ServiceServer.Builder> options) {
            check();
            Objects.requireNonNull(options, "options").accept(server);
            return this;
        }

        /** Binds {@code inproc://} addresses of this JVM instead of ephemeral tcp ports on 127.0.0.1. */
        public Builder inproc() {
            check();
            this.inproc = true;
            return this;
        }

        /**
         * Starts the service, registers it in the kit's client and waits until it is in the client's
         * rotation (at most the kit's ready timeout; {@link IllegalStateException} after it).
         */
        public TestService start() {
            check();
            started = true;
            return kit.start(name, server, faults, inproc, (s, client, ref) -> new TestService(s, client, ref, faults));
        }

        private void check() {
            if (started) {
                throw new IllegalStateException("this builder already started " + name + "; use kit.service(...) again");
            }
        }
    }

    /** How the kit hands back what it started. */
    interface Factory {
        TestService create(ServiceServer server, ServiceClient client, ServiceRef ref);
    }
}
