package org.offload.service.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof of the shared passphrase: HMAC-SHA256 keyed with the passphrase's UTF-8 bytes over
 * {@code uint32be(len(envelope)) || envelope || body}. Thread-safe (one {@link Mac} per thread). The
 * passphrase is never stored as a String, never logged. Not public API.
 */
public final class Proof {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final byte[] fingerprint;
    private final ThreadLocal<Mac> macs;

    public Proof(String passphrase) {
        Checks.notBlank("passphrase", passphrase);
        byte[] raw = passphrase.getBytes(StandardCharsets.UTF_8);
        this.key = new SecretKeySpec(raw, ALGORITHM);
        this.fingerprint = sha256(raw);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** The 32-byte proof for these frames. */
    public byte[] sign(byte[] envelope, byte[] body) {
        Mac mac = macs.get();
        int n = envelope.length;
        mac.update((byte) (n >>> 24));
        mac.update((byte) (n >>> 16));
        mac.update((byte) (n >>> 8));
        mac.update((byte) n);
        mac.update(envelope);
        mac.update(body);
        return mac.doFinal();
    }

    /** True when {@code proof} is the proof of these frames; compares in constant time. */
    public boolean verify(byte[] envelope, byte[] body, byte[] proof) {
        return proof.length == Wire.PROOF_BYTES && MessageDigest.isEqual(sign(envelope, body), proof);
    }

    /** True when {@code other} was made from the same passphrase (compares SHA-256 digests, constant time). */
    public boolean samePassphrase(Proof other) {
        return MessageDigest.isEqual(fingerprint, other.fingerprint);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available on this JVM", e);
        }
    }

    private static byte[] sha256(byte[] raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available on this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Proof[HmacSHA256, key hidden]";
    }
}
