package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@link Netns} fixture cleans up after itself, and after a JVM that was killed before it could. */
class NetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void close_hostWithAFrozenProcess_leavesNoNamespaceLinkOrProcess() throws Exception {
        Netns.assumeAvailable();
        Path output = Files.createTempFile("netns-test", ".txt");
        String prefix;
        Process frozen;
        try (Netns netns = Netns.create(1)) {
            prefix = netns.prefix();
            frozen = netns.exec(netns.hosts().get(0), List.of("sleep", "600"), Map.of(), output);
            String ns = prefix + "w1";
            await().atMost(WAIT).until(() -> ns.equals(Netns.namespaceOf(frozen.pid()))); // once ip exec'd sleep
            Commands.signal(frozen.pid(), "STOP");
            assertEquals(List.of(ns, ns + "h"), Netns.existing(prefix).stream().sorted().toList());
        } finally {
            Files.delete(output);
        }
        assertEquals(List.of(), Netns.existing(prefix));
        assertFalse(frozen.isAlive(), "the frozen process outlived close()");
    }

    /** What a JVM killed mid-test leaves (a namespace, its veth, a frozen process in it) goes at the next create. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sweepStale_namesOfAJvmThatIsGone_removedWithTheirProcesses() throws Exception {
        Netns.assumeAvailable();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assumeFalse(ProcessHandle.of(gone.pid()).isPresent(), "the pid of an ended process was reused at once");
        String prefix = Netns.prefixOf(gone.pid()) + "0";
        String ns = prefix + "w1";
        Commands.ip("netns", "add", ns);
        Commands.ip("link", "add", ns + "h", "type", "veth", "peer", "name", ns + "n", "netns", ns);
        Process left = new ProcessBuilder(Commands.ipPath().orElseThrow(), "netns", "exec", ns, "sleep", "600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            await().atMost(WAIT).until(() -> ns.equals(Netns.namespaceOf(left.pid())));
            Commands.signal(left.pid(), "STOP");
            assertEquals(List.of(ns, ns + "h"), Netns.existing(prefix).stream().sorted().toList());

            Netns.sweepStale();

            assertEquals(List.of(), Netns.existing(prefix));
            assertFalse(left.isAlive(), "the frozen process in the stale namespace survived the sweep");
        } finally {
            left.destroyForcibly();
            if (!Netns.existing(prefix).isEmpty()) { // the sweep failed: do its work so nothing is left
                Netns.sweepStale();
            }
        }
    }
}
