package org.offload.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The supervisor's parts: its command line, the front end's, free ports and one child process. */
@Timeout(30)
class DemoMainTest {

    @Test
    void options_nothingGiven_defaults() {
        assertEquals(new DemoMain.Options(false, WebFrontEnd.DEFAULT_PORT, DemoMain.DEFAULT_WORKER_PORTS,
                DemoMain.DEFAULT_SERVICES), DemoMain.Options.parse(new String[0]));
    }

    @Test
    void options_everything_parsed() {
        assertEquals(new DemoMain.Options(true, 8080, 7000, Path.of("/x")), DemoMain.Options.parse(
                new String[] {"--check", "--port", "8080", "--worker-ports", "7000", "--services", "/x"}));
    }

    @Test
    void options_cpuWorkers_parsedAndBounded() {
        assertEquals(3, DemoMain.Options.parse(new String[] {"--cpu-workers", "3"}).cpuWorkers());
        assertEquals(DemoMain.DEFAULT_CPU_WORKERS, DemoMain.Options.parse(new String[0]).cpuWorkers());
        assertEquals(8, DemoMain.Options.parse(new String[] {"--cpu-workers", "3"}).workerPortCount());
        assertEquals(65530, DemoMain.Options.parse(new String[] {"--worker-ports", "65530"}).workerPorts());
        assertEquals("--worker-ports 65530 leaves no room for the 8 worker ports (the last would be 65537, above 65535)",
                assertThrows(Args.UsageException.class, () -> DemoMain.Options.parse(
                        new String[] {"--worker-ports", "65530", "--cpu-workers", "3"})).getMessage());
        assertEquals("--cpu-workers must be an integer in 1..8 but was '0'", assertThrows(Args.UsageException.class,
                () -> DemoMain.Options.parse(new String[] {"--cpu-workers", "0"})).getMessage());
    }

