package org.offload.service.internal;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** A client's fixed-length id: its reply topic. Fixed length means no id is a prefix of another. */
public final class ClientId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] bytes;
    private final int hash;

    private ClientId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The id field of a message that answers no client (a notification): sixteen zero bytes. */
    public static final ClientId NONE = new ClientId(new byte[Wire.CLIENT_ID_BYTES]);

    /** A random id that never starts with {@link Wire#NOTIFY_MARKER} (notification topics do). */
    public static ClientId random() {
        byte[] b = new byte[Wire.CLIENT_ID_BYTES];
        do {
            RANDOM.nextBytes(b);
        } while (b[0] == Wire.NOTIFY_MARKER);
        return new ClientId(b);
    }

    /** Copies {@value Wire#CLIENT_ID_BYTES} bytes from {@code src} at {@code offset}. */
    public static ClientId read(byte[] src, int offset) {
        return new ClientId(Arrays.copyOfRange(src, offset, offset + Wire.CLIENT_ID_BYTES));
    }

    /** The bytes (a copy). */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** True when {@code topic} is exactly this id. */
    public boolean matches(byte[] topic) {
        return Arrays.equals(bytes, topic);
    }

    /** The bytes the reply topic frame carries (shared; never modify). */
    public byte[] topic() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientId c && hash == c.hash && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
