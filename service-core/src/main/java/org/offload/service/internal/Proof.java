package org.offload.service.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Proof of the shared passphrase: HMAC-SHA256 (RFC 2104) keyed with the passphrase's UTF-8 bytes over
 * {@code uint32be(len(envelope)) || envelope || body} (version 1), or over the frame's bytes before the proof,
 * {@code envelope || body} (version 2, whose input starts with the magic {@code O}, 0x4f, where version 1's
 * starts with 0x00 and a subscription tag's with {@code o}, 0x6f: no proof stands in for another). Thread-safe. The passphrase is never stored as a
 * String, never logged. Not public API.
 *
 * <p>Why not {@code javax.crypto.Mac}: a Mac hashes the 64-byte key pads again for every message, two of the
 * nine SHA-256 blocks of a typical 300-byte message. This class hashes each pad once and keeps the two
 * digests in that state ({@link #inner}, {@link #outer}); every message works on clones of them. Measured on
 * the 2-core VM (JDK 25, 163-byte envelope + 150-byte body, median ns): per-thread Mac 450-480, cloned
 * Mac (saves only the inner pad) 430, cloned pad digests 375-390. The prototypes are never updated after the
 * constructor, so concurrent clones need no lock.
 */
public final class Proof {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int BLOCK_BYTES = 64;
    /** What a subscription tag's HMAC input starts with (before the client id). */
    private static final byte[] SUBSCRIBE_LABEL = "offload-subscribe".getBytes(StandardCharsets.US_ASCII);
    /** The HMAC input of the notification tag (PROTOCOL.md section 20). */
    private static final byte[] NOTIFY_LABEL = "offload-notify".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] fingerprint;

    public Proof(String passphrase) {
        Checks.notBlank("passphrase", passphrase);
        byte[] raw = passphrase.getBytes(StandardCharsets.UTF_8);
        this.fingerprint = sha256().digest(raw);
        byte[] key = Arrays.copyOf(raw.length > BLOCK_BYTES ? fingerprint : raw, BLOCK_BYTES);
        this.inner = keyed(key, (byte) 0x36);
        this.outer = keyed(key, (byte) 0x5c);
        Arrays.fill(key, (byte) 0);
        Arrays.fill(raw, (byte) 0);
    }

    /** The 32-byte proof for these frames. */
    public byte[] sign(byte[] envelope, byte[] body) {
        MessageDigest in = copy(inner);
        int n = envelope.length;
        in.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        in.update(envelope);
        in.update(body);
        MessageDigest out = copy(outer);
        out.update(in.digest());
        return out.digest();
    }

    /**
     * Version 2: writes the proof of {@code frame[0..end)} (envelope and body, one contiguous region, no length
     * prefix: the envelope carries the body's length) into {@code frame[end..end + 32)}.
     */
    public void signInto(byte[] frame, int end) {
        MessageDigest in = copy(inner);
        in.update(frame, 0, end);
        MessageDigest out = copy(outer);
        out.update(in.digest());
        try {
            out.digest(frame, end, Wire.PROOF_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 digest did not fit its 32 bytes", e);
        }
    }

    /**
     * Version 2: true when the last 32 bytes of {@code frame} are the proof of the bytes before them (constant
     * time). A frame too short to hold a proof fails.
     */
    public boolean verifyFrame(byte[] frame) {
        int end = frame.length - Wire.PROOF_BYTES;
        if (end < 0) {
            return false;
        }
        MessageDigest in = copy(inner);
        in.update(frame, 0, end);
        MessageDigest out = copy(outer);
        out.update(in.digest());
        byte[] expected = out.digest();
        int diff = 0;
        for (int i = 0; i < Wire.PROOF_BYTES; i++) {
            diff |= expected[i] ^ frame[end + i];
        }
        return diff == 0;
    }

    /** True when {@code proof} is the proof of these frames; compares in constant time. */
    public boolean verify(byte[] envelope, byte[] body, byte[] proof) {
        return proof.length == Wire.PROOF_BYTES && MessageDigest.isEqual(sign(envelope, body), proof);
    }

    /**
     * The topic a client's SUB subscribes to prove it holds this passphrase (PROTOCOL.md section 5):
     * {@code clientId || HMAC-SHA256(passphrase, "offload-subscribe" || clientId)}, 48 bytes. The input
     * starts with {@code 'o'} (0x6f), a message proof's input with {@code 0x00} (the high byte of an
     * envelope length under 16 MiB), so neither can stand in for the other.
     */
    public byte[] provedTopic(ClientId client) {
        byte[] id = client.topic();
        MessageDigest in = copy(inner);
        in.update(SUBSCRIBE_LABEL);
        in.update(id);
        MessageDigest out = copy(outer);
        out.update(in.digest());
        byte[] topic = Arrays.copyOf(id, Wire.PROVED_TOPIC_BYTES);
        System.arraycopy(out.digest(), 0, topic, id.length, Wire.PROOF_BYTES);
        return topic;
    }

    /**
     * True when the {@value Wire#PROVED_TOPIC_BYTES} bytes of {@code src} from {@code offset} are a proved
     * topic of this passphrase (constant-time comparison). {@code src} must hold that many bytes there.
     */
    public boolean isProvedTopic(byte[] src, int offset) {
        byte[] expected = provedTopic(ClientId.read(src, offset));
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(src, offset, offset + Wire.PROVED_TOPIC_BYTES));
    }

    /**
     * The topic a SUB subscribes to receive this passphrase's notifications (PROTOCOL.md section 20):
     * {@code 0xFF || HMAC-SHA256(passphrase, "offload-notify")}, 33 bytes. Every notification's topic frame
     * starts with it.
     */
    public byte[] notifySubscription() {
        MessageDigest in = copy(inner);
        in.update(NOTIFY_LABEL);
        MessageDigest out = copy(outer);
        out.update(in.digest());
        byte[] topic = new byte[Wire.NOTIFY_SUBSCRIPTION_BYTES];
        topic[0] = Wire.NOTIFY_MARKER;
        System.arraycopy(out.digest(), 0, topic, 1, Wire.PROOF_BYTES);
        return topic;
    }

    /** True when {@code other} was made from the same passphrase (compares SHA-256 digests, constant time). */
    public boolean samePassphrase(Proof other) {
        return MessageDigest.isEqual(fingerprint, other.fingerprint);
    }

    /** SHA-256 that has absorbed the key padded to one block, each byte xor {@code pad}. */
    private static MessageDigest keyed(byte[] key, byte pad) {
        byte[] block = new byte[BLOCK_BYTES];
        for (int i = 0; i < BLOCK_BYTES; i++) {
            block[i] = (byte) (key[i] ^ pad);
        }
        MessageDigest md = sha256();
        md.update(block);
        Arrays.fill(block, (byte) 0);
        copy(md); // fail now, not on the first message, if this provider's digest cannot be cloned
        return md;
    }

    private static MessageDigest copy(MessageDigest prototype) {
        try {
            return (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JVM's SHA-256 cannot be cloned", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available on this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Proof[" + ALGORITHM + ", key hidden]";
    }
}
