package org.offload.nacl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305;
import com.neilalexander.jnacl.crypto.xsalsa20poly1305;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jnacl's API over Bouncy Castle gives the bytes libsodium gives (known answers in
 * {@code libsodium-vectors.txt}, written by {@code make-libsodium-vectors.py}) and the bytes the original jnacl
 * gives (loaded in its own class loader, so both run side by side on random inputs), and refuses boxes that
 * were changed, cut, lengthened or opened with another key or nonce.
 */
class BoxTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int ZERO = 32;
    private static final int BOX_ZERO = 16;
    private static List<String[]> allVectors;
    private static Class<?> originalBox;

    @BeforeAll
    static void load() throws Exception {
        allVectors = new ArrayList<>();
        try (InputStream in = BoxTest.class.getResourceAsStream("/libsodium-vectors.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    allVectors.add(line.split(" "));
                }
            }
        }
        originalBox = original("com.neilalexander.jnacl.crypto.curve25519xsalsa20poly1305");
    }

    @Test
    void cryptoBox_libsodiumKnownAnswers_sameKeysAndBytes() {
        List<String[]> lines = vectors("box");
        for (String[] v : lines) {
            byte[] secretA = hex(v[1]);
            byte[] publicB = hex(v[2]);
            byte[] nonce = hex(v[3]);
            byte[] message = hex(v[4]);
            byte[] publicA = hex(v[6]);
            byte[] shared = hex(v[7]);
            byte[] expected = hex(v[8]);

            byte[] pk = new byte[32];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_getpublickey(pk, secretA));
            assertArrayEquals(publicA, pk, "public key");
            byte[] k = new byte[32];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_beforenm(k, publicB, secretA));
            assertArrayEquals(shared, k, "shared key, message of " + message.length + " bytes");
            byte[] padded = padded(message);
            byte[] box = new byte[padded.length];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_afternm(box, padded, padded.length, nonce, k));
            assertArrayEquals(withBoxZeros(expected), box, "box of " + message.length + " bytes");
            byte[] direct = new byte[padded.length];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box(direct, padded, padded.length, nonce, publicB, secretA));
            assertArrayEquals(box, direct);

            byte[] opened = filled(box.length);
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open(opened, box, box.length, nonce, publicB, secretA));
            assertArrayEquals(padded, opened, "opened, its 32 padding bytes zero");
            byte[] whole = filled(box.length);
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open_afternm(whole, box, nonce, k));
            assertArrayEquals(padded, whole, "the overload without a length");
        }
        assertEquals(19, lines.size(), "16 lengths and 3 public keys with the top bit set");
    }

    @Test
    void cryptoSecretbox_libsodiumKnownAnswers_sameBytesAndOpens() {
        List<String[]> lines = vectors("secretbox");
        for (String[] v : lines) {
            byte[] key = hex(v[1]);
            byte[] nonce = hex(v[2]);
            byte[] padded = padded(hex(v[3]));
            byte[] box = new byte[padded.length];
            assertEquals(0, xsalsa20poly1305.crypto_secretbox(box, padded, padded.length, nonce, key));
            assertArrayEquals(withBoxZeros(hex(v[5])), box);
            byte[] opened = filled(box.length);
            assertEquals(0, xsalsa20poly1305.crypto_secretbox_open(opened, box, box.length, nonce, key));
            assertArrayEquals(padded, opened);
        }
        assertEquals(16, lines.size());
    }

    @Test
    void cryptoBoxAfternm_randomInputs_sameBytesAsOriginalJnacl() throws Exception {
        Method seal = originalBox.getMethod("crypto_box_afternm", byte[].class, byte[].class, long.class,
                byte[].class, byte[].class);
        Method open = originalBox.getMethod("crypto_box_open_afternm", byte[].class, byte[].class, long.class,
                byte[].class, byte[].class);
        Random random = new Random(7);
        List<Integer> lengths = new ArrayList<>();
        for (int n = 0; n <= 300; n++) {
            lengths.add(n);
        }
        for (int i = 0; i < 40; i++) {
            lengths.add(300 + random.nextInt(20_000));
        }
        lengths.add(65_536);
        for (int n : lengths) {
            byte[] k = bytes(random, 32);
            byte[] nonce = bytes(random, 24);
            byte[] padded = padded(bytes(random, n));
            byte[] ours = new byte[padded.length];
            byte[] theirs = new byte[padded.length];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_afternm(ours, padded, padded.length, nonce, k));
            assertEquals(0, seal.invoke(null, theirs, padded, (long) padded.length, nonce, k));
            assertArrayEquals(theirs, ours, "box of " + n + " bytes");

            byte[] opened = new byte[padded.length];
            assertEquals(0, open.invoke(null, opened, ours, (long) ours.length, nonce, k));
            assertArrayEquals(padded, opened, "jnacl opens our box of " + n + " bytes");
            byte[] back = filled(padded.length);
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open_afternm(back, theirs, theirs.length, nonce, k));
            assertArrayEquals(padded, back, "we open jnacl's box of " + n + " bytes");
        }
    }

    @Test
    void cryptoBoxBeforenm_randomKeys_sameKeyAsOriginalJnacl() throws Exception {
        Method beforenm = originalBox.getMethod("crypto_box_beforenm", byte[].class, byte[].class, byte[].class);
        Method publicOf = originalBox.getMethod("crypto_box_getpublickey", byte[].class, byte[].class);
        Random random = new Random(11);
        for (int i = 0; i < 50; i++) {
            byte[] pk = new byte[32];
            byte[] sk = new byte[32];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_keypair(pk, sk));
            byte[] theirPk = new byte[32];
            publicOf.invoke(null, theirPk, sk);
            assertArrayEquals(theirPk, pk, "public key of a new key pair");

            byte[] otherSecret = bytes(random, 32);
            byte[] ours = new byte[32];
            byte[] theirs = new byte[32];
            assertEquals(0, curve25519xsalsa20poly1305.crypto_box_beforenm(ours, pk, otherSecret));
            beforenm.invoke(null, theirs, pk, otherSecret);
            assertArrayEquals(theirs, ours);
        }
    }

    @Test
    void cryptoBoxOpenAfternm_anyByteChanged_refusedAndPlaintextUntouched() {
        Random random = new Random(3);
        byte[] k = bytes(random, 32);
        byte[] nonce = bytes(random, 24);
        byte[] padded = padded(bytes(random, 90));
        byte[] box = new byte[padded.length];
        curve25519xsalsa20poly1305.crypto_box_afternm(box, padded, padded.length, nonce, k);
        for (int i = BOX_ZERO; i < box.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] forged = box.clone();
                forged[i] ^= (byte) (1 << bit);
                byte[] out = new byte[box.length];
                Arrays.fill(out, (byte) 0x55);
                assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(out, forged, forged.length, nonce, k),
                        "byte " + i + " bit " + bit);
                for (byte b : out) {
                    assertEquals((byte) 0x55, b, "a refused box wrote plaintext");
                }
            }
        }
        byte[] otherNonce = nonce.clone();
        otherNonce[23] ^= 1;
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[box.length], box, box.length, otherNonce, k));
        byte[] otherKey = k.clone();
        otherKey[0] ^= 1;
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[box.length], box, box.length, nonce, otherKey));
        byte[] longer = Arrays.copyOf(box, box.length + 1);
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[longer.length], longer, longer.length, nonce, k),
                "a box with a byte added");
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_open_afternm(new byte[box.length], box, box.length - 1, nonce, k),
                "a box cut by a byte");
    }

    @Test
    void cryptoBoxBeforenm_smallOrderPublicKeys_refusedAsLibsodiumDoesWithAnUnknownKey() {
        List<String[]> lines = vectors("refused");
        for (String[] v : lines) {
            byte[] first = new byte[32];
            byte[] second = new byte[32];
            assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(first, hex(v[2]), hex(v[1])), v[2]);
            assertEquals(-1, curve25519xsalsa20poly1305.crypto_box_beforenm(second, hex(v[2]), hex(v[1])), v[2]);
            assertFalse(Arrays.equals(first, new byte[32]), "a key anyone can compute");
            assertFalse(Arrays.equals(first, second), "the same key twice");
        }
        assertEquals(14, lines.size(), "7 points of small order, each also with the top bit set");
        byte[] sk = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_keypair(new byte[32], sk);
        byte[] zeroPoint = new byte[32];
        byte[] padded = padded(new byte[10]);
        assertEquals(-1, curve25519xsalsa20poly1305.crypto_box(new byte[padded.length], padded, padded.length,
                new byte[24], zeroPoint, sk));
    }

    @Test
    void cryptoSecretbox_lengthBelowPaddingOrBeyondArrays_minusOneOrTypedError() {
        byte[] k = new byte[32];
        byte[] n = new byte[24];
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox(new byte[31], new byte[31], 31, n, k));
        assertEquals(-1, xsalsa20poly1305.crypto_secretbox_open(new byte[31], new byte[31], 31, n, k));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> xsalsa20poly1305.crypto_secretbox(new byte[40], new byte[48], 48, n, k));
        assertTrue(e.getMessage().contains("but was 48"), e.getMessage());
        // arrays longer than the length are fine, as JeroMQ passes them: only the first mlen bytes count
        byte[] padded = padded(new byte[8]);
        byte[] roomy = Arrays.copyOf(padded, 100);
        byte[] box = filled(100);
        assertEquals(0, xsalsa20poly1305.crypto_secretbox(box, roomy, padded.length, n, k));
        byte[] exact = new byte[padded.length];
        xsalsa20poly1305.crypto_secretbox(exact, padded, padded.length, n, k);
        assertArrayEquals(exact, Arrays.copyOf(box, padded.length));
        assertEquals((byte) 0x55, box[padded.length], "a byte past the length was written");
        byte[] opened = filled(100);
        assertEquals(0, xsalsa20poly1305.crypto_secretbox_open(opened, box, padded.length, n, k));
        assertArrayEquals(padded, Arrays.copyOf(opened, padded.length));
        assertEquals((byte) 0x55, opened[padded.length], "a byte past the length was written");
    }

    @Test
    void cryptoBoxOpen_publicKeyInALongerArray_firstThirtyTwoBytesCount() {
        // JeroMQ's server opens the vouch with the client's key at the start of a 384-byte array
        byte[] pk = new byte[32];
        byte[] sk = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_keypair(pk, sk);
        byte[] peerSecret = new byte[32];
        byte[] peerPublic = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_keypair(peerPublic, peerSecret);
        byte[] padded = padded("vouch".getBytes(StandardCharsets.US_ASCII));
        byte[] box = new byte[padded.length];
        byte[] nonce = new byte[24];
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box(box, padded, nonce, peerPublic, sk));
        byte[] longKey = Arrays.copyOf(pk, 384);
        Arrays.fill(longKey, 32, 384, (byte) 0x77);
        byte[] opened = filled(box.length);
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open(opened, box, box.length, nonce, longKey, peerSecret));
        assertArrayEquals(padded, opened);
    }

    /** The original jnacl's class, from its own jar (a test dependency) in a loader that sees nothing else. */
    private static Class<?> original(String name) throws IOException, ReflectiveOperationException {
        // salsa20 is a class only the original has: its URL names the original's jar
        URL probe = ClassLoader.getSystemResource("com/neilalexander/jnacl/crypto/salsa20.class");
        assertTrue(probe != null && probe.getProtocol().equals("jar"), "jnacl's jar is on the test classpath");
        URL jar = ((JarURLConnection) probe.openConnection()).getJarFileURL();
        @SuppressWarnings("resource") // lives as long as the test class
        URLClassLoader loader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        Class<?> type = loader.loadClass(name);
        assertNotEquals(curve25519xsalsa20poly1305.class, type);
        return type;
    }

    /** The vector lines of one kind ({@code box}, {@code secretbox} or {@code refused}), split at spaces. */
    private static List<String[]> vectors(String kind) {
        return allVectors.stream().filter(v -> v[0].equals(kind)).toList();
    }

    /** An array of 0x55 bytes: what a call wrote shows, and so does a padding byte it should have zeroed. */
    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0x55);
        return b;
    }

    private static byte[] padded(byte[] message) {
        byte[] out = new byte[ZERO + message.length];
        System.arraycopy(message, 0, out, ZERO, message.length);
        return out;
    }

    private static byte[] withBoxZeros(byte[] tagAndCipher) {
        byte[] out = new byte[BOX_ZERO + tagAndCipher.length];
        System.arraycopy(tagAndCipher, 0, out, BOX_ZERO, tagAndCipher.length);
        return out;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] hex(String s) {
        return s.equals("-") ? new byte[0] : HEX.parseHex(s);
    }
}
