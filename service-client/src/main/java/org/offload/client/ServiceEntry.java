package org.offload.client;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.offload.service.internal.Proof;

/** A registered service: its name, passphrase proof and instances. Instances change on the sender thread only. */
final class ServiceEntry {
    final String name;
    final Proof proof;
    final List<Instance> instances = new CopyOnWriteArrayList<>();
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int next;

    ServiceEntry(String name, Proof proof) {
        this.name = name;
        this.proof = proof;
    }

    /** The writable instance with the fewest calls in flight (round robin among equals), or null. */
    Instance pick() {
        int n = instances.size();
        Instance best = null;
        for (int i = 0; i < n; i++) {
            Instance candidate = instances.get((next + i) % n);
            if ((best == null || candidate.inFlight.get() < best.inFlight.get()) && candidate.writable()) {
                best = candidate;
                if (best.inFlight.get() == 0) {
                    break;
                }
            }
        }
        if (best != null) {
            next = (instances.indexOf(best) + 1) % n;
        }
        return best;
    }

    int connected() {
        int c = 0;
        for (Instance i : instances) {
            if (i.writable()) {
                c++;
            }
        }
        return c;
    }
}
