package org.offload.service.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.Encryption;
import org.offload.service.Reply;
import org.offload.service.ServerStats;
import org.offload.service.ServiceServer;

/**
 * A client written in Python from PROTOCOL.md alone — the page's reference codec (section 15.4, cut out of the
 * page), pyzmq (libzmq), and what sections 4, 5, 5.1, 6, 9, 17 and 2.2 say — calls the Java service over tcp: it pings
 * and reads the versions and batch support off the pong, is answered in version 1 to a version-1 request and in
 * version 2 to a version-2 one, and sends a batch frame of eight requests, one with a broken proof, getting seven
 * echoes and one 401. Every reply's proof is checked on the Python side. Once in plaintext and once with CURVE,
 * the Python side deriving the keys from the passphrase as section 1 says. Skipped, with the reason in the report,
 * where no python3 with pyzmq is installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PythonClientTest {
    private static final String PASSPHRASE = "a passphrase for the Python client test";
    /** Requests the script sends to the echo route, authentic ones only (a ping is not counted as received). */
    private static final int AUTHENTIC_REQUESTS = 9;
    private static final String CLIENT = """
            # A client written from PROTOCOL.md: the page's codec, pyzmq, sections 4, 5, 5.1, 6, 9, 17 and 2.2.
            import hashlib, hmac, os, sys, time, zmq
            from offload_wire import (REQUEST, BATCH, VERSION, VERSION_2, encode, decode, sign, verify, frame,
                                      verify_frame, decode_frame, batch, split_batch)

            pull, pub, passphrase, encryption = sys.argv[1:5]
            cid = os.urandom(16)
            while cid[0] == 0xFF:                                 # 0xFF starts notification topics (5)
                cid = os.urandom(16)
            ctx = zmq.Context()
            sub = ctx.socket(zmq.SUB)
            sub.setsockopt(zmq.RCVTIMEO, 60000)
            push = ctx.socket(zmq.PUSH)
            if encryption == "CURVE":                             # keys derived from the passphrase (1)
                from zmq.utils import z85
                def derived(label):
                    k = bytearray(hmac.new(passphrase.encode("utf-8"), label, hashlib.sha256).digest())
                    k[0] &= 248
                    k[31] &= 127
                    k[31] |= 64
                    return zmq.curve_public(z85.encode(bytes(k))), z85.encode(bytes(k))
                server_public = derived(b"offload curve server key v1")[0]
                client_public, client_secret = derived(b"offload curve client key v1")
                for s in (sub, push):
                    s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server_public, client_public, client_secret
            tag = hmac.new(passphrase.encode("utf-8"), b"offload-subscribe" + cid, hashlib.sha256).digest()
            sub.setsockopt(zmq.SUBSCRIBE, cid)                    # the filter of its own SUB (5)
            sub.setsockopt(zmq.SUBSCRIBE, cid + tag)              # and the proved topic (5.1)
            sub.connect(pub)
            push.connect(pull)
            last_id = 0

            def envelope(path, method, body, version):
                global last_id
                last_id += 1                                      # ids grow (9)
                env = encode(REQUEST, cid, last_id, int(time.time() * 1000), 30000, 0, method, path,
                             body_length=len(body) if version == VERSION_2 else None)
                return last_id, env

            def send_v1(path, method, body=b""):
                rid, env = envelope(path, method, body, VERSION)
                push.send_multipart([env, body, sign(passphrase, env, body)])
                return rid

            def v2(path, method, body=b""):
                rid, env = envelope(path, method, body, VERSION_2)
                return rid, frame(passphrase, env, body)

            def receive(n):
                # n replies by request id: (version, fields, body), each one's proof checked
                got = {}
                while len(got) < n:
                    frames = sub.recv_multipart()
                    assert frames[0] == cid, "a reply under another topic"
                    if len(frames) == 4:                          # version 1: topic, envelope, body, proof
                        env, body, proof = frames[1:]
                        assert verify(passphrase, env, body, proof), "a version-1 reply that does not verify"
                        fields = decode(env)
                        got[fields["request_id"]] = (VERSION, fields, body)
                        continue
                    assert len(frames) == 2, "a reply of %d frames" % len(frames)
                    entries = split_batch(frames[1]) if frames[1][4] == BATCH else [frames[1]]
                    assert entries, "a malformed batch frame of replies"
                    for e in entries:
                        assert verify_frame(passphrase, e), "a version-2 reply that does not verify"
                        fields, body = decode_frame(e)
                        got[fields["request_id"]] = (VERSION_2, fields, body)
                return got

            ping = send_v1("/_offload/ping", "ping")                # always version 1 (17)
            version, pong, _ = receive(1)[ping]
            assert pong["status"] == 200 and pong["method"] == "pong", pong
            assert "2" in [v.strip() for v in pong["headers"]["offload-protocols"].split(",")], pong
            assert pong["headers"].get("offload-batch") == "1", pong

            one = send_v1("/echo", "request", b'{"n":1}')
            two, f = v2("/echo", "request", b'{"n":2}')
            push.send(f)
            got = receive(2)
            assert got[one][0] == VERSION and got[one][1]["status"] == 200 and got[one][2] == b'{"n":1}', got[one]
            assert got[two][0] == VERSION_2 and got[two][1]["status"] == 200 and got[two][2] == b'{"n":2}', got[two]

            entries, ids = [], []
            for i in range(8):
                rid, f = v2("/echo", "request", b'{"n":%d}' % (10 + i))
                if i == 3:
                    f = f[:-1] + bytes([f[-1] ^ 1])               # its proof no longer verifies
                entries.append(f)
                ids.append(rid)
            push.send(batch(entries))
            got = receive(8)
            for i, rid in enumerate(ids):
                version, fields, body = got[rid]
                if i == 3:
                    assert fields["status"] == 401, fields        # its own 401 (2.2), the others served
                else:
                    assert version == VERSION_2 and fields["status"] == 200, (i, fields)
                    assert body == b'{"n":%d}' % (10 + i), (i, body)
            print("ok", flush=True)
            """;

    @TempDir
    static Path dir;
    private static String python;

    @BeforeAll
    static void extractTheClient() throws Exception {
        python = Pyzmq.python();
        String page = Files.readString(ProtocolExampleTest.protocolDocument());
        Files.writeString(dir.resolve("offload_wire.py"), ProtocolExampleTest.pythonBlock(page, ReferenceCodecTest.CODEC_START));
        Files.writeString(dir.resolve("client.py"), CLIENT);
    }

    @Test
    void referenceClient_versionsOneAndTwoAndABatchFrame_answeredAsThePageSays() throws Exception {
        runTheClient(Encryption.NONE);
    }

    @Test
    void referenceClient_curveWithKeysDerivedFromThePassphrase_answeredAsThePageSays() throws Exception {
        runTheClient(Encryption.CURVE);
    }

    private static void runTheClient(Encryption encryption) throws Exception {
        assumeTrue(python != null, Pyzmq.SKIPPED);
        try (ServiceServer server = ServiceServer.builder().name("python-peer")
                .bind("tcp://127.0.0.1:*", "tcp://127.0.0.1:*").passphrase(PASSPHRASE).encryption(encryption)
                .route("^/echo$", "request", call -> Reply.ok(call.body())).build().start()) {
            Process client = new ProcessBuilder(python, "client.py", server.pullAddress(), server.pubAddress(), PASSPHRASE,
                    encryption.name()).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(client.waitFor(90, TimeUnit.SECONDS), output);

            assertEquals(0, client.exitValue(), output);
            assertEquals("ok", output.trim());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ServerStats stats = server.stats();
                assertEquals(AUTHENTIC_REQUESTS, stats.received(), stats::toString);
                assertEquals(1, stats.unauthorized(), stats::toString);
            });
        }
    }
}
