package org.offload.service;

/**
 * How the ZeroMQ connections between a client and a service are protected, below the passphrase proof that
 * every message carries either way. Both sides of a service must use the same one; a client using CURVE and
 * a service using NONE (or the reverse) never complete the ZeroMQ handshake, so calls to it fail with
 * {@link ServiceUnavailableException} ("... never connected ...").
 */
public enum Encryption {
    /**
     * ZeroMQ CURVE (RFC 26, Curve25519 + XSalsa20-Poly1305): every byte after the greeting is encrypted and
     * authenticated. The service's and the clients' key pairs are derived from the passphrase (PROTOCOL.md
     * section 1), and the service admits only connections from the derived client key. The default.
     */
    CURVE,
    /**
     * Plaintext (ZeroMQ's NULL mechanism): anyone who can reach the ports reads every request and reply. The
     * passphrase proof still authenticates every message. For trusted networks and benchmarks only.
     */
    NONE
}
