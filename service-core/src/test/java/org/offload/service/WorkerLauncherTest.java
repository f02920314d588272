package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.RawPeer.Received;
import org.offload.service.WorkerLauncher.Options;
import org.offload.service.WorkerLauncher.UsageException;
import org.offload.service.internal.ClientId;

/** The worker launcher: its command line, and real child JVMs stopped by SIGTERM or by their parent's end. */
class WorkerLauncherTest {
    private static final Map<String, String> ENV =
            Map.of(ServiceDefinitionTest.PASSPHRASE_VARIABLE, Fixtures.PASSPHRASE);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @TempDir
    Path dir;

    /** A definition on ports 1 and 2 (never bound: every test passes --bind with ephemeral ports). */
    private Path definition(String name, String... settings) throws Exception {
        List<String> lines = new java.util.ArrayList<>(List.of(
                "SERVICE " + name + " tcp://127.0.0.1:1 tcp://127.0.0.1:2",
                "PASSPHRASE env:" + ServiceDefinitionTest.PASSPHRASE_VARIABLE,
                "WORKERS 2"));
        lines.addAll(List.of(settings));
        lines.addAll(List.of("ROUTE ^/echo$",
                "REQUEST " + TestHandlers.ECHO,
                "ROUTE ^/until-shutdown$",
                "REQUEST " + TestHandlers.UNTIL_SHUTDOWN));
        return Files.write(dir.resolve(name + ".service"), lines);
    }

    private WorkerProcess launch(String... args) throws Exception {
        return fx.add(WorkerProcess.start(ENV, args));
    }

    @Test
    void options_fileBindAndParentPid_parsedInAnyOrder() {
        Options o = Options.parse("--parent-pid", "42", "w.service", "--bind", "tcp://127.0.0.1:7", "tcp://127.0.0.1:8");

        assertEquals(Path.of("w.service"), o.file());
        assertEquals(Optional.of(List.of("tcp://127.0.0.1:7", "tcp://127.0.0.1:8")), o.bind());
        assertEquals(OptionalLong.of(42), o.parentPid());
        assertFalse(o.help());
    }

    @Test
    void options_badArguments_throwUsageWithReason() {
        assertEquals("FILE is missing", assertThrows(UsageException.class, Options::parse).getMessage());
        assertEquals("one FILE expected but got 2: a b",
                assertThrows(UsageException.class, () -> Options.parse("a", "b")).getMessage());
        assertEquals("--bind needs two addresses, PULL and PUB",
                assertThrows(UsageException.class, () -> Options.parse("f", "--bind", "tcp://x:1")).getMessage());
        assertEquals("--parent-pid needs a process id > 0 but got 'abc'",
                assertThrows(UsageException.class, () -> Options.parse("f", "--parent-pid", "abc")).getMessage());
        assertEquals("unknown option --port",
                assertThrows(UsageException.class, () -> Options.parse("f", "--port", "1")).getMessage());
    }

    @Test
    void options_badBindAddress_isAUsageError() {
        ServiceDefinition d = ServiceDefinition.parse(List.of("SERVICE s tcp://127.0.0.1:1 tcp://127.0.0.1:2",
                "PASSPHRASE env:X", "ROUTE ^/", "REQUEST " + TestHandlers.ECHO));
        Options o = Options.parse("f", "--bind", "tcp://127.0.0.1:1", "tcp://127.0.0.1");

        UsageException e = assertThrows(UsageException.class, () -> o.applyTo(d));

        assertTrue(e.getMessage().startsWith("--bind: bad PUB address 'tcp://127.0.0.1'"), e.getMessage());
    }