    @Test
    void children_freezeThawStopStart_stateFollowsAndOnlyAnUnaskedExitCounts() throws Exception {
        Children children = new Children(new PrintStream(new ByteArrayOutputStream()));
        Child first = children.start(new Children.Spec("sleeper", List.of("sleep", "60"), Map.of(), true));
        try {
            assertEquals("froze " + first + " (SIGSTOP)", children.act("sleeper", "freeze"));
            await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(first.process().pid()).equals("T"));
            assertEquals(Children.State.FROZEN, children.list().get(0).state());
            assertEquals("cannot freeze sleeper: it is FROZEN", assertThrows(IllegalArgumentException.class,
                    () -> children.act("sleeper", "freeze")).getMessage());
            children.act("sleeper", "thaw");
            await().atMost(Duration.ofSeconds(10)).until(() -> !stateOf(first.process().pid()).equals("T"));

            assertTrue(children.act("sleeper", "stop").startsWith("stopped " + first));
            assertFalse(first.isAlive());
            assertEquals(Optional.empty(), children.exitedByItself(), "a stop on purpose ends nothing");
            assertEquals(Children.State.STOPPED, children.list().get(0).state());

            children.act("sleeper", "start");
            assertTrue(children.list().get(0).pid() != first.process().pid());
            assertEquals(Children.State.RUNNING, children.list().get(0).state());
            children.all().get(0).process().toHandle().destroy();
            await().atMost(Duration.ofSeconds(10)).until(() -> children.exitedByItself().isPresent());
        } finally {
            children.thawAll();
            children.all().forEach(Child::terminate);
        }
    }

    @Test
    void children_unknownWorkerOrAction_refusedWithTheChoices() throws Exception {
        Children children = new Children(new PrintStream(new ByteArrayOutputStream()));
        children.start(new Children.Spec("web", List.of("sleep", "60"), Map.of(), false));
        try {
            assertEquals("no worker 'web' (workers: [])", assertThrows(IllegalArgumentException.class,
                    () -> children.act("web", "stop")).getMessage());
            children.start(new Children.Spec("cpu-1", List.of("sleep", "60"), Map.of(), true));
            assertEquals("unknown action 'explode' (freeze, thaw, stop, start)", assertThrows(IllegalArgumentException.class,
                    () -> children.act("cpu-1", "explode")).getMessage());
        } finally {
            children.all().forEach(Child::terminate);
        }
    }

    @Test
    void controlServer_wrongToken_403AndNothingDone() throws Exception {
        Children children = new Children(new PrintStream(new ByteArrayOutputStream()));
        Child child = children.start(new Children.Spec("cpu-1", List.of("sleep", "60"), Map.of(), true));
        try (ControlServer control = new ControlServer(children, "right-token")) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            var stop = java.net.http.HttpRequest.newBuilder(control.uri().resolve("/children/cpu-1/stop"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).header(ControlServer.TOKEN_HEADER, "wrong");
            assertEquals(403, http.send(stop.build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            assertTrue(child.isAlive());

            SupervisorControl right = new SupervisorControl(control.uri(), "right-token");
            assertEquals(List.of(new SupervisorControl.ChildView("cpu-1", child.process().pid(), "RUNNING", true, "")),
                    right.children());
            assertEquals(409, right.act("cpu-1", "thaw").status());
            assertEquals(200, right.act("cpu-1", "stop").status());
            assertFalse(child.isAlive());
        } finally {
            children.all().forEach(Child::terminate);
        }
    }

    /** The process state letter from /proc (T when stopped by a signal). */
    private static String stateOf(long pid) throws Exception {
        String stat = java.nio.file.Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void options_bad_usageErrorSaysWhich() {
        assertEquals("--port must be an integer in 0..65535 but was '70000'", assertThrows(Args.UsageException.class,
                () -> DemoMain.Options.parse(new String[] {"--port", "70000"})).getMessage());
        assertEquals("--port needs a value", assertThrows(Args.UsageException.class,
                () -> DemoMain.Options.parse(new String[] {"--port"})).getMessage());
        assertEquals("unknown option '--fast'", assertThrows(Args.UsageException.class,
                () -> DemoMain.Options.parse(new String[] {"--fast"})).getMessage());
    }

    @Test
    void webSettings_everything_parsed() {
        WebFrontEnd.Settings s = WebFrontEnd.Settings.parse(new String[] {"--host", "0.0.0.0", "--port", "0",
                "--slow-echo", "tcp://a:1", "tcp://a:2", "--cpu", "tcp://b:1", "tcp://b:2", "--parent-pid", "42"});

        assertEquals(new WebFrontEnd.Settings("0.0.0.0", 0, new Endpoint("tcp://a:1", "tcp://a:2"),
                new Endpoint("tcp://b:1", "tcp://b:2"), OptionalLong.of(42)), s);
        assertEquals(List.of(new Endpoint("tcp://b:1", "tcp://b:2"), new Endpoint("tcp://c:1", "tcp://c:2")),
                WebFrontEnd.Settings.parse(new String[] {"--cpu", "tcp://b:1", "tcp://b:2", "--cpu", "tcp://c:1",
                        "tcp://c:2"}).cpu());
        assertEquals(WebFrontEnd.Settings.defaults(), WebFrontEnd.Settings.parse(new String[0]));
        assertThrows(Args.UsageException.class, () -> WebFrontEnd.Settings.parse(new String[] {"--parent-pid", "0"}));
        assertThrows(Args.UsageException.class, () -> WebFrontEnd.Settings.parse(new String[] {"--cpu", "tcp://b:1"}));
    }

    @Test
    void freePorts_distinct() throws Exception {
        List<Integer> ports = DemoMain.freePorts(5);

        assertEquals(5, new HashSet<>(ports).size(), ports.toString());
        assertTrue(ports.stream().allMatch(p -> p > 0 && p < 65536), ports.toString());
    }

    @Test
    void child_output_prefixedLineByLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Child child = Child.start("kid", List.of("sh", "-c", "echo one; echo \"$GREETING\" >&2"),
                Map.of("GREETING", "two"), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertTrue(child.awaitExit(Duration.ofSeconds(10)));
        assertEquals(List.of("[kid] one", "[kid] two"), out.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void child_terminate_exitsOnSigterm() throws Exception {
        Child child = Child.start("sleeper", List.of("sleep", "60"), Map.of(), new PrintStream(new ByteArrayOutputStream()));

        child.terminate();

        assertTrue(child.awaitExit(Duration.ofSeconds(10)), "sleep ignored SIGTERM");
        assertFalse(child.isAlive());
    }

    @Test
    void child_ignoringSigterm_killedAfterTheWait() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Child child = Child.start("stubborn", List.of("sh", "-c", "trap '' TERM; echo ready; sleep 60"), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString(StandardCharsets.UTF_8).contains("ready"));

        child.terminate();

        assertFalse(child.awaitExit(Duration.ofMillis(500)), "exited although it ignores SIGTERM");
        // awaitExit waits only so long for the kill to be reaped: on a loaded machine that may take longer
        await("the child killed after the wait").atMost(Duration.ofSeconds(10)).until(() -> !child.isAlive());
    }

    @Test
    void parentWatch_deadProcess_notAlive() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();

        assertFalse(ParentWatch.isAlive(gone.pid(), Optional.empty()));
        assertTrue(ParentWatch.isAlive(ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant()));
    }
}
