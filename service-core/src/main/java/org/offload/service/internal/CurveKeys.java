package org.offload.service.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.zeromq.ZMQ;

/**
 * The CURVE key pairs of one passphrase (PROTOCOL.md section 1): each secret key is
 * {@code clamp(HMAC-SHA256(key = UTF-8 passphrase, message = label))} with the label {@value #SERVER_LABEL}
 * for the service and {@value #CLIENT_LABEL} for its clients; each public key is {@code X25519(secret, 9)}.
 * So any peer that knows the passphrase can derive the service's public key (to connect) and the client key
 * pair (which the service's ZAP handler requires). Also applies them to sockets. The secret keys are never
 * logged. Not public API.
 */
public final class CurveKeys {
    public static final String SERVER_LABEL = "offload curve server key v1";
    public static final String CLIENT_LABEL = "offload curve client key v1";
    public static final int KEY_BYTES = 32;
    /**
     * What CURVE adds to each frame on the wire: a MESSAGE command is {@code "\x07MESSAGE"}, an 8-byte nonce,
     * then the box of one flags byte and the payload, with its 16-byte MAC (RFC 26).
     */
    public static final int MESSAGE_OVERHEAD_BYTES = 8 + 8 + 16 + 1;
    /**
     * Frame limit a CURVE socket needs at least for the handshake: INITIATE is 257 bytes plus the metadata
     * (about 20 for Socket-Type), the largest of the four commands; room is left for a peer's extra metadata.
     */
    public static final int MIN_HANDSHAKE_FRAME_BYTES = 1024;
    /**
     * The shortest handshake timeout a CURVE socket gets: a handshake makes about 8 scalar multiplications,
     * which with jnacl (JeroMQ 0.6.0's own cipher, which a peer may still use) measured hundreds of ms on a
     * loaded 2-core machine, and slower still in a JVM whose JIT has not compiled it yet; Bouncy Castle's
     * (jnacl-over-bouncycastle, what service-core uses) is faster, but a cold JIT on a busy machine is not.
     * A shorter timeout cuts such handshakes off and retries them, paying again, and may never connect.
     */
    public static final Duration MIN_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final byte[] serverPublic;
    private final byte[] serverSecret;
    private final byte[] clientPublic;
    private final byte[] clientSecret;

    private CurveKeys(byte[] serverSecret, byte[] clientSecret) {
        this.serverSecret = serverSecret;
        this.clientSecret = clientSecret;
        this.serverPublic = publicKey(serverSecret);
        this.clientPublic = publicKey(clientSecret);
    }

    /** The key pairs derived from {@code passphrase}. */
    public static CurveKeys derive(String passphrase) {
        Checks.notBlank("passphrase", passphrase);
        byte[] raw = passphrase.getBytes(StandardCharsets.UTF_8);
        try {
            return new CurveKeys(secretKey(raw, SERVER_LABEL), secretKey(raw, CLIENT_LABEL));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * The frame limit to give JeroMQ for payload frames of up to {@code payloadLimit} bytes: JeroMQ 0.6.0
     * checks its limit on the encrypted frame, which is {@value #MESSAGE_OVERHEAD_BYTES} bytes longer, and on
     * the handshake commands too.
     */
    public static int wireFrameLimit(int payloadLimit) {
        long limit = Math.max((long) payloadLimit + MESSAGE_OVERHEAD_BYTES, MIN_HANDSHAKE_FRAME_BYTES);
        return (int) Math.min(Integer.MAX_VALUE, limit);
    }

    /** The handshake timeout for a CURVE socket configured with {@code configured}: at least {@link #MIN_HANDSHAKE_TIMEOUT}. */
    public static Duration handshakeTimeout(Duration configured) {
        return configured.compareTo(MIN_HANDSHAKE_TIMEOUT) < 0 ? MIN_HANDSHAKE_TIMEOUT : configured;
    }

    /** Makes {@code socket} a CURVE server with the service key that admits only clients ZAP lets through. */
    public void applyServer(ZMQ.Socket socket, String zapDomain) {
        CurveCipher.warnOnceIfSlow();
        socket.setZapDomain(zapDomain);
        socket.setCurveServer(true);
        socket.setCurvePublicKey(serverPublic);
        socket.setCurveSecretKey(serverSecret);
    }

    /**
     * Makes {@code socket} a CURVE client of this passphrase's service. JeroMQ 0.6.0 reads these options at
     * every handshake (it does not copy them per connection), so a socket gets the keys of one service only.
     */
    public void applyClient(ZMQ.Socket socket) {
        CurveCipher.warnOnceIfSlow();
        socket.setCurvePublicKey(clientPublic);
        socket.setCurveSecretKey(clientSecret);
        socket.setCurveServerKey(serverPublic);
    }

    public byte[] serverPublicKey() {
        return serverPublic.clone();
    }

    public byte[] clientPublicKey() {
        return clientPublic.clone();
    }

    /** Z85 of the service's public key (PROTOCOL.md's test vector; safe to log). */
    public String serverPublicZ85() {
        return ZMQ.Curve.z85Encode(serverPublic);
    }

    /** Z85 of the clients' public key (safe to log). */
    public String clientPublicZ85() {
        return ZMQ.Curve.z85Encode(clientPublic);
    }

    /** Z85 of the service's secret key: for tests and for a peer checking its derivation, never for logs. */
    public String serverSecretZ85() {
        return ZMQ.Curve.z85Encode(serverSecret);
    }

    /** Z85 of the clients' secret key: for tests and for a peer checking its derivation, never for logs. */
    public String clientSecretZ85() {
        return ZMQ.Curve.z85Encode(clientSecret);
    }

    /** True when both were derived from the same passphrase. */
    public boolean sameKeys(CurveKeys other) {
        return Arrays.equals(serverPublic, other.serverPublic) && Arrays.equals(clientPublic, other.clientPublic);
    }

    /** HMAC-SHA256 of {@code label} keyed with the passphrase, clamped as an X25519 scalar (RFC 7748 5). */
    static byte[] secretKey(byte[] passphrase, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(passphrase, "HmacSHA256"));
            byte[] k = mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
            k[0] &= (byte) 248;
            k[31] &= 127;
            k[31] |= 64;
            return k;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available on this JVM", e);
        }
    }

    /** X25519(secret, 9): the public key of a Curve25519 secret key, both little-endian (RFC 7748). */
    static byte[] publicKey(byte[] secret) {
        try {
            KeyFactory factory = KeyFactory.getInstance("XDH");
            PrivateKey priv = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, secret));
            PublicKey base = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.valueOf(9)));
            KeyAgreement x25519 = KeyAgreement.getInstance("XDH");
            x25519.init(priv);
            x25519.doPhase(base, true);
            return x25519.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available on this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "CurveKeys[server " + serverPublicZ85() + ", client " + clientPublicZ85() + ", secrets hidden]";
    }
}
