package org.offload.service.internal;

import java.util.Arrays;

/**
 * A received message, after the frame count told its framing (PROTOCOL.md section 2): version 1's envelope,
 * body and proof frames, or version 2's one frame {@code envelope || body || proof}. The stable prefix is at
 * the start of {@link #first()} in both. Verifies and decodes in the framing it came in, so a receiver has one
 * sequence of checks for both versions. Not public API.
 */
public final class Inbound {
    private final byte[] first;
    private final byte[] body;
    private final byte[] proof;
    private final boolean single;

    private Inbound(byte[] first, byte[] body, byte[] proof, boolean single) {
        this.first = first;
        this.body = body;
        this.proof = proof;
        this.single = single;
    }

    /** Version-1 framing: envelope, body and proof frames. */
    public static Inbound ofFrames(byte[] envelope, byte[] body, byte[] proof) {
        return new Inbound(envelope, body, proof, false);
    }

    /** Version-2 framing: the one frame. */
    public static Inbound ofFrame(byte[] frame) {
        return new Inbound(frame, null, null, true);
    }

    /** The envelope frame (version 1) or the whole frame (version 2): the stable prefix starts it. */
    public byte[] first() {
        return first;
    }

    /** True for version-2 framing (one frame). */
    public boolean single() {
        return single;
    }

    /** The version this framing carries: {@value Wire#VERSION_2} for one frame, else {@value Wire#VERSION}. */
    public int framingVersion() {
        return single ? Wire.VERSION_2 : Wire.VERSION;
    }

    /**
     * True when the stable prefix is there and, in one frame, a proof after it ({@value Wire#MIN_FRAME_V2}
     * bytes): what a receiver needs before it reads ids or answers anything.
     */
    public boolean hasPrefix() {
        return Wire.hasStablePrefix(first) && (!single || first.length >= Wire.MIN_FRAME_V2);
    }

    /**
     * Bytes of the envelope, or -1 when that cannot be told before decoding (a version-2 frame too short to
     * hold its body length, or one whose body length runs past its end): a cheap check made before the HMAC.
     */
    public long envelopeLength() {
        if (!single) {
            return first.length;
        }
        if (first.length < Wire.FIXED_BYTES_V2 + Wire.PROOF_BYTES) {
            return -1;
        }
        long n = Wire.envelopeLength(first);
        return n < 0 ? -1 : n;
    }

    /** The proof check over the exact bytes received, in this framing; constant time. */
    public boolean verify(Proof p) {
        return single ? p.verifyFrame(first) : p.verify(first, body, proof);
    }

    /** The decoded envelope; throws {@link org.offload.service.ProtocolException} (400 or 505). */
    public Envelope decode() {
        return single ? Wire.decodeFrame(first) : Wire.decode(first);
    }

    /** The body (version 2: copied out of the frame once); call after {@link #decode()} succeeded. */
    public byte[] body() {
        if (!single) {
            return body;
        }
        int from = (int) Wire.envelopeLength(first);
        return Arrays.copyOfRange(first, from, first.length - Wire.PROOF_BYTES);
    }

    /**
     * The proof the message carried, as {@link Wire#REJECTED_PROOF} echoes it: the proof frame's first 32
     * bytes (version 1), the frame's last 32 (version 2).
     */
    public String proofHex() {
        if (!single) {
            return Wire.proofHex(proof);
        }
        int n = Math.min(first.length, Wire.PROOF_BYTES);
        return java.util.HexFormat.of().formatHex(first, first.length - n, first.length);
    }
}
