package org.offload.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A fixed amount of CPU work per request: SHA-256 applied to its own output a given number of times. */
final class CpuWork {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private CpuWork() {}

    /** Hashes {@code seed} {@code rounds} times; returns the hex of the result so the work cannot be skipped. */
    static String run(byte[] seed, int rounds) {
        MessageDigest md = SHA256.get();
        byte[] state = seed;
        for (int i = 0; i < rounds; i++) {
            state = md.digest(state);
        }
        return HexFormat.of().formatHex(state, 0, 8);
    }
}
