package org.offload.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.offload.service.internal.Sealed;

/**
 * The sender thread's open {@link RequestBatch}es, one per instance that has requests sealed in this pass.
 * A batch leaves when full, before anything else goes to its instance (so each instance sees request ids
 * grow), and at the end of every pass. A batch the PUSH does not take un-sends its calls: they leave the
 * pending map and go back to wait, to be sent again under new ids. Sender thread only.
 */
final class RequestBatches {
    private final Map<Long, Pending> pending;
    private final Consumer<Pending> onSent;
    private final List<Instance> open = new ArrayList<>();
    private final List<Pending> unsent = new ArrayList<>();

    /** {@code pending}: the client's calls in flight by request id; {@code onSent}: told of each call that left. */
    RequestBatches(Map<Long, Pending> pending, Consumer<Pending> onSent) {
        this.pending = pending;
        this.onSent = onSent;
    }

    /** Adds {@code p}, sealed as {@code m} (batchable: {@link RequestBatch#batchable}), to {@code to}'s batch. */
    void add(Instance to, Pending p, Sealed m) {
        RequestBatch b = to.batch;
        if (!b.fits(m.frame().length, RequestBatch.limit(to))) {
            flush(to);
        }
        if (b.isEmpty()) {
            open.add(to);
        }
        b.add(p, m.frame());
    }

    /** Sends {@code to}'s batch, if it has one; calls the PUSH does not take are held for {@link #endPass}. */
    void flush(Instance to) {
        RequestBatch b = to.batch;
        if (b.isEmpty()) {
            return;
        }
        boolean taken = to.send(b.message());
        for (Pending p : b.calls()) {
            if (taken) {
                onSent.accept(p);
            } else if (!p.isDone()) { // an ended call was already taken out of the map by whoever ended it
                pending.remove(p.requestId);
                to.inFlight.decrementAndGet();
                p.instance = null;
                unsent.add(p);
            }
        }
        b.clear();
    }

    /** End of a pass: sends every open batch; returns the calls none took, oldest first (then forgotten). */
    List<Pending> endPass() {
        for (Instance i : open) {
            flush(i);
        }
        open.clear();
        if (unsent.isEmpty()) {
            return List.of();
        }
        List<Pending> back = List.copyOf(unsent);
        unsent.clear();
        return back;
    }

    /** The instance leaves (unregistered): its batch is dropped, its calls are failed by the caller. */
    void discard(Instance i) {
        i.batch.clear();
        open.remove(i);
    }
}
