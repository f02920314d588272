package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.offload.service.RawPeer.Received;

/** A definition file's setting lines: validated like the builder options they set, and in effect once built. */
class DefinitionSettingsTest {
    private static final String SOURCE = "settings.service";
    private static final String SERVICE = "SERVICE echo " + Fixtures.ANY_PORT + " " + Fixtures.ANY_PORT;
    private static final String PASSPHRASE = "PASSPHRASE env:" + ServiceDefinitionTest.PASSPHRASE_VARIABLE;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** SERVICE, PASSPHRASE, then {@code settings}, then one route whose handler throws (for ERROR_DETAILS). */
    private static List<String> with(String... settings) {
        List<String> lines = new ArrayList<>(List.of(SERVICE, PASSPHRASE));
        lines.addAll(List.of(settings));
        lines.add("ROUTE ^/fail$");
        lines.add("REQUEST " + TestHandlers.Failing.class.getName());
        return lines;
    }

    private static ServiceServer.Settings built(String... settings) {
        return ServiceDefinition.parse(SOURCE, with(settings)).toBuilder(ServiceDefinitionTest.ENV).build().settings();
    }

    private static Executable rejects(int line, String reason, List<String> lines) {
        return () -> {
            DefinitionException e = assertThrows(DefinitionException.class, () -> ServiceDefinition.parse(SOURCE, lines));
            assertEquals(SOURCE + ":" + line + ": " + reason, e.getMessage());
        };
    }

    @Test
    void parse_everySetting_reachesTheBuiltServer() {
        ServiceServer.Settings s = built("VIRTUAL_THREADS true", "QUEUE_CAPACITY 77", "ERROR_DETAILS true",
                "MAX_MESSAGE_BYTES 2MiB", "DRAIN_TIMEOUT 250ms", "REPLAY_WINDOW 2m", "MAX_PARKED_REPLIES 500",
                "PARK_TIMEOUT PT3S", "SEND_HIGH_WATER_MARK 4000", "RECEIVE_HIGH_WATER_MARK 3000", "LINGER 0s",
                "HANDSHAKE_TIMEOUT 2s", "HEARTBEAT_INTERVAL 1h", "DEADLINE_MARGIN 75ms", "MAX_CONNECTIONS 300",
                "MAX_CONNECTIONS_PER_PEER 7", "MAX_QUEUED_BYTES 64MiB", "ENCRYPTION NONE");

        assertAll(
                () -> assertTrue(s.virtualThreads()),
                () -> assertEquals(77, s.queueCapacity()),
                () -> assertTrue(s.exposeErrorDetails()),
                () -> assertEquals(2 * 1024 * 1024, s.maxMessageBytes()),
                () -> assertEquals(Duration.ofMillis(250), s.drainTimeout()),
                () -> assertEquals(Duration.ofMinutes(2), s.replayWindow()),
                () -> assertEquals(500, s.maxParkedReplies()),
                () -> assertEquals(Duration.ofSeconds(3), s.parkTimeout()),
                () -> assertEquals(4000, s.sendHwm()),
                () -> assertEquals(3000, s.receiveHwm()),
                () -> assertEquals(Duration.ZERO, s.linger()),
                () -> assertEquals(Duration.ofSeconds(2), s.handshakeTimeout()),
                () -> assertEquals(Duration.ofHours(1), s.heartbeatInterval()),
                () -> assertEquals(Duration.ofMillis(75), s.deadlineMargin()),
                () -> assertEquals(300, s.maxConnections()),
                () -> assertEquals(7, s.maxConnectionsPerPeer()),
                () -> assertEquals(64 * 1024 * 1024, s.maxQueuedBytes()),
                () -> assertEquals(Encryption.NONE, s.encryption()));
    }

