package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    private Path definition(String name) throws Exception {
        return Files.write(dir.resolve(name + ".service"), List.of(
                "SERVICE " + name + " tcp://127.0.0.1:1 tcp://127.0.0.1:2",
                "PASSPHRASE env:" + ServiceDefinitionTest.PASSPHRASE_VARIABLE,
                "WORKERS 2",
                "ROUTE ^/echo$",
                "REQUEST " + TestHandlers.ECHO,
                "ROUTE ^/until-shutdown$",
                "REQUEST " + TestHandlers.UNTIL_SHUTDOWN));
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
                Encryption.CURVE));
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
                Encryption.CURVE));
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
