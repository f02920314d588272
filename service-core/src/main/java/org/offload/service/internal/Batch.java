package org.offload.service.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The version-2 batch frame (PROTOCOL.md section 2.2): several version-2 messages of one client in one
 * ZeroMQ frame, so that ZeroMQ (and CURVE, which encrypts per frame) handles one message where it would
 * handle many. Each entry is a whole version-2 frame with its own proof and goes through every check a lone
 * frame goes through; the container adds no proof and no trust.
 *
 * <pre>
 * offset 0   3  magic "OFL"
 *        3   1  version 2
 *        4   1  kind 5 (batch)
 *        5   1  flags 0
 *        6  16  client id: the client whose requests (or replies) the entries are
 *       22   8  request id of the first entry
 *       30   2  uint16 entry count N, 1..65535
 *       32      N entries, each: uint32 length L (at least 62), then L bytes, one version-2 frame
 *   (end)       nothing after the last entry
 * </pre>
 *
 * Not public API.
 */
public final class Batch {
    /** The batch frame's kind byte. */
    public static final int KIND = 5;
    /** Bytes before the first entry: the stable prefix and the entry count. */
    public static final int HEADER_BYTES = Wire.STABLE_PREFIX_BYTES + 2;
    /** Pong header: present (value {@code 1}) when the instance reads batch frames. */
    public static final String HEADER = "offload-batch";
    /** The value of {@link #HEADER}: the batch frame of this version. */
    public static final String READS = "1";
    /** The Java senders put at most this many messages in one batch frame. */
    public static final int MAX_ENTRIES = 64;
    /**
     * The Java senders keep a batch frame within this many bytes (and within the receiver's frame limit). Kept
     * small: a batch frame is encrypted, sent and decrypted whole. With 256 KiB frames, 4,096 CURVE sends of
     * 16 KiB in flight fell to 0.10x raw JeroMQ's rate (0.94x without batch frames; README, Performance).
     */
    public static final int MAX_BYTES = 64 * 1024;
    /**
     * A message whose frame is larger than this travels alone: what a batch saves is a per-message cost of a
     * few microseconds, which is noise beside copying (and, with CURVE, encrypting) a larger frame.
     */
    public static final int MAX_ENTRY_BYTES = 4 * 1024;

    private static final int LENGTH_BYTES = 4;

    private Batch() {}

    /** True when {@code frame} starts like a batch frame (magic, version 2, kind 5); the rest is not checked. */
    public static boolean is(byte[] frame) {
        return Wire.hasStablePrefix(frame) && Wire.version(frame) == Wire.VERSION_2 && Wire.kind(frame) == KIND;
    }

    /** Bytes one more entry of {@code frameBytes} adds to a batch frame. */
    public static int entryBytes(int frameBytes) {
        return LENGTH_BYTES + frameBytes;
    }

    /**
     * The batch frame of {@code frames} (version-2 frames of one client, in order, at least one), whose
     * stable prefix is copied from the first frame with the kind set to batch.
     */
    public static byte[] encode(List<byte[]> frames) {
        if (frames.isEmpty() || frames.size() > 0xFFFF) {
            throw new IllegalArgumentException("a batch holds 1..65535 frames, not " + frames.size());
        }
        int size = HEADER_BYTES;
        for (byte[] f : frames) {
            size += entryBytes(f.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        byte[] first = frames.get(0);
        out.put(first, 0, Wire.STABLE_PREFIX_BYTES);
        out.put(Wire.OFF_KIND, (byte) KIND);
        out.put(Wire.OFF_FLAGS, (byte) 0);
        out.putShort((short) frames.size());
        for (byte[] f : frames) {
            out.putInt(f.length);
            out.put(f);
        }
        return out.array();
    }

    /**
     * The entries of a batch frame, each copied into its own array, or null when the frame is not a
     * well-formed batch: a flags byte other than 0, a count of 0, a length under {@value Wire#MIN_FRAME_V2}
     * or past the end, fewer or more bytes than the entries need, or an entry whose client id differs from
     * the batch's or that is itself a batch.
     */
    public static List<byte[]> split(byte[] frame) {
        if (frame.length < HEADER_BYTES || !is(frame) || frame[Wire.OFF_FLAGS] != 0) {
            return null;
        }
        int count = ((frame[Wire.STABLE_PREFIX_BYTES] & 0xFF) << 8) | (frame[Wire.STABLE_PREFIX_BYTES + 1] & 0xFF);
        if (count == 0) {
            return null;
        }
        List<byte[]> entries = new ArrayList<>(count);
        int at = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            if (frame.length - at < LENGTH_BYTES) {
                return null;
            }
            long length = ByteBuffer.wrap(frame, at, LENGTH_BYTES).getInt() & 0xFFFF_FFFFL;
            at += LENGTH_BYTES;
            if (length < Wire.MIN_FRAME_V2 || length > frame.length - at) {
                return null;
            }
            int end = at + (int) length;
            if (!Arrays.equals(frame, at + Wire.OFF_CLIENT_ID, at + Wire.OFF_REQUEST_ID,
                    frame, Wire.OFF_CLIENT_ID, Wire.OFF_REQUEST_ID) || frame[at + Wire.OFF_KIND] == KIND) {
                return null;
            }
            entries.add(Arrays.copyOfRange(frame, at, end));
            at = end;
        }
        return at == frame.length ? entries : null;
    }
}
