package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.offload.service.internal.Batch;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/** How {@link ReplyBatcher} groups, splits, keeps order and parks (against a recording sink). */
class ReplyBatcherTest {
    private static final Proof PROOF = new Proof("reply-batcher-test");

    /** A sink that records sends and parks, and refuses sends after {@code room} of them. */
    private static final class Recording implements ReplyBatcher.Sink {
        final List<Sealed> sent = new ArrayList<>();
        final List<ClientId> sentTo = new ArrayList<>();
        final List<ReplyPublisher.Outbound> parked = new ArrayList<>();
        final Set<ClientId> closed = new HashSet<>();
        int room = Integer.MAX_VALUE;

        @Override
        public boolean canSend(ClientId topic) {
            return !closed.contains(topic);
        }

        @Override
        public boolean send(ClientId topic, Sealed message) {
            if (room == 0) {
                return false;
            }
            room--;
            sent.add(message);
            sentTo.add(topic);
            return true;
        }

        @Override
        public void park(ReplyPublisher.Outbound o) {
            parked.add(o);
        }

        /** Request ids of every reply sent, in order, batch entries unpacked. */
        List<Long> sentIds() {
            List<Long> ids = new ArrayList<>();
            for (Sealed s : sent) {
                byte[] f = s.frame();
                if (Batch.is(f)) {
                    Batch.split(f).forEach(e -> ids.add(Wire.requestId(e)));
                } else {
                    ids.add(Wire.requestId(f));
                }
            }
            return ids;
        }
    }

    private static ReplyPublisher.Outbound reply(ClientId client, long id, int bodyBytes, int limit) {
        Envelope e = new Envelope(Wire.REPLY, client, id, System.currentTimeMillis(), 0, 200, "GET", "/x", "",
                Map.of(), Wire.VERSION_2);
        Sealed s = Sealed.seal(PROOF, e, Body.wrap(new byte[bodyBytes], "application/octet-stream"));
        return new ReplyPublisher.Outbound(client, s, Long.MAX_VALUE, false, limit);
    }

    private static List<ReplyPublisher.Outbound> replies(ClientId client, int n, long firstId) {
        List<ReplyPublisher.Outbound> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(reply(client, firstId + i, 10, Batch.MAX_BYTES));
        }
        return out;
    }

    @Test
    void publish_oneReply_sentAloneNotInABatch() {
        Recording sink = new Recording();
        ReplyPublisher.Outbound only = reply(ClientId.random(), 1, 10, Batch.MAX_BYTES);

        new ReplyBatcher(sink).publish(List.of(only));

        assertEquals(1, sink.sent.size());
        assertArrayEquals(only.sealed().frame(), sink.sent.get(0).frame());
    }

    @Test
    void publish_twoClientsInterleaved_oneBatchEachInOrder() {
        Recording sink = new Recording();
        ClientId a = ClientId.random();
        ClientId b = ClientId.random();
        List<ReplyPublisher.Outbound> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            taken.add(reply(a, 100 + i, 10, Batch.MAX_BYTES));
            taken.add(reply(b, 200 + i, 10, Batch.MAX_BYTES));
        }

        new ReplyBatcher(sink).publish(taken);

        assertEquals(List.of(a, b), sink.sentTo);
        assertTrue(Batch.is(sink.sent.get(0).frame()));
        assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 200L, 201L, 202L, 203L, 204L), sink.sentIds());
    }

    @Test
    void publish_moreThanMaxEntries_splitIntoBatchesOfAtMostMaxEntries() {
        Recording sink = new Recording();
        ClientId a = ClientId.random();

        new ReplyBatcher(sink).publish(replies(a, Batch.MAX_ENTRIES * 2 + 1, 1));

        assertEquals(3, sink.sent.size());
        assertEquals(Batch.MAX_ENTRIES, Batch.split(sink.sent.get(0).frame()).size());
        assertEquals(Batch.MAX_ENTRIES, Batch.split(sink.sent.get(1).frame()).size());
        assertTrue(!Batch.is(sink.sent.get(2).frame()), "the one left over goes alone");
        assertEquals(Batch.MAX_ENTRIES * 2 + 1, sink.sentIds().size());
    }

    @Test
    void publish_limitOfTheClient_noBatchFrameExceedsIt() {
        Recording sink = new Recording();
        ClientId a = ClientId.random();
        int limit = 2_000;
        List<ReplyPublisher.Outbound> taken = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            taken.add(reply(a, i + 1, 300, limit));
        }

        new ReplyBatcher(sink).publish(taken);

        assertTrue(sink.sent.size() > 1);
        for (Sealed s : sink.sent) {
            assertTrue(s.frame().length <= limit, "a frame of " + s.frame().length + " bytes");
        }
        assertEquals(20, sink.sentIds().size());
    }

    @Test
    void publish_highWaterMarkRefusesSecondSend_restParkedInOrder() {
        Recording sink = new Recording();
        sink.room = 1;
        ClientId a = ClientId.random();

        new ReplyBatcher(sink).publish(replies(a, Batch.MAX_ENTRIES + 3, 1));

        assertEquals(Batch.MAX_ENTRIES, sink.sentIds().size());
        assertEquals(3, sink.parked.size());
        assertEquals(List.of(Batch.MAX_ENTRIES + 1L, Batch.MAX_ENTRIES + 2L, Batch.MAX_ENTRIES + 3L),
                sink.parked.stream().map(o -> Wire.requestId(o.sealed().frame())).toList());
    }

    @Test
    void publish_clientThatCannotTakeReplies_allItsRepliesParkedOthersSent() {
        Recording sink = new Recording();
        ClientId gone = ClientId.random();
        ClientId here = ClientId.random();
        sink.closed.add(gone);
        List<ReplyPublisher.Outbound> taken = new ArrayList<>(replies(gone, 4, 1));
        taken.addAll(replies(here, 4, 10));

        new ReplyBatcher(sink).publish(taken);

        assertEquals(4, sink.parked.size());
        assertEquals(List.of(here), sink.sentTo);
        assertEquals(List.of(10L, 11L, 12L, 13L), sink.sentIds());
    }
}
