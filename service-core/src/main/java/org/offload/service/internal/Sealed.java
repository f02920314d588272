package org.offload.service.internal;

import java.util.Arrays;
import java.util.Map;
import org.offload.service.Body;
import org.zeromq.ZMQ;

/**
 * A message ready for the wire (the topic frame of a reply is the envelope's client id, sent before it).
 * Version 1: three frames, envelope, body and proof. Version 2: one frame, {@code envelope || body || proof},
 * built in one array. Not public API.
 */
public final class Sealed {
    private final byte[] envelope;
    private final byte[] body;
    private final byte[] proof;
    /** The version-2 frame; null in version 1. */
    private final byte[] frame;

    /** A version-1 message of these three frames. */
    public Sealed(byte[] envelope, byte[] body, byte[] proof) {
        this(envelope, body, proof, null);
    }

    private Sealed(byte[] envelope, byte[] body, byte[] proof, byte[] frame) {
        this.envelope = envelope;
        this.body = body;
        this.proof = proof;
        this.frame = frame;
    }

    /** A version-2 message: this one frame. */
    public static Sealed single(byte[] frame) {
        return new Sealed(null, null, null, frame);
    }

    /**
     * Encodes {@code e} with {@code body} and signs both, in the version {@code e} names. A body that is not
     * JSON names its type in the {@value Wire#CONTENT_TYPE} header, which the encoder writes without copying
     * {@code e.headers()}.
     */
    public static Sealed seal(Proof proof, Envelope e, Body body) {
        String type = Body.JSON.equals(body.contentType()) ? null : body.contentType();
        byte[] bytes = BodyAccess.array(body);
        if (e.version() == Wire.VERSION_2) {
            return single(Wire.encodeFrame(e, type, bytes, proof));
        }
        byte[] env = Wire.encode(e, type);
        return new Sealed(env, bytes, proof.sign(env, bytes));
    }

    /** {@value Wire#VERSION} or {@value Wire#VERSION_2}. */
    public int version() {
        return frame == null ? Wire.VERSION : Wire.VERSION_2;
    }

    /** The version-2 frame, or null in version 1. */
    public byte[] frame() {
        return frame;
    }

    /** The envelope bytes (a copy, in version 2). */
    public byte[] envelope() {
        return frame == null ? envelope : Arrays.copyOf(frame, (int) Wire.envelopeLength(frame));
    }

    /** The body bytes (a copy, in version 2). */
    public byte[] body() {
        if (frame == null) {
            return body;
        }
        int from = (int) Wire.envelopeLength(frame);
        return Arrays.copyOfRange(frame, from, frame.length - Wire.PROOF_BYTES);
    }

    /** The 32-byte proof (a copy, in version 2). */
    public byte[] proof() {
        return frame == null ? proof : Arrays.copyOfRange(frame, frame.length - Wire.PROOF_BYTES, frame.length);
    }

    /** The longest frame of the message, not counting a reply's 16-byte topic. */
    public int largestFrame() {
        return frame != null ? frame.length : Math.max(envelope.length, Math.max(body.length, proof.length));
    }

    /**
     * Sends the message's frames on {@code socket}, the first with {@code firstFlags} (plus {@code SNDMORE}
     * when more follow), the rest blocking as one multipart message. False when the first frame was not taken
     * (nothing was sent); whatever the later sends return, the message was handed over whole.
     */
    public boolean send(ZMQ.Socket socket, int firstFlags) {
        if (frame != null) {
            return socket.send(frame, firstFlags);
        }
        if (!socket.send(envelope, firstFlags | ZMQ.SNDMORE)) {
            return false;
        }
        socket.send(body, ZMQ.SNDMORE);
        socket.send(proof, 0);
        return true;
    }

    /** Splits a received envelope's headers into the user's headers and the body (no copy of its bytes). */
    public static Body body(Map<String, String> wireHeaders, byte[] bytes) {
        String type = wireHeaders.remove(Wire.CONTENT_TYPE);
        return Body.wrap(bytes, type == null || type.isBlank() ? Body.JSON : type);
    }
}
