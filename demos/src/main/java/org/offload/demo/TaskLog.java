package org.offload.demo;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The ids of the tasks started from the front end, newest first, bounded: what the demo page lists. */
final class TaskLog {
    /** Task ids kept (older ones drop off the page; the registry forgets them too, after its retention). */
    static final int CAPACITY = 200;

    private final Deque<String> ids = new ArrayDeque<>();

    synchronized void add(String id) {
        ids.addFirst(id);
        while (ids.size() > CAPACITY) {
            ids.removeLast();
        }
    }

    /** At most {@code max} ids, newest first. */
    synchronized List<String> newest(int max) {
        return ids.stream().limit(max).toList();
    }

    synchronized int size() {
        return ids.size();
    }
}
