package org.offload.demo;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last replies (and failures) that reached the front end's response handler, newest first; bounded. */
final class RecentReplies {
    /** Replies kept for the index page. */
    static final int CAPACITY = 20;
    /** Characters of a reply body kept. */
    static final int MAX_TEXT = 500;

    /** One reply: when it came, for which path, its status and (the start of) its body or error. */
    record Entry(Instant at, String path, int status, String text) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    void add(String path, int status, String text) {
        Entry entry = new Entry(Instant.now(), path, status,
                text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "…" : text);
        synchronized (entries) {
            entries.addFirst(entry);
            while (entries.size() > CAPACITY) {
                entries.removeLast();
            }
        }
    }

    List<Entry> list() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }
}
