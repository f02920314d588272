package org.offload.client;

import java.util.ArrayList;
import java.util.List;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Sealed;

/**
 * The requests the sender thread has sealed for one instance in its current pass and not yet sent: at the
 * end of the pass (or when full, or before anything else goes to that instance) they leave in one batch frame
 * ({@link Batch}, PROTOCOL.md section 2.2), or as they are when there is one. Nothing waits for a batch to
 * fill: a pass sends what it found. Sender thread only.
 */
final class RequestBatch {
    private final List<byte[]> frames = new ArrayList<>();
    private final List<Pending> calls = new ArrayList<>();
    private int bytes = Batch.HEADER_BYTES;

    /** True when {@code frame} may join a batch: a version-2 frame small enough to be worth the copy. */
    static boolean batchable(Instance to, Sealed m) {
        return to.readsBatches && m.frame() != null && m.frame().length <= Batch.MAX_ENTRY_BYTES;
    }

    /** The largest batch frame {@code to} takes from the Java sender. */
    static int limit(Instance to) {
        return Math.min(Batch.MAX_BYTES, to.maxRequestBytes);
    }

    boolean isEmpty() {
        return calls.isEmpty();
    }

    /** True when a frame of {@code frameBytes} still fits, within {@link Batch#MAX_ENTRIES} and {@code limit}. */
    boolean fits(int frameBytes, int limit) {
        return calls.size() < Batch.MAX_ENTRIES && bytes + Batch.entryBytes(frameBytes) <= limit;
    }

    void add(Pending p, byte[] frame) {
        frames.add(frame);
        calls.add(p);
        bytes += Batch.entryBytes(frame.length);
    }

    /** What goes on the wire: the one request's own frame, or the batch frame of all of them. */
    Sealed message() {
        return Sealed.single(frames.size() == 1 ? frames.get(0) : Batch.encode(frames));
    }

    /** The calls in the batch, in the order they were added (a copy: the batch is cleared next). */
    List<Pending> calls() {
        return List.copyOf(calls);
    }

    void clear() {
        frames.clear();
        calls.clear();
        bytes = Batch.HEADER_BYTES;
    }
}
