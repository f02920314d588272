package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.offload.service.Body;

/** The batch frame's codec (PROTOCOL.md section 2.2): what it writes, and every container it refuses. */
class BatchTest {
    private static final Proof PROOF = new Proof("batch-test-passphrase");
    private static final ClientId CLIENT = ClientId.random();
    private static final int OFF_COUNT = Wire.STABLE_PREFIX_BYTES;

    private static byte[] frame(ClientId client, long requestId, String body) {
        Envelope e = new Envelope(Wire.REQUEST, client, requestId, 1_700_000_000_000L, 5_000, 0, "GET", "/echo", "",
                Map.of(), Wire.VERSION_2);
        return Sealed.seal(PROOF, e, Body.text(body)).frame();
    }

    private static List<byte[]> frames(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(frame(CLIENT, 10 + i, "body-" + i));
        }
        return out;
    }

    @Test
    void encode_threeFrames_splitGivesThemBackInOrder() {
        List<byte[]> in = frames(3);

        byte[] batch = Batch.encode(in);
        List<byte[]> out = Batch.split(batch);

        assertNotNull(out);
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(in.get(i), out.get(i), "entry " + i);
            assertTrue(Inbound.ofFrame(out.get(i)).verify(PROOF), "entry " + i + " keeps its own proof");
        }
    }

    @Test
    void encode_header_namesBatchKindClientFirstIdAndCount() {
        byte[] batch = Batch.encode(frames(2));

        assertTrue(Batch.is(batch));
        assertEquals(Wire.VERSION_2, Wire.version(batch));
        assertEquals(Batch.KIND, Wire.kind(batch));
        assertEquals(0, batch[Wire.OFF_FLAGS]);
        assertEquals(CLIENT, Wire.clientId(batch));
        assertEquals(10, Wire.requestId(batch), "the request id of the first entry");
        assertEquals(2, ByteBuffer.wrap(batch, OFF_COUNT, 2).getShort());
        int first = frame(CLIENT, 10, "body-0").length;
        assertEquals(first, ByteBuffer.wrap(batch, Batch.HEADER_BYTES, 4).getInt(), "length of the first entry");
    }

    @Test
    void encode_noFrames_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> Batch.encode(List.of()));
    }

    @Test
    void is_loneVersionTwoFrame_isNotABatch() {
        assertFalse(Batch.is(frame(CLIENT, 1, "x")));
        assertFalse(Batch.is(new byte[] {'O', 'F', 'L'}));
    }

    @Test
    void split_flagsNotZero_refused() {
        byte[] batch = Batch.encode(frames(2));
        batch[Wire.OFF_FLAGS] = 1;
        assertNull(Batch.split(batch));
    }

    @Test
    void split_countZero_refused() {
        byte[] batch = Arrays.copyOf(Batch.encode(frames(1)), Batch.HEADER_BYTES);
        batch[OFF_COUNT] = 0;
        batch[OFF_COUNT + 1] = 0;
        assertNull(Batch.split(batch));
    }

    @Test
    void split_countAboveEntries_refused() {
        byte[] batch = Batch.encode(frames(2));
        batch[OFF_COUNT + 1] = 3;
        assertNull(Batch.split(batch));
    }

    @Test
    void split_countBelowEntries_refusedForTrailingBytes() {
        byte[] batch = Batch.encode(frames(2));
        batch[OFF_COUNT + 1] = 1;
        assertNull(Batch.split(batch));
    }

    @Test
    void split_trailingByte_refused() {
        byte[] batch = Batch.encode(frames(2));
        assertNull(Batch.split(Arrays.copyOf(batch, batch.length + 1)));
    }

    @Test
    void split_truncated_refused() {
        byte[] batch = Batch.encode(frames(2));
        assertNull(Batch.split(Arrays.copyOf(batch, batch.length - 1)));
        assertNull(Batch.split(Arrays.copyOf(batch, Batch.HEADER_BYTES + 2)), "cut inside a length");
        assertNull(Batch.split(Arrays.copyOf(batch, Batch.HEADER_BYTES - 1)), "cut inside the header");
    }

    @Test
    void split_entryShorterThanAVersionTwoFrame_refused() {
        byte[] batch = Batch.encode(frames(1));
        ByteBuffer.wrap(batch).putInt(Batch.HEADER_BYTES, Wire.MIN_FRAME_V2 - 1);
        assertNull(Batch.split(batch));
    }

    @Test
    void split_lengthWithTopBitSet_refusedNotNegative() {
        byte[] batch = Batch.encode(frames(1));
        ByteBuffer.wrap(batch).putInt(Batch.HEADER_BYTES, 0x8000_0040);
        assertNull(Batch.split(batch));
    }

    @Test
    void split_entryOfAnotherClient_refused() {
        List<byte[]> in = frames(2);
        in.set(1, frame(ClientId.random(), 11, "other"));
        assertNull(Batch.split(Batch.encode(in)));
    }

    @Test
    void split_nestedBatch_refused() {
        byte[] inner = Batch.encode(frames(2));
        assertNull(Batch.split(Batch.encode(List.of(frame(CLIENT, 1, "x"), inner))));
    }

    @Test
    void entryBytes_addsTheLengthField() {
        assertEquals(104, Batch.entryBytes(100));
    }
}
