package com.neilalexander.jnacl.crypto;

/**
 * jnacl's {@code crypto_secretbox} (XSalsa20-Poly1305 with a shared key), as JeroMQ's CURVE mechanism calls
 * it: the same arguments, answers and bytes, computed with Bouncy Castle. The class name is jnacl's.
 */
public class xsalsa20poly1305 {
    final int crypto_secretbox_KEYBYTES = SecretBox.KEY_BYTES;
    final int crypto_secretbox_NONCEBYTES = SecretBox.NONCE_BYTES;
    final int crypto_secretbox_ZEROBYTES = SecretBox.ZERO_BYTES;
    final int crypto_secretbox_BOXZEROBYTES = SecretBox.BOX_ZERO_BYTES;

    /** Encrypts and authenticates {@code m[0..mlen)} (its first 32 bytes zero) into {@code c}; 0, or -1. */
    public static int crypto_secretbox(byte[] c, byte[] m, long mlen, byte[] n, byte[] k) {
        return SecretBox.seal(c, m, mlen, n, k);
    }

    /** Checks and decrypts {@code c[0..clen)} (its first 16 bytes zero) into {@code m}; 0, or -1 when forged. */
    public static int crypto_secretbox_open(byte[] m, byte[] c, long clen, byte[] n, byte[] k) {
        return SecretBox.open(m, c, clen, n, k);
    }
}
