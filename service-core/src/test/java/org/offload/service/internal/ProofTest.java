package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.offload.service.Body;

/** HMAC-SHA256 proof of the passphrase over {@code uint32be(len(envelope)) || envelope || body}. */
class ProofTest {
    private static final String PASSPHRASE = "correct horse battery staple ✓";
    private final Proof proof = new Proof(PASSPHRASE);
    private final byte[] envelope = Wire.encode(new Envelope(Wire.REQUEST, ClientId.random(), 5, 1_700_000_000_000L,
            1_000, 0, "request", "/p", "", Map.of("h", "v")));
    private final byte[] body = "{\"a\":[1,2,3],\"b\":\"x y\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void sign_anyFrames_returns32BytesThatVerify() {
        byte[] p = proof.sign(envelope, body);

        assertEquals(Wire.PROOF_BYTES, p.length);
        assertTrue(proof.verify(envelope, body, p));
        assertArrayEquals(p, proof.sign(envelope, body), "signing is deterministic");
    }

    @Test
    void sign_knownInput_matchesTheDocumentedHmac() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(PASSPHRASE.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(new byte[] {0, 0, 0, (byte) envelope.length});
        mac.update(envelope);
        byte[] expected = mac.doFinal(body);

        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(proof.sign(envelope, body)));
    }

    @Test
    void verify_anySingleEnvelopeByteFlipped_fails() {
        byte[] p = proof.sign(envelope, body);
        for (int i = 0; i < envelope.length; i++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] tampered = envelope.clone();
                tampered[i] ^= (byte) mask;
                int at = i;
                assertFalse(proof.verify(tampered, body, p), () -> "envelope byte " + at + " flipped with " + mask);
            }
        }
    }

    @Test
    void verify_anySingleBodyByteFlipped_fails() {
        byte[] p = proof.sign(envelope, body);
        for (int i = 0; i < body.length; i++) {
            byte[] tampered = body.clone();
            tampered[i] ^= 0x01;
            int at = i;
            assertFalse(proof.verify(envelope, tampered, p), () -> "body byte " + at + " flipped");
        }
    }

    @Test
    void verify_anySingleProofByteFlipped_fails() {
        byte[] p = proof.sign(envelope, body);
        for (int i = 0; i < p.length; i++) {
            byte[] tampered = p.clone();
            tampered[i] ^= 0x01;
            int at = i;
            assertFalse(proof.verify(envelope, body, tampered), () -> "proof byte " + at + " flipped");
        }
    }

    @Test
    void verify_bytesMovedAcrossTheFrameBoundary_fails() {
        byte[] p = proof.sign(envelope, body);
        byte[] shorterEnvelope = Arrays.copyOf(envelope, envelope.length - 1);
        byte[] longerBody = new byte[body.length + 1];
        longerBody[0] = envelope[envelope.length - 1];
        System.arraycopy(body, 0, longerBody, 1, body.length);

        assertFalse(proof.verify(shorterEnvelope, longerBody, p), "the length prefix binds the frame boundary");
    }

    @Test
    void verify_truncatedOrExtendedOrEmptyProof_fails() {
        byte[] p = proof.sign(envelope, body);

        assertFalse(proof.verify(envelope, body, Arrays.copyOf(p, 31)));
        assertFalse(proof.verify(envelope, body, Arrays.copyOf(p, 33)));
        assertFalse(proof.verify(envelope, body, new byte[0]));
        assertFalse(proof.verify(envelope, body, new byte[32]));
    }

    @Test
    void verify_differentPassphrase_fails() {
        byte[] p = new Proof(PASSPHRASE + "!").sign(envelope, body);

        assertFalse(proof.verify(envelope, body, p));
        assertFalse(new Proof("Correct horse battery staple ✓").verify(envelope, body, proof.sign(envelope, body)));
    }

    @Test
    void samePassphrase_equalAndDifferentPassphrases_comparesByValue() {
        assertTrue(proof.samePassphrase(new Proof(new String(PASSPHRASE.toCharArray()))));
        assertTrue(proof.samePassphrase(proof));
        assertFalse(proof.samePassphrase(new Proof(PASSPHRASE + " ")));
        assertFalse(proof.samePassphrase(new Proof("other")));
    }

    @Test
    void constructor_blankOrNullPassphrase_isRejected() {
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> new Proof(" \t"));
        NullPointerException none = assertThrows(NullPointerException.class, () -> new Proof(null));

        assertEquals("passphrase must not be blank", blank.getMessage());
        assertEquals("passphrase", none.getMessage());
    }

    @Test
    void toString_any_neverShowsThePassphrase() {
        assertFalse(proof.toString().contains("horse"), proof.toString());
        assertEquals("Proof[HmacSHA256, key hidden]", proof.toString());
    }

    @Test
    void sign_randomPassphrasesAndLengths_equalsTheJdkHmac() throws Exception {
        Random random = new Random(11);
        // key lengths around the 64-byte block, where HMAC switches to hashing the key first
        int[] keyLengths = {1, 2, 31, 32, 63, 64, 65, 100, 128, 200, 1000};
        for (int keyLength : keyLengths) {
            String passphrase = randomPassphrase(random, keyLength);
            Proof p = new Proof(passphrase);
            for (int round = 0; round < 20; round++) {
                byte[] env = randomBytes(random, random.nextInt(round < 2 ? 1 : 600));
                byte[] b = randomBytes(random, round % 4 == 0 ? 0 : random.nextInt(2_000));

                byte[] expected = jdkHmac(passphrase, env, b);

                assertArrayEquals(expected, p.sign(env, b), () -> "passphrase of " + keyLength + " chars, envelope "
                        + env.length + " bytes, body " + b.length + " bytes");
                assertTrue(p.verify(env, b, expected));
            }
        }
    }

    @Test
    void signAndVerify_fromManyThreadsWithDifferentMessages_matchTheJdkHmac() throws Exception {
        Random random = new Random(3);
        int messages = 64;
        byte[][] envs = new byte[messages][];
        byte[][] bodies = new byte[messages][];
        byte[][] expected = new byte[messages][];
        for (int i = 0; i < messages; i++) {
            envs[i] = randomBytes(random, 40 + random.nextInt(300));
            bodies[i] = randomBytes(random, random.nextInt(3) == 0 ? 0 : random.nextInt(1_000));
            expected[i] = jdkHmac(PASSPHRASE, envs[i], bodies[i]);
        }
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                tasks.add(() -> {
                    int checked = 0;
                    for (int round = 0; round < 300; round++) {
                        int i = (first + round * 7) % messages;
                        byte[] wrong = expected[(i + 1) % messages];
                        if (!Arrays.equals(expected[i], proof.sign(envs[i], bodies[i]))
                                || !proof.verify(envs[i], bodies[i], expected[i])
                                || proof.verify(envs[i], bodies[i], wrong)) {
                            throw new AssertionError("message " + i + " in round " + round);
                        }
                        checked++;
                    }
                    return checked;
                });
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertEquals(300, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] jdkHmac(String passphrase, byte[] env, byte[] b) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(passphrase.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(ByteBuffer.allocate(4).putInt(env.length).array());
        mac.update(env);
        return mac.doFinal(b);
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    /** {@code chars} printable characters, some of them two or three UTF-8 bytes long. */
    private static String randomPassphrase(Random random, int chars) {
        StringBuilder b = new StringBuilder("k");
        while (b.length() < chars) {
            b.append(random.nextInt(4) == 0 ? (char) (0xE0 + random.nextInt(0x700)) : (char) ('!' + random.nextInt(90)));
        }
        return b.toString();
    }

    @Test
    void seal_nonJsonBody_verifiesAndCarriesTheBodyType() {
        Body octets = Body.bytes(new byte[] {0, 1, 2, (byte) 0xFF, ' ', '\n'});
        Envelope e = new Envelope(Wire.REQUEST, ClientId.random(), 1, 1, 1, 0, "request", "/p", "", Map.of("h", "v"));

        Sealed m = Sealed.seal(proof, e, octets);

        assertTrue(proof.verify(m.envelope(), m.body(), m.proof()));
        assertEquals(Map.of("h", "v", Wire.CONTENT_TYPE, Body.OCTET_STREAM), Wire.decode(m.envelope()).headers());
        assertEquals(octets, Sealed.body(new java.util.HashMap<>(Wire.decode(m.envelope()).headers()), m.body()));
    }

    @Test
    void seal_jsonBody_writesNoContentTypeHeader() {
        Envelope e = new Envelope(Wire.REQUEST, ClientId.random(), 1, 1, 1, 0, "request", "/p", "", Map.of("h", "v"));

        Sealed m = Sealed.seal(proof, e, Body.json(Map.of()));

        assertArrayEquals(Wire.encode(e), m.envelope(), "JSON bodies need no content-type header");
        assertEquals(Body.JSON, Sealed.body(new java.util.HashMap<>(Wire.decode(m.envelope()).headers()), m.body())
                .contentType());
    }
}
