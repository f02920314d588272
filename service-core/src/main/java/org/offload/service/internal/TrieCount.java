package org.offload.service.internal;

import java.lang.reflect.Field;
import java.util.ArrayDeque;

/** Counts the nodes of a JeroMQ 0.6.0 subscription trie ({@code zmq.socket.pubsub.Mtrie}), by reflection. */
final class TrieCount {
    static final Class<?> TRIE;
    private static final Field NEXT;

    static {
        try {
            TRIE = Class.forName("zmq.socket.pubsub.Mtrie");
            NEXT = TRIE.getDeclaredField("next");
            NEXT.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("JeroMQ has no 0.6.0 Mtrie: " + e);
        }
    }

    private TrieCount() {
    }

    /** Nodes below and including {@code root} (iterative: a long topic is a deep chain). */
    static long nodes(Object root) {
        long n = 0;
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.add(root);
        try {
            while (!todo.isEmpty()) {
                Object node = todo.poll();
                n++;
                Object[] next = (Object[]) NEXT.get(node);
                if (next != null) {
                    for (Object child : next) {
                        if (child != null) {
                            todo.add(child);
                        }
                    }
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }
}
