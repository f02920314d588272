package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;

/** Progress replies (status 110) on the wire (PROTOCOL.md section 11; issue 12 item 7). */
@Timeout(value = 30, unit = SECONDS)
class ProgressWireTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** Reports three steps with exact values, then answers. */
    private static final Handler STEPS = call -> {
        call.progress(0.0, "");
        call.progress(0.1, "über 3/8 \"quoted\"");
        call.progress(1.0, "done");
        return Reply.json(Map.of("wanted", call.wantsProgress()));
    };

    /** Every message up to and including the final reply of {@code requestId}. */
    private static List<Received> untilFinal(RawPeer peer, long requestId) {
        List<Received> out = new ArrayList<>();
        Received r;
        do {
            r = peer.reply();
            assertEquals(requestId, r.requestId(), r::toString);
            out.add(r);
        } while (Status.isInterim(r.status()));
        return out;
    }

    @Test
    void progress_requestAsksForIt_interimRepliesCarryFractionAndMessageExactly() {
        ServiceServer server = fx.start(Fixtures.builder("steps").progressInterval(Duration.ofMillis(1))
                .route("^/steps$", "request", STEPS));
        RawPeer peer = fx.peer(server);

        long id = peer.send("/steps", "request", Map.of("offload-notify", "started,progress"), Body.empty());
        List<Received> got = untilFinal(peer, id);

        assertEquals(Status.STARTED, got.get(0).status(), "102 first");
        Received last = got.get(got.size() - 1);
        assertEquals(Status.OK, last.status());
        assertEquals("{\"wanted\":true}", last.body().json().toString());
        List<Received> progress = got.subList(1, got.size() - 1);
        assertFalse(progress.isEmpty(), "at least the last report is sent");
        for (Received p : progress) {
            assertEquals(Status.PROGRESS, p.status(), p::toString);
            assertEquals("response", p.envelope().method());
            assertEquals("/steps", p.envelope().path());
            assertEquals(0, p.body().size(), "empty body");
            assertEquals(1, p.headers().size(), p.headers()::toString);
        }
        Received final110 = progress.get(progress.size() - 1);
        assertEquals("1.0", final110.headers().get(Progress.HEADER));
        assertEquals("done", final110.message());
        // the reports the I/O thread sent are some of the three, in order, each carried exactly
        List<String> expected = List.of("0.0|", "0.1|über 3/8 \"quoted\"", "1.0|done");
        List<String> seen = progress.stream().map(p -> p.headers().get(Progress.HEADER) + "|" + p.message()).toList();
        int at = -1;
        for (String s : seen) {
            int i = expected.indexOf(s);
            assertTrue(i > at, () -> "reports out of order or unknown: " + seen);
            at = i;
        }
    }

    @Test
    void progress_requestDoesNotAskForIt_noInterimReplyIsSent() {
        ServiceServer server = fx.start(Fixtures.builder("quiet").route("^/steps$", "request", STEPS));
        RawPeer peer = fx.peer(server);

        long onlyStarted = peer.send("/steps", "request", Map.of("offload-notify", "started"), Body.empty());
        List<Received> started = untilFinal(peer, onlyStarted);
        assertEquals(List.of(Status.STARTED, Status.OK), started.stream().map(Received::status).toList());
        assertEquals("{\"wanted\":false}", started.get(1).body().json().toString());

        long plain = peer.send("/steps", "request", Map.of(), Body.empty());
        assertEquals(List.of(Status.OK), untilFinal(peer, plain).stream().map(Received::status).toList());
    }

    @Test
    void progress_tightLoop_coalescedToAtMostOnePerIntervalEndingWithTheLast() {
        Duration interval = Duration.ofMillis(100);
        AtomicLong ranNanos = new AtomicLong();
        AtomicLong reports = new AtomicLong();
        ServiceServer server = fx.start(Fixtures.builder("busy").progressInterval(interval)
                .route("^/loop$", "request", call -> {
                    long start = System.nanoTime();
                    long spin = Duration.ofMillis(500).toNanos();
                    long n = 0;
                    for (long t; (t = System.nanoTime() - start) < spin; n++) {
                        call.progress((double) t / spin, "step " + n);
                    }
                    call.progress(1.0, "done");
                    reports.set(n + 1);
                    ranNanos.set(System.nanoTime() - start);
                    return Reply.ok(Body.empty());
                }));
        RawPeer peer = fx.peer(server);

        long id = peer.send("/loop", "request", Map.of("offload-notify", "progress"), Body.empty());
        List<Received> got = untilFinal(peer, id);

        List<Received> progress = got.subList(0, got.size() - 1);
        long bound = ranNanos.get() / interval.toNanos() + 2;
        assertTrue(reports.get() > 1_000, "the handler reported in a tight loop: " + reports.get());
        assertTrue(progress.size() >= 1 && progress.size() <= bound,
                progress.size() + " progress replies for " + reports.get() + " reports, bound " + bound);
        double previous = -1;
        for (Received p : progress) {
            double f = Double.parseDouble(p.headers().get(Progress.HEADER));
            assertTrue(f > previous, "fractions in report order");
            previous = f;
        }
        assertEquals("done", progress.get(progress.size() - 1).message(), "the last report is never lost");
        assertEquals(Status.OK, got.get(got.size() - 1).status());
    }

    @Test
    void progress_badValues_throwInTheHandler() {
        Call call = Call.of(Request.of("/x", "request"));
        assertEquals("fraction must be between 0.0 and 1.0 but was 1.5",
                assertThrows(IllegalArgumentException.class, () -> call.progress(1.5, "")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> call.progress(Double.NaN, ""));
        assertEquals("progress message must be <= 1024 UTF-8 bytes but was 1025",
                assertThrows(IllegalArgumentException.class, () -> call.progress(0.5, "x".repeat(1025))).getMessage());
        call.progress(0.5, "no socket: ignored"); // a call outside any socket has nowhere to send it
        assertFalse(call.wantsProgress());
    }

    @Test
    void of_progressReplies_readOnlyWellFormedFractions() {
        assertEquals(java.util.Optional.of(new Progress(1.0E-4, "m")),
                Progress.of(new Progress(1.0E-4, "m").toReply()), "Double.toString reads back exactly");
        assertEquals("1.0E-4", new Progress(1.0E-4, "m").toReply().headers().get(Progress.HEADER));
        for (String bad : List.of("0.5d", "NaN", "Infinity", "0x1p-2", "1.5", "-0.1", ".5", "")) {
            Reply r = Reply.error(Status.PROGRESS, "m").withHeader(Progress.HEADER, bad);
            assertEquals(java.util.Optional.empty(), Progress.of(r), bad);
        }
        assertEquals(java.util.Optional.empty(), Progress.of(Reply.error(Status.STARTED, "started")));
    }
}
