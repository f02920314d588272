package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The key derivation of PROTOCOL.md section 1, checked against its test vector (computed independently). */
class CurveKeysTest {
    private static final String PASSPHRASE = "correct horse battery staple";

    @Test
    void derive_protocolVector_givesTheDocumentedKeys() {
        CurveKeys keys = CurveKeys.derive(PASSPHRASE);

        assertEquals("XjkHu@uhhIt)uKM9A-OUa+y8HKwqq(=6+KxFrOz-", keys.serverSecretZ85());
        assertEquals("gzzH/Wtut--jb8Hu6CS%FnL536t6{70J%)zk8hBK", keys.serverPublicZ85());
        assertEquals("v75-Q0K1vvP5@Fr}V4HL*hnF!898*9frM=TIflvP", keys.clientSecretZ85());
        assertEquals("MMX:v&=?wYIkLbG[J##7OyV1!r-]t4HQ^sYiIyKW", keys.clientPublicZ85());
        assertArrayEquals(hex("33142fceb5892981c4b7ec6c5d940902806df7c713bba09701aed34a3e87417c"), keys.serverPublicKey());
        assertArrayEquals(hex("97214422e277a98d89a76b38f142f7859cd6cf565658fe0187b8fe5239a17440"), keys.clientPublicKey());
    }

    @Test
    void secretKey_protocolVector_isTheClampedHmac() {
        byte[] secret = CurveKeys.secretKey(PASSPHRASE.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                CurveKeys.SERVER_LABEL);

        assertArrayEquals(hex("b846e33bfd2101615d06948d1d59066621820b7c904e9c25cd99a9108093d258"), secret);
    }

    @Test
    void publicKey_rfc7748AliceVector_matches() {
        // RFC 7748 section 6.1: Alice's private key and public key
        byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");

        assertArrayEquals(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), CurveKeys.publicKey(alice));
    }

    @Test
    void derive_otherPassphrase_givesOtherKeys() {
        CurveKeys a = CurveKeys.derive(PASSPHRASE);
        CurveKeys b = CurveKeys.derive(PASSPHRASE + "!");

        assertFalse(a.sameKeys(b));
        assertTrue(a.sameKeys(CurveKeys.derive(PASSPHRASE)));
        assertFalse(a.serverPublicZ85().equals(a.clientPublicZ85()));
    }

    @Test
    void toString_always_hidesTheSecrets() {
        CurveKeys keys = CurveKeys.derive(PASSPHRASE);

        assertFalse(keys.toString().contains(keys.serverSecretZ85()));
        assertFalse(keys.toString().contains(keys.clientSecretZ85()));
        assertTrue(keys.toString().contains(keys.serverPublicZ85()));
    }

    @Test
    void wireFrameLimit_always_allowsTheOverheadAndTheHandshake() {
        assertEquals(CurveKeys.MIN_HANDSHAKE_FRAME_BYTES, CurveKeys.wireFrameLimit(256));
        assertEquals(8 * 1024 * 1024 + 33, CurveKeys.wireFrameLimit(8 * 1024 * 1024));
        assertEquals(Integer.MAX_VALUE, CurveKeys.wireFrameLimit(Integer.MAX_VALUE));
    }

    @Test
    void derive_blankPassphrase_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> CurveKeys.derive(" "));
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