    @Test
    void parse_noSettings_builderDefaults() {
        ServiceServer.Settings s = built();

        assertEquals(ServiceServer.DEFAULT_QUEUE_CAPACITY, s.queueCapacity());
        assertEquals(ServiceServer.DEFAULT_DRAIN_TIMEOUT, s.drainTimeout());
        assertEquals(false, s.virtualThreads());
        assertEquals(ServiceServer.DEFAULT_ENCRYPTION, s.encryption());
        assertEquals(Map.of(), ServiceDefinition.parse(SOURCE, with()).settings());
    }

    @Test
    void settings_asWritten_inFileOrder() {
        assertEquals(List.of("QUEUE_CAPACITY", "VIRTUAL_THREADS"),
                List.copyOf(ServiceDefinition.parse(SOURCE, with("QUEUE_CAPACITY 5", "VIRTUAL_THREADS false"))
                        .settings().keySet()));
    }

    @Test
    void parse_badSettingValues_failOnTheirLineWithPreciseReasons() {
        assertAll(
                rejects(3, "VIRTUAL_THREADS takes true or false but got 'yes'", with("VIRTUAL_THREADS yes")),
                rejects(3, "queueCapacity must be > 0 but was 0", with("QUEUE_CAPACITY 0")),
                rejects(3, "QUEUE_CAPACITY takes a whole number but got 'many'", with("QUEUE_CAPACITY many")),
                rejects(3, "maxMessageBytes must be > 0 but was -1", with("MAX_MESSAGE_BYTES -1")),
                rejects(3, "MAX_MESSAGE_BYTES takes a whole number of bytes, or of KiB or MiB (8MiB) but got '4GiB'",
                        with("MAX_MESSAGE_BYTES 4GiB")),
                rejects(3, "MAX_MESSAGE_BYTES takes a whole number of bytes, or of KiB or MiB (8MiB) but got '4096MiB'",
                        with("MAX_MESSAGE_BYTES 4096MiB")),
                rejects(3, "DRAIN_TIMEOUT takes a duration such as 500ms, 5s, 2m, 1h or PT5S but got '5sec'",
                        with("DRAIN_TIMEOUT 5sec")),
                rejects(3, "DRAIN_TIMEOUT takes 1 argument (VALUE) but got 2", with("DRAIN_TIMEOUT 5 s")),
                rejects(3, "drainTimeout must be >= 0 but was -5000 ms", with("DRAIN_TIMEOUT PT-5S")),
                rejects(3, "parkTimeout must be > 0 but was 0 ms", with("PARK_TIMEOUT 0ms")),
                rejects(3, "ENCRYPTION takes CURVE or NONE but got 'tls'", with("ENCRYPTION tls")),
                rejects(3, "ERROR_DETAILS takes 1 argument (VALUE) but got 0", with("ERROR_DETAILS")),
                rejects(4, "QUEUE_CAPACITY repeated: a definition has one QUEUE_CAPACITY line, the first is line 3",
                        with("QUEUE_CAPACITY 5", "QUEUE_CAPACITY 6")));
    }

    @Test
    void parse_settingAfterARoute_failsNamingTheWord() {
        List<String> lines = List.of(SERVICE, PASSPHRASE, "ROUTE ^/x$", "REQUEST " + TestHandlers.ECHO,
                "VIRTUAL_THREADS true");

        DefinitionException e = assertThrows(DefinitionException.class, () -> ServiceDefinition.parse(SOURCE, lines));
        assertEquals(SOURCE + ":5: VIRTUAL_THREADS is a service setting; put it before the first ROUTE line (line 3)",
                e.getMessage());
    }

    @Test
    @Timeout(value = 30, unit = SECONDS)
    void start_errorDetailsTrue_handlerExceptionReachesTheCaller() {
        ServiceServer server = fx.add(ServiceDefinition.parse(SOURCE, with("ERROR_DETAILS true", "VIRTUAL_THREADS true"))
                .start(ServiceDefinitionTest.ENV));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/fail", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertEquals("handler for /fail failed: java.lang.IllegalStateException: " + TestHandlers.Failing.MESSAGE,
                r.message());
    }
}
