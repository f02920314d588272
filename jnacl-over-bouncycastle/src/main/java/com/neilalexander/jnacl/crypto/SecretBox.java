package com.neilalexander.jnacl.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.util.Arrays;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 and Poly1305) and {@code crypto_box} (Curve25519 and HSalsa20 in
 * front of it), with Bouncy Castle's primitives. The arrays follow NaCl's padding convention: a plaintext
 * starts with {@link #ZERO_BYTES} zero bytes, a box with {@link #BOX_ZERO_BYTES} zero bytes followed by the
 * 16-byte tag; both are {@code length} bytes long and may be longer arrays.
 */
final class SecretBox {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 24;
    static final int ZERO_BYTES = 32;
    static final int BOX_ZERO_BYTES = 16;
    private static final int TAG_BYTES = 16;
    /** "expand 32-byte k", the Salsa20 constant HSalsa20 uses, as four little-endian words. */
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    /** The state words HSalsa20 outputs, in order. */
    private static final int[] HSALSA_OUTPUT_WORDS = {0, 5, 10, 15, 6, 7, 8, 9};
    private static final byte[] ZERO_NONCE_PREFIX = new byte[16];
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretBox() {}

    /** {@code crypto_secretbox}: 0, or -1 when {@code length} is below {@link #ZERO_BYTES}. */
    static int seal(byte[] box, byte[] plain, long length, byte[] nonce, byte[] key) {
        if (length < ZERO_BYTES) {
            return -1;
        }
        int n = checkedLength(length, box, plain);
        XSalsa20Engine stream = stream(nonce, key);
        // NaCl: the whole padded plaintext is xored; its first 32 bytes (zeros) become the Poly1305 key
        stream.processBytes(plain, 0, n, box, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(box, 0, KEY_BYTES));
        mac.update(box, ZERO_BYTES, n - ZERO_BYTES);
        mac.doFinal(box, BOX_ZERO_BYTES);
        Arrays.fill(box, 0, BOX_ZERO_BYTES, (byte) 0);
        return 0;
    }

    /**
     * {@code crypto_secretbox_open}: 0, or -1 when {@code length} is below {@link #ZERO_BYTES} or the tag does
     * not match (then {@code plain} is not written). The tag is compared in constant time.
     */
    static int open(byte[] plain, byte[] box, long length, byte[] nonce, byte[] key) {
        if (length < ZERO_BYTES) {
            return -1;
        }
        int n = checkedLength(length, plain, box);
        XSalsa20Engine stream = stream(nonce, key);
        byte[] macKey = new byte[KEY_BYTES];
        stream.processBytes(macKey, 0, KEY_BYTES, macKey, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(macKey));
        mac.update(box, ZERO_BYTES, n - ZERO_BYTES);
        Arrays.fill(macKey, (byte) 0);
        byte[] tag = new byte[TAG_BYTES];
        mac.doFinal(tag, 0);
        if (!Arrays.constantTimeAreEqual(TAG_BYTES, tag, 0, box, BOX_ZERO_BYTES)) {
            return -1;
        }
        stream.processBytes(box, ZERO_BYTES, n - ZERO_BYTES, plain, ZERO_BYTES);
        Arrays.fill(plain, 0, ZERO_BYTES, (byte) 0);
        return 0;
    }

    /**
     * {@code crypto_box_beforenm}: {@code HSalsa20(X25519(secret, public), 0)} into {@code shared}. A public key
     * of small order makes the X25519 result zero, a key anyone could compute: then -1 (as libsodium answers),
     * and {@code shared} gets random bytes, so a caller that ignores the answer (JeroMQ 0.6.0 only asserts it)
     * holds a key no peer knows instead of a known one.
     */
    static int beforeNm(byte[] shared, byte[] publicKey, byte[] secretKey) {
        byte[] point = new byte[X25519.POINT_SIZE];
        X25519.scalarMult(secretKey, 0, publicKey, 0, point, 0);
        int any = 0;
        for (byte b : point) {
            any |= b;
        }
        if (any == 0) {
            RANDOM.nextBytes(shared);
            return -1;
        }
        hsalsa20(shared, ZERO_NONCE_PREFIX, point);
        Arrays.fill(point, (byte) 0);
        return 0;
    }

    /** {@code crypto_scalarmult_base}: the public key {@code X25519(secret, 9)} of a secret key. */
    static int publicKey(byte[] publicKey, byte[] secretKey) {
        X25519.scalarMultBase(secretKey, 0, publicKey, 0);
        return 0;
    }

    /** {@code crypto_box_keypair}: a random clamped secret key and its public key {@code X25519(secret, 9)}. */
    static int keyPair(byte[] publicKey, byte[] secretKey) {
        X25519.generatePrivateKey(RANDOM, secretKey);
        X25519.generatePublicKey(secretKey, 0, publicKey, 0);
        return 0;
    }

    /** HSalsa20 of a 16-byte input and a 32-byte key: words 0, 5, 10, 15, 6, 7, 8, 9 after 20 rounds. */
    static void hsalsa20(byte[] out, byte[] in16, byte[] key) {
        int[] state = new int[16];
        state[0] = SIGMA[0];
        state[5] = SIGMA[1];
        state[10] = SIGMA[2];
        state[15] = SIGMA[3];
        for (int i = 0; i < 4; i++) {
            state[1 + i] = le32(key, 4 * i);
            state[11 + i] = le32(key, 16 + 4 * i);
            state[6 + i] = le32(in16, 4 * i);
        }
        int[] rounds = new int[16];
        Salsa20Engine.salsaCore(20, state, rounds); // adds the input back: undone below
        for (int i = 0; i < HSALSA_OUTPUT_WORDS.length; i++) {
            int w = HSALSA_OUTPUT_WORDS[i];
            putLe32(out, 4 * i, rounds[w] - state[w]);
        }
        Arrays.fill(state, 0);
        Arrays.fill(rounds, 0);
    }

    private static XSalsa20Engine stream(byte[] nonce, byte[] key) {
        XSalsa20Engine engine = new XSalsa20Engine();
        engine.init(true, new ParametersWithIV(new KeyParameter(key, 0, KEY_BYTES), nonce, 0, NONCE_BYTES));
        return engine;
    }

    private static int checkedLength(long length, byte[] out, byte[] in) {
        if (length > out.length || length > in.length) {
            throw new IllegalArgumentException("length must be <= both arrays' lengths (" + out.length + ", "
                    + in.length + ") but was " + length);
        }
        return (int) length;
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
