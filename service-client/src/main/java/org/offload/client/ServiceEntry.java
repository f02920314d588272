package org.offload.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
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
    /** {@link ServiceClient#awaitReady} callers waiting for an instance to enter the rotation (sender thread only). */
    final List<CompletableFuture<Void>> readyWaiters = new ArrayList<>();
    private int next;

    ServiceEntry(String name, Proof proof, ClientSecurity security) {
        this.name = name;
        this.proof = proof;
        this.security = security;
    }

    /**
     * The instance in the rotation (alive, not stopping, writable) with the fewest calls in flight, round
     * robin among equals, other than {@code avoid} (may be null); null when none can take a call now.
     */
    Instance pick(Instance avoid) {
        return pick(avoid, i -> true);
    }

    /** {@link #pick(Instance)} among the instances {@code eligible} accepts. */
    Instance pick(Instance avoid, Predicate<Instance> eligible) {
        int n = instances.size();
        Instance best = null;
        for (int i = 0; i < n; i++) {
            Instance candidate = instances.get((next + i) % n);
            if (candidate != avoid && (best == null || candidate.inFlight.get() < best.inFlight.get())
                    && candidate.inRotation() && eligible.test(candidate)) {
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

    /** Sender thread: completes {@code ready} now if an instance can take a call, else when one enters the rotation. */
    void whenReady(CompletableFuture<Void> ready) {
        if (instances.stream().anyMatch(Instance::inRotation)) {
            ready.complete(null);
        } else {
            readyWaiters.add(ready);
        }
    }

    /** Sender thread: an instance entered the rotation. */
    void ready() {
        readyWaiters.forEach(w -> w.complete(null));
        readyWaiters.clear();
    }

    /**
     * Sender thread: why a call found no instance to take it, with the addresses and what to check. An
     * instance that never answered is the usual mistake (worker not running, wrong port, PULL and PUB
     * swapped: the handshake of a PUSH with an XPUB fails); one that answered before went silent, is
     * stopping, or is full.
     */
    String noInstanceReason() {
        List<String> never = new ArrayList<>();
        List<String> silent = new ArrayList<>();
        List<String> stopping = new ArrayList<>();
        List<String> notWritable = new ArrayList<>();
        for (Instance i : instances) {
            if (i.inRotation()) {
                continue;
            }
            if (i.stopping) {
                stopping.add(i.addresses());
            } else if (!i.alive) {
                (i.answered ? silent : never).add(i.addresses());
            } else {
                notWritable.add(i.addresses());
            }
        }
        if (instances.isEmpty()) {
            return "service " + name + " has no instances (its discovery lists none now)";
        }
        if (never.size() == instances.size()) {
            return "no instance of " + name + " connected: " + String.join(", ", never)
                    + " - is the worker running, are PULL and PUB in the right order, and does it use the same"
                    + " encryption (" + security.encryption() + " here) and passphrase?";
        }
        int out = never.size() + silent.size() + stopping.size() + notWritable.size();
        if (out == 0) {
            return "no instance of " + name + " could take it in time (all " + instances.size()
                    + " can take calls again now)";
        }
        List<String> parts = new ArrayList<>();
        add(parts, silent, "answered before but went silent (no pong within the liveness timeout; reconnecting)");
        add(parts, stopping, "are stopping");
        add(parts, notWritable, "answered before but are not writable now (their send queue is full)");
        if (!never.isEmpty()) {
            parts.add(never.size() + " never connected: " + String.join(", ", never) + " - is the worker running"
                    + " there, with the same encryption (" + security.encryption() + " here) and passphrase?");
        }
        return "no instance of " + name + " could take it: " + String.join("; ", parts);
    }

    private void add(List<String> parts, List<String> addresses, String what) {
        if (!addresses.isEmpty()) {
            parts.add(addresses.size() + " of " + instances.size() + " " + what + ": " + String.join(", ", addresses));
        }
    }
}
