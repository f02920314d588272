package org.offload.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The calls not yet ended, earliest deadline first (then in submit order): the sender thread's, and only its.
 * A binary heap with lazy removal: a call that ends on another thread (its reply, a cancel) is not taken out
 * there, it is skipped when it comes to the head, and the heap drops every ended call at once whenever they
 * could be more than half of it ({@link #add}). Was a {@code ConcurrentSkipListSet} that every reply removed
 * from on the receiver thread: two comparator-driven walks and a node allocation per call, 8-9 % of both the
 * sender's and the receiver's samples.
 *
 * <p>Memory: besides the calls not ended it holds at most as many ended ones again, plus {@value #SLACK}.
 */
final class DeadlineQueue {
    /** Ended calls the heap may hold beyond the live ones before it sweeps them out. */
    static final int SLACK = 64;

    private Pending[] heap = new Pending[256];
    private int size;

    int size() {
        return size;
    }

    /**
     * Adds {@code p}. {@code liveAtMost} bounds the calls in the heap not ended yet (the client's pending
     * gauge): when the heap is over twice that (plus {@value #SLACK}), the ended ones go first, in one sweep.
     */
    void add(Pending p, int liveAtMost) {
        if (size >= 2L * Math.max(0, liveAtMost) + SLACK) {
            sweep();
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, p);
    }

    /** The call with the earliest deadline that has not ended, or null; ended calls before it leave. */
    Pending peek() {
        while (size > 0 && heap[0].isDone()) {
            poll();
        }
        return size > 0 ? heap[0] : null;
    }

    /** Removes the head (the call {@link #peek} returned). */
    void poll() {
        Pending last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
    }

    /** A copy of the calls not ended, in no particular order. */
    List<Pending> live() {
        List<Pending> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (!heap[i].isDone()) {
                out.add(heap[i]);
            }
        }
        return out;
    }

    /** Drops every ended call and rebuilds the heap (linear). */
    private void sweep() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Pending p = heap[i];
            if (!p.isDone()) {
                heap[n++] = p;
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        for (int i = (n >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
    }

    private static boolean before(Pending a, Pending b) {
        long d = a.deadlineNanos - b.deadlineNanos; // nanoTime values: compare by difference
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private void siftUp(int k, Pending p) {
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            Pending q = heap[parent];
            if (!before(p, q)) {
                break;
            }
            heap[k] = q;
            k = parent;
        }
        heap[k] = p;
    }

    private void siftDown(int k, Pending p) {
        int half = size >>> 1;
        while (k < half) {
            int child = 2 * k + 1;
            Pending c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                c = heap[child = right];
            }
            if (!before(c, p)) {
                break;
            }
            heap[k] = c;
            k = child;
        }
        heap[k] = p;
    }
}
