package org.offload.client;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.offload.service.internal.Proof;
import org.offload.service.internal.WarnLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one service's instances in step with its {@link Discovery}: on its own daemon thread, it asks every
 * interval, registers what appeared and retires what disappeared (out of the rotation at once, closed when
 * its calls in flight end, so no call is lost). A lookup that fails keeps the current instances.
 */
final class DiscoveryWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    private final ServiceClient client;
    private final String clientName;
    private final String service;
    private final Discovery discovery;
    private final Proof proof;
    private final ClientSecurity security;
    private final Duration interval;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final WarnLimiter warn = new WarnLimiter();
    private Set<InstanceAddress> current = Set.of();

    DiscoveryWatcher(ServiceClient client, String clientName, String service, Discovery discovery, Proof proof,
                     ClientSecurity security, Duration interval) {
        this.security = security;
        this.client = client;
        this.clientName = clientName;
        this.service = service;
        this.discovery = discovery;
        this.proof = proof;
        this.interval = interval;
        this.thread = Thread.ofPlatform().daemon().name(clientName + "-discovery-" + service).unstarted(this::run);
    }

    /** The first lookup, on the caller's thread, so register reports a discovery that cannot answer at all. */
    void start() throws Exception {
        apply(discovery.instances());
        thread.start();
    }

    private void run() {
        try {
            while (!stopped.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                List<InstanceAddress> found;
                try {
                    found = discovery.instances();
                } catch (Exception e) {
                    if (warn.tryAcquire()) {
                        log.warn("{} - discovery of {} failed, keeping its {} instances: {}", clientName, service,
                                current.size(), e.toString());
                    }
                    continue;
                }
                apply(found);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("{} - discovery of {} stopped", clientName, service, e);
        }
    }

    private void apply(List<InstanceAddress> found) {
        Set<InstanceAddress> next = new LinkedHashSet<>();
        for (InstanceAddress a : found) {
            if (current.contains(a)) {
                next.add(a);
            } else {
                try {
                    client.register(service, a, proof, security);
                    next.add(a);
                    log.info("{} - discovery added {} instance {}", clientName, service, a.pullAddress());
                } catch (RuntimeException e) { // tried again at the next lookup
                    if (warn.tryAcquire()) {
                        log.warn("{} - discovery found {} instance {} but cannot register it: {}", clientName, service,
                                a.pullAddress(), e.getMessage());
                    }
                }
            }
        }
        for (InstanceAddress a : current) {
            if (!next.contains(a)) {
                client.retire(service, a.pullAddress());
                log.info("{} - discovery retired {} instance {}", clientName, service, a.pullAddress());
            }
        }
        current = Set.copyOf(next);
    }

    @Override
    public void close() {
        stopped.countDown();
    }
}