    @Test
    @Timeout(value = 120, unit = SECONDS)
    void launch_sigtermWithRequestInFlight_answersItThenExits0() throws Exception {
        WorkerProcess worker = launch(definition("drain").toString(),
                "--bind", Fixtures.ANY_PORT, Fixtures.ANY_PORT);
        String[] addresses = worker.awaitServing();
        RawPeer peer = fx.add(new RawPeer(addresses[0], addresses[1], Fixtures.PASSPHRASE, ClientId.random(),
                ServiceServer.DEFAULT_ENCRYPTION));
        // warms the child JVM's JSON path, so the drained reply below is quick to make
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1))).status());
        // runs until the SIGTERM's shutdown begins, then answers at once: in flight for sure, done well within
        // the launcher's drain timeout (a fixed sleep would race the SIGTERM or the drain on a loaded machine)
        long id = peer.send("/until-shutdown", "request", Map.of(ServerIo.NOTIFY_START_HEADER, "started"),
                Body.empty());
        assertEquals(Status.STARTED, peer.reply().status(), "interim reply: the handler is running");

        worker.process().destroy(); // SIGTERM
        Received answer = peer.reply();
        int status = worker.awaitExit();

        assertEquals(id, answer.requestId());
        assertEquals(Status.OK, answer.status(), answer::toString);
        assertTrue(answer.body().json().get("shutdown").asBoolean(), "answered because the worker was stopping");
        assertEquals(0, status, () -> "exit status; stderr: " + worker.stderr());
        assertTrue(worker.stderr().stream().anyMatch(l -> l.endsWith("drain - stopped")), worker.stderr()::toString);
        assertTrue(worker.stderr().stream().anyMatch(l -> l.contains("drain - serving request ^/echo$ -> "
                + TestHandlers.ECHO + ", request ^/until-shutdown$ -> " + TestHandlers.UNTIL_SHUTDOWN + " on ")), worker.stderr()::toString);
        assertFalse(String.join("\n", worker.stderr()).contains(Fixtures.PASSPHRASE), "the passphrase is never logged");
    }

    @Test
    @Timeout(value = 120, unit = SECONDS)
    void launch_parentExits_workerStopsAndExits0() throws Exception {
        Process parent = new ProcessBuilder("sleep", "60").start();
        try {
            WorkerProcess worker = launch(definition("orphan").toString(),
                    "--bind", Fixtures.ANY_PORT, Fixtures.ANY_PORT, "--parent-pid", Long.toString(parent.pid()));
            String[] addresses = worker.awaitServing();
            RawPeer peer = fx.add(new RawPeer(addresses[0], addresses[1], Fixtures.PASSPHRASE, ClientId.random(),
                ServiceServer.DEFAULT_ENCRYPTION));
            assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request").status(), "the worker serves");

            parent.destroy();
            int status = worker.awaitExit();

            assertEquals(0, status, () -> "exit status; stderr: " + worker.stderr());
            assertTrue(worker.stderr().stream().anyMatch(l -> l.endsWith("orphan - parent process " + parent.pid()
                    + " ended; stopping")), worker.stderr()::toString);
        } finally {
            parent.destroyForcibly();
        }
    }

    /**
     * JeroMQ 0.6.0's I/O thread allocates each frame as soon as its length arrives and holds a message whose
     * frames keep the MORE flag whole. With a 32 MiB heap and a queued-bytes budget far above it, 8 MiB frames
     * that never end the message make that thread die of OutOfMemoryError, deterministically (it is the one
     * asking for 8 MiB). Left alone the process would stay up, deaf; the launcher must exit 1 with the cause
     * at ERROR.
     */
    @Test
    @Timeout(value = 120, unit = SECONDS)
    void launch_jeromqIoThreadDiesOfOutOfMemory_exits1WithTheCauseLogged() throws Exception {
        WorkerProcess worker = fx.add(WorkerProcess.start(List.of("-Xmx32m"), ENV,
                definition("oom", "MAX_QUEUED_BYTES 1024MiB").toString(), "--bind", Fixtures.ANY_PORT,
                Fixtures.ANY_PORT));
        String[] addresses = worker.awaitServing();
        Socket attacker = fx.zmtpConnect(addresses[0], "PUSH");
        byte[] frame = Fixtures.frame(new byte[ServiceServer.DEFAULT_MAX_MESSAGE_BYTES], true);
        long start = System.nanoTime();

        try {
            for (int i = 0; i < 8 && worker.process().isAlive(); i++) {
                Fixtures.write(attacker, frame);
            }
        } catch (java.io.IOException closed) {
            // the worker went down while we wrote
        }
        int status = worker.awaitExit();
        System.out.println("oom worker exited " + (System.nanoTime() - start) / 1_000_000 + " ms after the flood began");

        String log = String.join("\n", worker.stderr());
        assertEquals(1, status, () -> "exit status; stderr: " + log);
        assertTrue(log.contains("ERROR org.offload.service.internal.SharedContext - JeroMQ thread "), log);
        assertTrue(log.contains("java.lang.OutOfMemoryError"), log);
        assertTrue(log.contains("oom - a JeroMQ thread of its context died: the service fails and stops"), log);
        assertTrue(log.contains("oom - stopped without being asked to (java.lang.OutOfMemoryError"), log);
    }

    /**
     * Four connections sending 8 MiB requests with bad proofs and two sending 8 MiB frames that never end
     * their message, against a worker with a 512 MiB heap and the library's defaults: without a byte bound
     * its I/O thread died of OutOfMemoryError. It must keep serving, and stay up.
     */
    @Test
    @Timeout(value = 180, unit = SECONDS)
    void launch_512MiBHeapUnderAFloodOf8MiBFrames_keepsServing() throws Exception {
        WorkerProcess worker = fx.add(WorkerProcess.start(List.of("-Xmx512m"), ENV,
                definition("flood").toString(), "--bind", Fixtures.ANY_PORT, Fixtures.ANY_PORT));
        String[] addresses = worker.awaitServing();
        RawPeer peer = fx.add(new RawPeer(addresses[0], addresses[1], Fixtures.PASSPHRASE, ClientId.random()));
        int size = ServiceServer.DEFAULT_MAX_MESSAGE_BYTES;
        org.offload.service.internal.Sealed m = peer.seal(peer.request(Fixtures.ECHO, "request", Map.of()),
                Body.bytes(new byte[size - 64]));
        List<byte[]> badProof = List.of(Fixtures.frame(m.envelope(), true), Fixtures.frame(m.body(), true),
                Fixtures.frame(new byte[32], false));
        byte[] endless = Fixtures.frame(new byte[size], true);
        List<Thread> attackers = new java.util.ArrayList<>();
        for (int c = 0; c < 6; c++) {
            Socket s = fx.zmtpConnect(addresses[0], "PUSH");
            boolean hoarder = c >= 4;
            attackers.add(Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 25; i++) {
                        if (hoarder) {
                            Fixtures.write(s, endless);
                        } else {
                            Fixtures.write(s, badProof.get(0), badProof.get(1), badProof.get(2));
                        }
                    }
                } catch (java.io.IOException closedByTheWorker) {
                    // a hoarder is cut off; so may be a flooder holding budget in an unfinished message
                }
            }));
        }
        for (Thread t : attackers) {
            t.join(WorkerProcess.JVM_WAIT.toMillis());
        }

        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1))).status(),
                () -> "stderr: " + worker.stderr());
        assertTrue(worker.process().isAlive(), () -> "the worker died: " + worker.stderr());
        assertFalse(String.join("\n", worker.stderr()).contains("OutOfMemoryError"), () -> String.join("\n",
                worker.stderr()));
        System.out.println("flood worker peak RSS: " + java.nio.file.Files.readAllLines(
                Path.of("/proc/" + worker.process().pid() + "/status")).stream()
                .filter(l -> l.startsWith("VmHWM")).findFirst().orElse("?"));
    }

    @Test
    @Timeout(value = 120, unit = SECONDS)
    void launch_badDefinition_printsFileLineReasonOnlyAndExits2() throws Exception {
        Path file = Files.write(dir.resolve("bad.service"), List.of(
                "SERVICE bad tcp://127.0.0.1:1 tcp://127.0.0.1:2", "PASSPHRASE env:X", "ROUTE ^/", "REQUEST org.x.Missing"));
        WorkerProcess worker = launch(file.toString());

        int status = worker.awaitExit();

        assertEquals(2, status);
        assertEquals(List.of(file + ":4: class org.x.Missing not found on the classpath"), worker.stderr());
    }

    @Test
    @Timeout(value = 120, unit = SECONDS)
    void launch_noFile_printsUsageAndExits2() throws Exception {
        WorkerProcess worker = launch("--bind", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2");

        int status = worker.awaitExit();

        assertEquals(2, status);
        assertEquals("WorkerLauncher: FILE is missing", worker.stderr().get(0));
        assertEquals(WorkerLauncher.USAGE, String.join("\n", worker.stderr().subList(1, worker.stderr().size())) + "\n");
    }
}
