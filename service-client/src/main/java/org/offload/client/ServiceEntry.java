package org.offload.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.offload.service.internal.Proof;

/**
 * A registered service: its name, passphrase proof, encryption and instances. Instances change on the sender
 * thread only.
 */
final class ServiceEntry {
    final String name;
    final Proof proof;
    final ClientSecurity security;
    final List<Instance> instances = new CopyOnWriteArrayList<>();
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int next;

    ServiceEntry(String name, Proof proof, ClientSecurity security) {
        this.name = name;
        this.proof = proof;
        this.security = security;
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

    /**
     * Sender thread: why a call found no instance to take it, with the addresses and what to check. An
     * instance that never answered is the usual mistake (worker not running, wrong port, PULL and PUB
     * swapped: the handshake of a PUSH with an XPUB fails); one that answered before is gone or full.
     */
    String noInstanceReason() {
        List<String> never = new ArrayList<>();
        List<String> notWritable = new ArrayList<>();
        for (Instance i : instances) {
            if (i.writable()) {
                continue;
            }
            (i.answered ? notWritable : never).add(i.addresses());
        }
        if (never.size() == instances.size()) {
            return "no instance of " + name + " connected: " + String.join(", ", never)
                    + " - is the worker running, are PULL and PUB in the right order, and does it use the same"
                    + " encryption (" + security.encryption() + " here) and passphrase?";
        }
        if (never.isEmpty() && notWritable.isEmpty()) {
            return "no instance of " + name + " could take it in time (all " + instances.size()
                    + " are writable again now)";
        }
        StringBuilder why = new StringBuilder("no instance of " + name + " could take it: ");
        if (!notWritable.isEmpty()) {
            why.append(notWritable.size()).append(" of ").append(instances.size())
                    .append(" answered before but are not writable now (disconnected, or their send queue is full): ")
                    .append(String.join(", ", notWritable));
        }
        if (!never.isEmpty()) {
            why.append(notWritable.isEmpty() ? "" : "; ").append(never.size()).append(" never connected: ")
                    .append(String.join(", ", never)).append(" - is the worker running there, with the same encryption ("
                    + security.encryption() + " here) and passphrase?");
        }
        return why.toString();
    }
}
