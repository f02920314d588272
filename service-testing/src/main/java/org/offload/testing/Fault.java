package org.offload.testing;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.offload.service.Call;

/**
 * One fault rule of a test service: which calls it acts on, how many are left, and how many it acted on.
 * Made by {@link Faults.Rule}; {@link #remove()} takes it out.
 */
public final class Fault {
    static final long EVERY_CALL = Long.MAX_VALUE;

    private final Faults owner;
    private final Pattern path;
    private final Optional<String> method;
    private final FaultAction action;
    private final AtomicLong left;
    private final AtomicLong applied = new AtomicLong();

    Fault(Faults owner, Pattern path, Optional<String> method, long count, FaultAction action) {
        this.owner = owner;
        this.path = path;
        this.method = method;
        this.action = action;
        this.left = new AtomicLong(count);
    }

    /** True when this fault takes {@code call}: it matches, and a call was left (now counted). */
    boolean claim(Call call) {
        if (!path.matcher(call.path()).lookingAt() || method.map(m -> !m.equals(call.method())).orElse(false)) {
            return false;
        }
        long n;
        do {
            n = left.get();
            if (n == 0) {
                return false;
            }
        } while (n != EVERY_CALL && !left.compareAndSet(n, n - 1));
        applied.incrementAndGet();
        return true;
    }

    FaultAction action() {
        return action;
    }

    /** How many calls this fault acted on so far. */
    public long applied() {
        return applied.get();
    }

    /** True while it may still act on a call (every-call faults until removed). */
    public boolean isActive() {
        return left.get() > 0;
    }

    /** Takes this fault out; the calls it already acts on are not affected. */
    public void remove() {
        left.set(0);
        owner.remove(this);
    }

    @Override
    public String toString() {
        return "Fault[" + action + " on '" + path + "'" + method.map(m -> " " + m).orElse("")
                + (left.get() == EVERY_CALL ? ", every call" : ", " + left.get() + " left") + ", applied "
                + applied.get() + "]";
    }
}
