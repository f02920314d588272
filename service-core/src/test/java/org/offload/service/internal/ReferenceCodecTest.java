package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.ProtocolException;

/**
 * Runs the Python reference codec of PROTOCOL.md section 15.4, cut out of the document itself, so the page
 * cannot drift from the Java codec: it must print the worked example's hex, and its decoder must accept and
 * reject exactly what {@link Wire#decode} does, with the same status, raising nothing but its ProtocolError.
 * Skipped, with the reason in the report, where no python3 is on the PATH.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReferenceCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    static final String CODEC_START = "# Offload wire protocol v1 and v2: reference encoder";
    private static final String WORKER_START = "# minimal_worker.py:";
    /** Reads one hex envelope a line; prints "ok" or the ProtocolError's status. Any other exception fails. */
    private static final String DRIVER = String.join("\n",
            "import sys",
            "from offload_wire import decode, ProtocolError",
            "for line in sys.stdin:",
            "    try:",
            "        decode(bytes.fromhex(line.strip()))",
            "        print('ok')",
            "    except ProtocolError as e:",
            "        print(e.status)",
            "");

    @TempDir
    static Path dir;
    private static String document;

    @BeforeAll
    static void extractTheCodec() throws IOException {
        document = Files.readString(ProtocolExampleTest.protocolDocument());
        Files.writeString(dir.resolve("offload_wire.py"), pythonBlock(CODEC_START));
        Files.writeString(dir.resolve("driver.py"), DRIVER);
    }

    /** The fenced Python block of PROTOCOL.md whose first line starts with {@code firstLine}. */
    private static String pythonBlock(String firstLine) {
        return ProtocolExampleTest.pythonBlock(document, firstLine);
    }

    @Test
    void referenceCodec_run_printsTheWorkedExampleHexOfThisPage() throws Exception {
        List<String> printed = python("", "offload_wire.py");

        List<String> expected = List.of(
                "request envelope (96 bytes): " + ProtocolExampleTest.REQUEST_ENVELOPE_HEX,
                "request body     (23 bytes): " + ProtocolExampleTest.REQUEST_BODY_HEX,
                "request proof: " + ProtocolExampleTest.REQUEST_PROOF_HEX,
                "reply envelope (74 bytes): " + ProtocolExampleTest.REPLY_ENVELOPE_HEX,
                "reply body     (23 bytes): " + ProtocolExampleTest.REQUEST_BODY_HEX,
                "reply proof: " + ProtocolExampleTest.REPLY_PROOF_HEX,
                "cancel envelope (70 bytes): " + ProtocolExampleTest.CANCEL_ENVELOPE_HEX,
                "cancel body     (0 bytes): (empty)",
                "cancel proof: " + ProtocolExampleTest.CANCEL_PROOF_HEX,
                "v2 request frame (155 bytes): " + ProtocolExampleTest.V2_REQUEST_FRAME_HEX,
                "v2 reply frame (133 bytes): " + ProtocolExampleTest.V2_REPLY_FRAME_HEX,
                "v2 cancel frame (106 bytes): " + ProtocolExampleTest.V2_CANCEL_FRAME_HEX,
                "v2 batch frame (325 bytes): " + ProtocolExampleTest.V2_BATCH_FRAME_HEX);
        assertEquals(expected, printed);
        for (String line : printed) {
            assertTrue(document.contains(line), "PROTOCOL.md does not show the line the codec prints: " + line);
        }
    }

    /** Hand-picked edge cases, malformed UTF-8 in every text field among them, then random mutations. */
    @Test
    void referenceDecoder_sameEnvelopes_acceptsAndRejectsLikeWireDecodeWithTheSameStatus() throws Exception {
        List<byte[]> envelopes = new ArrayList<>(edgeCases());
        Random random = new Random(20_260_101);
        byte[] request = HEX.parseHex(ProtocolExampleTest.REQUEST_ENVELOPE_HEX);
        for (int i = 0; i < 2_000; i++) {
            byte[] m = request.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                m[random.nextInt(m.length)] = (byte) random.nextInt(256);
            }
            envelopes.add(m);
        }
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (byte[] env : envelopes) {
            input.append(HEX.formatHex(env)).append('\n');
            expected.add(javaOutcome(env));
        }

        List<String> python = python(input.toString(), "driver.py");

        assertEquals(envelopes.size(), python.size(), "one outcome per envelope");
        for (int i = 0; i < envelopes.size(); i++) {
            int at = i;
            assertEquals(expected.get(i), python.get(i), () -> "envelope " + HEX.formatHex(envelopes.get(at)));
        }
        assertTrue(expected.subList(0, edgeCases().size()).contains("ok"), "the cases include accepted ones");
    }

    /**
     * Version 2: random mutations of the worked example's frames (the body length among the bytes hit),
     * truncations and extensions; the reference decode_frame must accept and reject each like
     * {@link Wire#decodeFrame}, with the same status, and verify_frame agree with {@link Proof#verifyFrame}.
     */
    @Test
    void referenceFrameDecoder_sameFrames_acceptsAndRejectsLikeWireDecodeFrameWithTheSameStatus() throws Exception {
        Files.writeString(dir.resolve("frame_driver.py"), String.join("\n",
                "import sys",
                "from offload_wire import decode_frame, verify_frame, ProtocolError",
                "for line in sys.stdin:",
                "    f = bytes.fromhex(line.strip())",
                "    v = 'signed' if verify_frame('s3cret-p\\u00e4ssphrase', f) else 'unsigned'",
                "    try:",
                "        fields, body = decode_frame(f)",
                "        print(v, 'ok', body.hex())",
                "    except ProtocolError as e:",
                "        print(v, e.status)",
                ""));
        Proof proof = new Proof(ProtocolExampleTest.PASSPHRASE);
        List<byte[]> frames = new ArrayList<>();
        Random random = new Random(20_261_202);
        for (String hex : List.of(ProtocolExampleTest.V2_REQUEST_FRAME_HEX, ProtocolExampleTest.V2_REPLY_FRAME_HEX,
                ProtocolExampleTest.V2_CANCEL_FRAME_HEX)) {
            byte[] frame = HEX.parseHex(hex);
            frames.add(frame);
            for (int cut : new int[] {0, 3, 4, 29, 30, 61, 62, 79, 80, frame.length - 1}) {
                frames.add(java.util.Arrays.copyOf(frame, cut));
            }
            frames.add(java.util.Arrays.copyOf(frame, frame.length + 1));
            for (int i = 0; i < 700; i++) {
                byte[] m = frame.clone();
                for (int flips = 1 + random.nextInt(2); flips > 0; flips--) {
                    int at = random.nextInt(4) == 0 ? 44 + random.nextInt(4) : random.nextInt(m.length);
                    m[at] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    proof.signInto(m, m.length - Wire.PROOF_BYTES); // signed: only the decoder can reject it
                }
                frames.add(m);
            }
        }
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (byte[] f : frames) {
            input.append(HEX.formatHex(f)).append('\n');
            String signed = proof.verifyFrame(f) ? "signed" : "unsigned";
            try {
                Wire.decodeFrame(f);
                expected.add(signed + " ok " + HEX.formatHex(Inbound.ofFrame(f).body()));
            } catch (ProtocolException e) {
                expected.add(signed + " " + e.status());
            }
        }

        List<String> python = python(input.toString(), "frame_driver.py");

        assertEquals(frames.size(), python.size(), "one outcome per frame");
        for (int i = 0; i < frames.size(); i++) {
            int at = i;
            assertEquals(expected.get(i), python.get(i), () -> "frame " + HEX.formatHex(frames.get(at)));
        }
        assertTrue(expected.stream().anyMatch(o -> o.startsWith("signed ok")), "some frames are accepted");
        assertTrue(expected.stream().anyMatch(o -> o.startsWith("signed 400")), "some signed frames are rejected");
    }

    /** The appendix worker (which needs pyzmq to run) at least compiles against this page's codec. */
    @Test
    void appendixWorker_compiles() throws Exception {
        Files.writeString(dir.resolve("minimal_worker.py"), pythonBlock(WORKER_START));

        python("", "-m", "py_compile", "minimal_worker.py");
    }

    private static String javaOutcome(byte[] env) {
        try {
            Wire.decode(env);
            return "ok";
        } catch (ProtocolException e) {
            return Integer.toString(e.status());
        }
    }

    private static List<byte[]> edgeCases() {
        byte[] request = HEX.parseHex(ProtocolExampleTest.REQUEST_ENVELOPE_HEX);
        byte[] reply = HEX.parseHex(ProtocolExampleTest.REPLY_ENVELOPE_HEX);
        int path = 54; // the request's path bytes (PROTOCOL.md 15.2)
        int message = 70; // the reply's "OK"
        int headerName = 73;
        int headerValue = 89;
        return List.of(
                request, reply, HEX.parseHex(ProtocolExampleTest.CANCEL_ENVELOPE_HEX),
                patched(request, path + 1, 0xFF), // malformed UTF-8
                patched(request, path + 1, 0xC0, 0xAF), // overlong '/'
                patched(request, path + 1, 0xED, 0xA0, 0x80), // a surrogate
                patched(request, path + 12, 0xC3), // truncated sequence at the field's end
                patched(request, headerName + 2, 0xE2, 0x82), // header name
                patched(request, headerValue, 0x80), // header value
                patched(reply, message, 0xFE), // status message
                patched(request, path + 1, 0xC3, 0xA4), // valid 2-byte UTF-8: accepted
                patched(request, 3, 2), // another version
                patched(request, 5, 1), // flags
                patched(request, 4, 4), // kind
                java.util.Arrays.copyOf(request, request.length - 1),
                java.util.Arrays.copyOf(request, request.length + 1),
                java.util.Arrays.copyOf(request, 50),
                withHeader("\u20ac".repeat(85)), // 255 bytes: accepted
                withHeader("x" + "\u20ac".repeat(85)), // 256 bytes
                withHeader("\u20ac".repeat(200)), // 600 bytes in 200 characters
                withHeader(""));
    }

    private static byte[] patched(byte[] env, int at, int... bytes) {
        byte[] copy = env.clone();
        for (int i = 0; i < bytes.length; i++) {
            copy[at + i] = (byte) bytes[i];
        }
        return copy;
    }

    /** The cancel of the worked example with one header {@code name: v}, written by hand (encode refuses some). */
    private static byte[] withHeader(String name) {
        byte[] cancel = Wire.encode(new Envelope(Wire.CANCEL, ClientId.read(HEX.parseHex(
                ProtocolExampleTest.CLIENT_ID_HEX), 0), 42, 1, 0, 0, "cancel", "/x", "", Map.of()));
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(cancel.length + 2 + n.length + 3).put(cancel, 0, cancel.length - 2)
                .putShort((short) 1).putShort((short) n.length).put(n).putShort((short) 1).put((byte) 'v').array();
    }

    /** Runs python3 with {@code args} in the codec's directory; its stdout lines. Skips when python3 is absent. */
    private static List<String> python(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(dir.resolve("stderr.txt").toFile()).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not on the PATH, so PROTOCOL.md's reference codec was not run: " + e);
            throw e;
        }
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // python exited early; its exit code and stderr say why
            }
        });
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "python3 did not finish");
        feeder.join();
        assertEquals(0, p.exitValue(), () -> "python3 " + String.join(" ", args) + " failed: " + stderr());
        return out;
    }

    private static String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
