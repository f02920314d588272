package org.offload.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.offload.service.internal.Batch;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Sealed;

/**
 * Publishes replies taken together from the {@link ReplyPublisher}'s outbox: the replies of one client leave
 * in batch frames ({@link Batch}, PROTOCOL.md section 2.2) of at most {@link Batch#MAX_ENTRIES} replies and
 * within each reply's byte limit, in the order they were taken; a lone reply leaves as it is. A client that is
 * not subscribed, has replies parked already, or whose send the high-water mark refuses gets the rest of its
 * replies parked, in order, so none overtakes another. Runs under the publisher's lock.
 */
final class ReplyBatcher {
    /** What the batcher needs of the publisher, under its lock. */
    interface Sink {
        /** True when {@code topic} is subscribed and has nothing parked (so a send now keeps the order). */
        boolean canSend(ClientId topic);

        /** Sends the topic frame, then {@code message}; false (nothing sent) when the HWM refuses it. */
        boolean send(ClientId topic, Sealed message);

        /** Parks {@code o} until its client can take it (or drops and counts it). */
        void park(ReplyPublisher.Outbound o);
    }

    private final Sink sink;

    ReplyBatcher(Sink sink) {
        this.sink = sink;
    }

    void publish(List<ReplyPublisher.Outbound> taken) {
        if (taken.size() == 1) {
            publishClient(taken);
            return;
        }
        Map<ClientId, List<ReplyPublisher.Outbound>> byClient = new LinkedHashMap<>();
        for (ReplyPublisher.Outbound o : taken) {
            byClient.computeIfAbsent(o.topic(), k -> new ArrayList<>()).add(o);
        }
        byClient.values().forEach(this::publishClient);
    }

    /** The replies of one client, in order. */
    private void publishClient(List<ReplyPublisher.Outbound> replies) {
        ClientId topic = replies.get(0).topic();
        int from = 0;
        if (sink.canSend(topic)) {
            while (from < replies.size()) {
                int to = chunkEnd(replies, from);
                if (!sink.send(topic, message(replies, from, to))) {
                    break;
                }
                from = to;
            }
        }
        for (int i = from; i < replies.size(); i++) {
            sink.park(replies.get(i));
        }
    }

    /** The end (exclusive) of the longest run from {@code from} that fits one batch frame: at least one reply. */
    static int chunkEnd(List<ReplyPublisher.Outbound> replies, int from) {
        int bytes = Batch.HEADER_BYTES + Batch.entryBytes(replies.get(from).sealed().frame().length);
        int limit = replies.get(from).batchLimit();
        int to = from + 1;
        while (to < replies.size() && to - from < Batch.MAX_ENTRIES) {
            ReplyPublisher.Outbound next = replies.get(to);
            int more = Batch.entryBytes(next.sealed().frame().length);
            int nextLimit = Math.min(limit, next.batchLimit());
            if (bytes + more > nextLimit) {
                break;
            }
            bytes += more;
            limit = nextLimit;
            to++;
        }
        return to;
    }

    private static Sealed message(List<ReplyPublisher.Outbound> replies, int from, int to) {
        if (to - from == 1) {
            return replies.get(from).sealed();
        }
        List<byte[]> frames = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            frames.add(replies.get(i).sealed().frame());
        }
        return Sealed.single(Batch.encode(frames));
    }
}
