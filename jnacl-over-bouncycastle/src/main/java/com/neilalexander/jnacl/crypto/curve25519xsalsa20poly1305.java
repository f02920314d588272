package com.neilalexander.jnacl.crypto;

/**
 * jnacl's {@code crypto_box} (Curve25519, HSalsa20 and XSalsa20-Poly1305) and its parts: every public method
 * of jnacl's class of this name, with the same arguments and bytes, computed with Bouncy Castle. The class
 * name is jnacl's. Two answers differ from jnacl's and agree with libsodium's (so with libzmq's): a public
 * key of small order is refused ({@link #crypto_box_beforenm} answers -1 where jnacl answered 0 with a key
 * anyone can compute), and the top bit of a public key is ignored (jnacl used it; an honest key never has
 * it set).
 */
public class curve25519xsalsa20poly1305 {
    public static final int crypto_secretbox_PUBLICKEYBYTES = 32;
    public static final int crypto_secretbox_SECRETKEYBYTES = 32;
    public static final int crypto_secretbox_BEFORENMBYTES = 32;
    public static final int crypto_secretbox_NONCEBYTES = SecretBox.NONCE_BYTES;
    public static final int crypto_secretbox_ZEROBYTES = SecretBox.ZERO_BYTES;
    public static final int crypto_secretbox_BOXZEROBYTES = SecretBox.BOX_ZERO_BYTES;

    /** The public key of secret key {@code sk}, {@code X25519(sk, 9)}, into {@code pk}. Always 0. */
    public static int crypto_box_getpublickey(byte[] pk, byte[] sk) {
        return SecretBox.publicKey(pk, sk);
    }

    /** A new random key pair: {@code sk} gets the secret key, {@code pk} its public key. Always 0. */
    public static int crypto_box_keypair(byte[] pk, byte[] sk) {
        return SecretBox.keyPair(pk, sk);
    }

    /** The key {@code crypto_box_afternm} uses between {@code pk} and {@code sk}, into {@code k}; 0, or -1. */
    public static int crypto_box_beforenm(byte[] k, byte[] pk, byte[] sk) {
        return SecretBox.beforeNm(k, pk, sk);
    }

    /** {@code crypto_secretbox} with a key from {@link #crypto_box_beforenm}. */
    public static int crypto_box_afternm(byte[] c, byte[] m, long mlen, byte[] n, byte[] k) {
        return SecretBox.seal(c, m, mlen, n, k);
    }

    /** {@code crypto_secretbox_open} with a key from {@link #crypto_box_beforenm}. */
    public static int crypto_box_open_afternm(byte[] m, byte[] c, long clen, byte[] n, byte[] k) {
        return SecretBox.open(m, c, clen, n, k);
    }

    /** Boxes {@code m[0..mlen)} from {@code sk}'s owner to {@code pk}'s; 0, or -1. */
    public static int crypto_box(byte[] c, byte[] m, long mlen, byte[] n, byte[] pk, byte[] sk) {
        byte[] k = new byte[crypto_secretbox_BEFORENMBYTES];
        try {
            return SecretBox.beforeNm(k, pk, sk) == 0 ? SecretBox.seal(c, m, mlen, n, k) : -1;
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    /** Opens a box from {@code pk}'s owner to {@code sk}'s; 0, or -1 when forged or {@code pk} is unusable. */
    public static int crypto_box_open(byte[] m, byte[] c, long clen, byte[] n, byte[] pk, byte[] sk) {
        byte[] k = new byte[crypto_secretbox_BEFORENMBYTES];
        try {
            return SecretBox.beforeNm(k, pk, sk) == 0 ? SecretBox.open(m, c, clen, n, k) : -1;
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    /** {@link #crypto_box_afternm(byte[], byte[], long, byte[], byte[])} of all of {@code m}. */
    public static int crypto_box_afternm(byte[] c, byte[] m, byte[] n, byte[] k) {
        return crypto_box_afternm(c, m, m.length, n, k);
    }

    /** {@link #crypto_box_open_afternm(byte[], byte[], long, byte[], byte[])} of all of {@code c}. */
    public static int crypto_box_open_afternm(byte[] m, byte[] c, byte[] n, byte[] k) {
        return crypto_box_open_afternm(m, c, c.length, n, k);
    }

    /** {@link #crypto_box(byte[], byte[], long, byte[], byte[], byte[])} of all of {@code m}. */
    public static int crypto_box(byte[] c, byte[] m, byte[] n, byte[] pk, byte[] sk) {
        return crypto_box(c, m, m.length, n, pk, sk);
    }

    /** {@link #crypto_box_open(byte[], byte[], long, byte[], byte[], byte[])} of all of {@code c}. */
    public static int crypto_box_open(byte[] m, byte[] c, byte[] n, byte[] pk, byte[] sk) {
        return crypto_box_open(m, c, c.length, n, pk, sk);
    }
}
