package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * JeroMQ's CURVE over jnacl-over-bouncycastle (what service-core puts in place of jnacl) talks to libzmq's
 * CURVE over libsodium, both ways, over tcp on loopback: a libzmq REP answering a JeroMQ REQ, and a JeroMQ
 * REP answering a libzmq REQ, with bodies of 1 byte to 70 KB. libzmq comes from pyzmq (Debian's
 * python3-zmq, which {@code .ci/run} installs); the tests are skipped, with the reason in the report, on a
 * machine without it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LibzmqCurveInteropTest {
    private static final int MESSAGES = 120;
    /** Echoes reversed; prints its port, then "served N" when done. Keys in argv: server public, secret. */
    private static final String LIBZMQ_SERVER = String.join("\n",
            "import sys, zmq",
            "s = zmq.Context().socket(zmq.REP)",
            "s.curve_server = True",
            "s.curve_publickey, s.curve_secretkey = sys.argv[1].encode(), sys.argv[2].encode()",
            "s.rcvtimeo = 20000",
            "print(s.bind_to_random_port('tcp://127.0.0.1'), flush=True)",
            "for i in range(int(sys.argv[3])):",
            "    s.send(s.recv()[::-1])",
            "print('served', sys.argv[3], flush=True)",
            "");
    /** Sends seeded random bodies to argv's endpoint and checks each echo; prints "checked N". */
    private static final String LIBZMQ_CLIENT = String.join("\n",
            "import sys, zmq, random",
            "s = zmq.Context().socket(zmq.REQ)",
            "s.curve_serverkey = sys.argv[2].encode()",
            "s.curve_publickey, s.curve_secretkey = zmq.curve_keypair()",
            "s.rcvtimeo = 20000",
            "s.connect(sys.argv[1])",
            "r = random.Random(5)",
            "n = int(sys.argv[3])",
            "for i in range(n):",
            "    m = r.randbytes(1 + r.randrange(70000 if i % 40 == 39 else 2000))",
            "    s.send(m)",
            "    assert s.recv() == m, 'echo %d differs' % i",
            "print('checked', n, flush=True)",
            "");

    @TempDir
    static Path dir;
    private static String python;

    @BeforeAll
    static void findPyzmq() throws Exception {
        python = Pyzmq.python();
        Files.writeString(dir.resolve("server.py"), LIBZMQ_SERVER);
        Files.writeString(dir.resolve("client.py"), LIBZMQ_CLIENT);
    }

    @Test
    void jeromqCurveClient_libzmqCurveServer_everyReplyDecryptsToTheEcho() throws Exception {
        assumeTrue(python != null, Pyzmq.SKIPPED);
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        Process peer = new ProcessBuilder(python, dir.resolve("server.py").toString(), server.publicKey,
                server.secretKey, String.valueOf(MESSAGES)).redirectErrorStream(true).start();
        try (ZContext ctx = new ZContext();
                BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
            String port = out.readLine();
            assertNotNull(port, "the libzmq server printed no port");
            ZMQ.Socket req = ctx.createSocket(SocketType.REQ);
            req.setCurveServerKey(server.publicKey.getBytes(StandardCharsets.US_ASCII));
            req.setCurvePublicKey(client.publicKey.getBytes(StandardCharsets.US_ASCII));
            req.setCurveSecretKey(client.secretKey.getBytes(StandardCharsets.US_ASCII));
            req.setReceiveTimeOut(20_000);
            req.connect("tcp://127.0.0.1:" + port.trim());
            Random random = new Random(3);
            for (int i = 0; i < MESSAGES; i++) {
                byte[] body = new byte[1 + random.nextInt(i % 40 == 39 ? 70_000 : 2_000)];
                random.nextBytes(body);
                req.send(body);
                byte[] reply = req.recv();
                assertNotNull(reply, "no reply to message " + i);
                assertArrayEquals(reversed(body), reply, "reply to message " + i);
            }
            assertEquals("served " + MESSAGES, out.readLine());
        } finally {
            peer.destroy();
        }
    }

    @Test
    void jeromqCurveServer_libzmqCurveClient_everyEchoChecks() throws Exception {
        assumeTrue(python != null, Pyzmq.SKIPPED);
        ZMQ.Curve.KeyPair server = ZMQ.Curve.generateKeyPair();
        try (ZContext ctx = new ZContext()) {
            ZMQ.Socket rep = ctx.createSocket(SocketType.REP);
            rep.setCurveServer(true);
            rep.setCurvePublicKey(server.publicKey.getBytes(StandardCharsets.US_ASCII));
            rep.setCurveSecretKey(server.secretKey.getBytes(StandardCharsets.US_ASCII));
            rep.setReceiveTimeOut(20_000);
            int port = rep.bindToRandomPort("tcp://127.0.0.1");
            Process peer = new ProcessBuilder(python, dir.resolve("client.py").toString(), "tcp://127.0.0.1:" + port,
                    server.publicKey, String.valueOf(MESSAGES)).redirectErrorStream(true).start();
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    byte[] request = rep.recv();
                    assertNotNull(request, "request " + i + " never came");
                    rep.send(request);
                }
                String output = new String(peer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, peer.waitFor(), output);
                assertEquals("checked " + MESSAGES, output.trim());
            } finally {
                peer.destroy();
            }
        }
    }

    private static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
