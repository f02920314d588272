package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.Wire;

/**
 * An envelope over 1 MiB is dropped as malformed before any HMAC is computed over it (issue 9, defect 8):
 * junk up to the 8 MiB frame limit must not tie up the receiver thread that also handles cancels.
 */
@Timeout(value = 30, unit = SECONDS)
class CheapChecksFirstTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void receive_envelopeOverTheLimitWithBadProof_droppedAsMalformedWithoutCheckingTheProof() {
        ServiceServer server = fx.echoServer("cheap");
        RawPeer peer = fx.subscribedPeer(server);
        byte[] real = peer.seal(peer.request(Fixtures.ECHO, "request", Map.of()), Body.empty()).envelope();
        byte[] oversized = Arrays.copyOf(real, Wire.MAX_ENVELOPE_BYTES + 1); // same stable prefix, zero padding

        peer.sendFrames(oversized, new byte[0], new byte[Wire.PROOF_BYTES]);

        Fixtures.await().until(() -> server.stats().malformed() == 1);
        assertEquals(0, server.stats().unauthorized(), "the proof was never checked");
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request").status(), "the service still serves");
    }
}
