package org.offload.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's children by name, and what a person may do to a worker from the demo page: freeze it
 * (SIGSTOP), thaw it (SIGCONT), stop it (SIGTERM) and start it again with the same command (same ports).
 * A child stopped on purpose does not end the demo; one that exits by itself does.
 */
final class Children {
    /** Where a child is, as the demo page shows it. */
    enum State { RUNNING, FROZEN, STOPPED }

    /** How to start one child. */
    record Spec(String name, List<String> command, Map<String, String> env, boolean controllable) {
        Spec {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }
    }

    /** What the control route lists of one child. */
    record View(String name, long pid, State state, boolean controllable, List<String> command) {
    }

    private static final class Slot {
        final Spec spec;
        Child child;
        State state = State.RUNNING;

        Slot(Spec spec, Child child) {
            this.spec = spec;
            this.child = child;
        }
    }

    private final PrintStream out;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    Children(PrintStream out) {
        this.out = out;
    }

    synchronized Child start(Spec spec) throws IOException {
        Child child = Child.start(spec.name(), spec.command(), spec.env(), out);
        slots.put(spec.name(), new Slot(spec, child));
        return child;
    }

    synchronized List<View> list() {
        List<View> views = new ArrayList<>();
        for (Slot s : slots.values()) {
            State state = s.state == State.RUNNING && !s.child.isAlive() ? State.STOPPED : s.state;
            views.add(new View(s.spec.name(), s.child.process().pid(), state, s.spec.controllable(), s.spec.command()));
        }
        return views;
    }

    synchronized List<Child> all() {
        return slots.values().stream().map(s -> s.child).toList();
    }

    /** A child that exited although nobody stopped it, if any. */
    synchronized Optional<Child> exitedByItself() {
        return slots.values().stream().filter(s -> s.state != State.STOPPED && !s.child.isAlive())
                .map(s -> s.child).findFirst();
    }

    /**
     * Applies {@code action} (freeze, thaw, stop, start) to child {@code name}; returns what it did, or
     * throws {@link IllegalArgumentException} (unknown child or action, or one that cannot apply now).
     */
    String act(String name, String action) throws IOException, InterruptedException {
        Child toAwait;
        synchronized (this) {
            Slot s = slots.get(name);
            if (s == null || !s.spec.controllable()) {
                throw new IllegalArgumentException("no worker '" + name + "' (workers: " + controllable() + ")");
            }
            switch (action) {
                case "freeze" -> {
                    require(s, State.RUNNING, action);
                    signal(s.child, "STOP");
                    s.state = State.FROZEN;
                    return "froze " + s.child + " (SIGSTOP)";
                }
                case "thaw" -> {
                    require(s, State.FROZEN, action);
                    signal(s.child, "CONT");
                    s.state = State.RUNNING;
                    return "thawed " + s.child + " (SIGCONT)";
                }
                case "stop" -> {
                    if (s.state == State.STOPPED) {
                        throw new IllegalArgumentException(name + " is already stopped");
                    }
                    if (s.state == State.FROZEN) {
                        signal(s.child, "CONT"); // a frozen process would hold SIGTERM until thawed
                    }
                    s.state = State.STOPPED;
                    s.child.terminate();
                    toAwait = s.child;
                }
                case "start" -> {
                    require(s, State.STOPPED, action);
                    if (s.child.isAlive()) {
                        throw new IllegalArgumentException(name + " is still stopping; try again in a moment");
                    }
                    s.child = Child.start(s.spec.name(), s.spec.command(), s.spec.env(), out);
                    s.state = State.RUNNING;
                    return "started " + s.child;
                }
                default -> throw new IllegalArgumentException("unknown action '" + action
                        + "' (freeze, thaw, stop, start)");
            }
        }
        boolean clean = toAwait.awaitExit(DemoMain.STOP_TIMEOUT);
        return "stopped " + toAwait + (clean ? " (SIGTERM)" : " (killed: SIGTERM was not enough)");
    }

    /** Thaws every frozen child, so that SIGTERM reaches it when the demo stops. */
    synchronized void thawAll() {
        for (Slot s : slots.values()) {
            if (s.state == State.FROZEN) {
                try {
                    signal(s.child, "CONT");
                    s.state = State.RUNNING;
                } catch (IOException | InterruptedException e) {
                    out.println("[demo] could not thaw " + s.child + ": " + e);
                }
            }
        }
    }

    private List<String> controllable() {
        return slots.values().stream().filter(s -> s.spec.controllable()).map(s -> s.spec.name()).toList();
    }

    private static void require(Slot s, State state, String action) {
        State now = s.state == State.RUNNING && !s.child.isAlive() ? State.STOPPED : s.state;
        if (now != state) {
            throw new IllegalArgumentException("cannot " + action + " " + s.spec.name() + ": it is " + now);
        }
    }

    /** {@code kill -SIG pid}: the JDK sends only SIGTERM and SIGKILL itself. */
    private static void signal(Child child, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(child.process().pid()))
                .redirectErrorStream(true).start();
        kill.getOutputStream().close();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IOException("kill -" + signal + " " + child.process().pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes()).trim());
        }
    }
}
