package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.RawPeer.Received;
import org.offload.service.ServiceDefinition.Route;

/** Service definition files: every error names its line and reason; good ones start services that answer. */
class ServiceDefinitionTest {
    static final String PASSPHRASE_VARIABLE = "OFFLOAD_TEST_PASSPHRASE";
    /** The environment the tests inject: only the test passphrase variable is set. */
    static final Function<String, Optional<String>> ENV =
            name -> name.equals(PASSPHRASE_VARIABLE) ? Optional.of(Fixtures.PASSPHRASE) : Optional.empty();
    private static final String SOURCE = "test.service";
    private static final String SERVICE = "SERVICE echo " + Fixtures.ANY_PORT + " " + Fixtures.ANY_PORT;
    private static final String PASSPHRASE = "PASSPHRASE env:" + PASSPHRASE_VARIABLE;
    private static final String ROUTE = "ROUTE ^/echo$";
    private static final String REQUEST = "REQUEST " + TestHandlers.ECHO;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @TempDir
    Path dir;

    /** A good definition's lines with {@code replace} put in place of line {@code number} (1-based). */
    private static List<String> goodWith(int number, String replace) {
        List<String> lines = new ArrayList<>(List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST));
        lines.set(number - 1, replace);
        return lines;
    }

    private static DefinitionException assertRejected(int line, String reason, List<String> lines) {
        DefinitionException e = assertThrows(DefinitionException.class, () -> ServiceDefinition.parse(SOURCE, lines));
        assertDefinitionError(e, SOURCE, line, reason);
        return e;
    }

    private static void assertDefinitionError(DefinitionException e, String source, int line, String reason) {
        assertEquals(source + ":" + line + ": " + reason, e.getMessage());
        assertEquals(source, e.source());
        assertEquals(line, e.line());
        assertEquals(reason, e.reason());
        assertEquals(Status.SERVICE_UNAVAILABLE, e.status());
    }

    private Path write(String name, String... lines) throws Exception {
        return Files.write(dir.resolve(name), Arrays.asList(lines), StandardCharsets.UTF_8);
    }

    @Test
    void parse_goodLines_exposesServiceWorkersAndRoutesInOrder() {
        ServiceDefinition d = ServiceDefinition.parse(List.of(
                "# a comment",
                "SERVICE reports tcp://127.0.0.1:5555 tcp://127.0.0.1:5556",
                "",
                "   PASSPHRASE   file:/etc/offload/passphrase  ",
                "WORKERS 3",
                "ROUTE ^/report/(\\d+)$",
                "REQUEST " + TestHandlers.ECHO,
                "GET " + TestHandlers.FRESH,
                "  # indented comment",
                "ROUTE ^/fresh",
                "X-PURGE.V2 " + TestHandlers.FRESH));

        assertEquals(ServiceDefinition.LINES_SOURCE, d.source());
        assertEquals("reports", d.name());
        assertEquals("tcp://127.0.0.1:5555", d.pullAddress());
        assertEquals("tcp://127.0.0.1:5556", d.pubAddress());
        assertEquals(3, d.workers());
        assertEquals(List.of(
                new Route("^/report/(\\d+)$", "request", TestHandlers.ECHO, 7),
                new Route("^/report/(\\d+)$", "get", TestHandlers.FRESH, 8),
                new Route("^/fresh", "x-purge.v2", TestHandlers.FRESH, 11)), d.routes());
        assertEquals("ServiceDefinition[reports from <lines>, PULL tcp://127.0.0.1:5555, PUB tcp://127.0.0.1:5556, "
                + "3 workers, passphrase from file:/etc/offload/passphrase, 3 routes]", d.toString());
    }

    @Test
    void parse_noWorkersLine_usesServerDefault() {
        ServiceDefinition d = ServiceDefinition.parse(List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST));

        assertEquals(ServiceServer.DEFAULT_WORKERS, d.workers());
    }

    @Test
    void parse_unknownDirective_failsOnItsLine() {
        assertRejected(3, "unknown directive 'route': the directives are SERVICE, PASSPHRASE, WORKERS, the settings"
                + " VIRTUAL_THREADS, QUEUE_CAPACITY, ERROR_DETAILS, MAX_MESSAGE_BYTES, DRAIN_TIMEOUT, REPLAY_WINDOW,"
                + " MAX_PARKED_REPLIES, PARK_TIMEOUT, SEND_HIGH_WATER_MARK, RECEIVE_HIGH_WATER_MARK, PROGRESS_INTERVAL,"
                + " LINGER, HANDSHAKE_TIMEOUT, HEARTBEAT_INTERVAL, DEADLINE_MARGIN, MAX_CONNECTIONS,"
                + " MAX_CONNECTIONS_PER_PEER, MAX_QUEUED_BYTES, ENCRYPTION, CALLS, ROUTE and upper-case METHOD words such as"
                + " REQUEST",
                goodWith(3, "route ^/echo$"));
    }

    @Test
    void parse_wrongArgumentCount_saysWhatTheDirectiveTakes() {
        assertRejected(1, "SERVICE takes 3 arguments (NAME PULL PUB) but got 2",
                goodWith(1, "SERVICE echo tcp://127.0.0.1:5555"));
        assertRejected(3, "ROUTE takes 1 argument (REGEX, without spaces: write \\s) but got 2",
                goodWith(3, "ROUTE ^/a b$"));
        assertRejected(4, "REQUEST takes 1 or 2 arguments (CLASS [VERSION]) but got 0", goodWith(4, "REQUEST"));
    }

    @Test
    void parse_badRegex_includesThePatternSyntaxDescription() {
        assertRejected(3, "bad regex '^/(echo': Unclosed group near index 7", goodWith(3, "ROUTE ^/(echo"));
    }

    @Test
    void parse_classNotFound_namesTheClass() {
        assertRejected(4, "class org.x.Missing not found on the classpath", goodWith(4, "REQUEST org.x.Missing"));
    }

    @Test
    void parse_classNotAHandler_saysWhatItMustImplementOrExtend() {
        String name = TestHandlers.class.getName() + "$NotAHandler";
        assertRejected(4, "class " + name + " is not a handler: it must implement org.offload.service.Handler "
                + "or extend org.offload.service.ServiceHandler", goodWith(4, "REQUEST " + name));
    }

    @Test
    void parse_noPublicNoArgConstructor_failsOnTheMethodLine() {
        String name = TestHandlers.class.getName() + "$NeedsArgument";
        assertRejected(4, "class " + name + " has no public no-argument constructor", goodWith(4, "REQUEST " + name));
    }

    @Test
    void parse_abstractOrNonPublicClass_failsOnTheMethodLine() {
        String abstractName = TestHandlers.class.getName() + "$Abstract";
        assertRejected(4, "class " + abstractName + " is abstract: a handler class must be concrete",
                goodWith(4, "REQUEST " + abstractName));
        String hidden = TestHandlers.class.getName() + "$Hidden";
        assertRejected(4, "class " + hidden + " is not public: a handler class must be public (a nested one also "
                + "static)", goodWith(4, "REQUEST " + hidden));
    }

    @Test
    void parse_methodBeforeRoute_failsOnTheMethodLine() {
        assertRejected(3, "METHOD line REQUEST before any ROUTE: a METHOD line names the handler for the ROUTE "
                + "above it (the other directives are SERVICE, PASSPHRASE and WORKERS)",
                List.of(SERVICE, PASSPHRASE, REQUEST, ROUTE, REQUEST));
    }

    @Test
    void parse_routeWithoutMethod_failsOnTheRouteLine() {
        String reason = "ROUTE ^/empty$ has no METHOD line under it (e.g. REQUEST com.example.MyHandler)";
        assertRejected(3, reason, List.of(SERVICE, PASSPHRASE, "ROUTE ^/empty$", ROUTE, REQUEST));
        assertRejected(5, reason, List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST, "ROUTE ^/empty$", "# the end"));
    }

    @Test
    void parse_sameMethodTwiceOnOneRoute_namesTheFirstLine() {
        assertRejected(5, "ROUTE ^/echo$ already has METHOD request (line 4)",
                List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST, "REQUEST " + TestHandlers.FRESH));
    }

    @Test
    void parse_serviceMissing_failsForTheWholeFile() {
        assertRejected(0, "no SERVICE line: a definition needs SERVICE NAME PULL PUB", List.of(PASSPHRASE, ROUTE, REQUEST));
    }

    @Test
    void parse_serviceRepeated_failsOnTheSecond() {
        assertRejected(3, "SERVICE repeated: a definition has one SERVICE line, the first is line 1",
                List.of(SERVICE, PASSPHRASE, SERVICE, ROUTE, REQUEST));
    }

    @Test
    void parse_passphraseMissing_failsForTheWholeFile() {
        assertRejected(0, "no PASSPHRASE line: a definition needs PASSPHRASE env:VARIABLE or PASSPHRASE file:PATH",
                List.of(SERVICE, ROUTE, REQUEST));
    }

    @Test
    void parse_literalPassphrase_isRefusedWithoutRepeatingIt() {
        DefinitionException e = assertRejected(2, "a literal passphrase is not allowed (anyone who can read this "
                + "file would have it, and it would end up in version control): use env:VARIABLE or file:PATH",
                goodWith(2, "PASSPHRASE s3cret-in-the-file"));
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void parse_badWorkers_failsForZeroAndForNonNumbers() {
        assertRejected(3, "WORKERS must be a whole number >= 1 but was '0'", List.of(SERVICE, PASSPHRASE, "WORKERS 0", ROUTE, REQUEST));
        assertRejected(3, "WORKERS must be a whole number >= 1 but was 'four'",
                List.of(SERVICE, PASSPHRASE, "WORKERS four", ROUTE, REQUEST));
        assertRejected(3, "WORKERS must be a whole number >= 1 but was '9999999999'",
                List.of(SERVICE, PASSPHRASE, "WORKERS 9999999999", ROUTE, REQUEST));
    }

    @Test
    void parse_badAddress_namesWhichAddressAndTheExpectedForms() {
        String expected = "': expected tcp://HOST:PORT (PORT 1-65535 or *), ipc://PATH or inproc://NAME";
        assertRejected(1, "bad PULL address 'tcp://127.0.0.1" + expected,
                goodWith(1, "SERVICE echo tcp://127.0.0.1 tcp://127.0.0.1:5556"));
        assertRejected(1, "bad PUB address 'tcp://127.0.0.1:70000" + expected,
                goodWith(1, "SERVICE echo tcp://127.0.0.1:5555 tcp://127.0.0.1:70000"));
        assertRejected(1, "bad PULL address 'http://x:1" + expected, goodWith(1, "SERVICE echo http://x:1 tcp://x:2"));
        assertRejected(1, "PULL and PUB addresses must differ but both are tcp://x:1",
                goodWith(1, "SERVICE echo tcp://x:1 tcp://x:1"));
    }

    @Test
    void toBuilder_passphraseVariableNotSet_failsOnThePassphraseLineWithoutAValue() {
        ServiceDefinition d = ServiceDefinition.parse(SOURCE, List.of(SERVICE, "PASSPHRASE env:OFFLOAD_UNSET_VARIABLE", ROUTE, REQUEST));

        DefinitionException e = assertThrows(DefinitionException.class, () -> d.toBuilder(ENV));

        assertDefinitionError(e, SOURCE, 2, "environment variable OFFLOAD_UNSET_VARIABLE is not set");
    }

    @Test
    void toBuilder_passphraseVariableBlank_failsOnThePassphraseLine() {
        ServiceDefinition d = ServiceDefinition.parse(SOURCE, List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST));

        DefinitionException e = assertThrows(DefinitionException.class, () -> d.toBuilder(name -> Optional.of("  ")));

        assertDefinitionError(e, SOURCE, 2, "environment variable " + PASSPHRASE_VARIABLE + " is empty");
    }

    @Test
    void toBuilder_passphraseFileUnreadable_failsOnThePassphraseLine() throws Exception {
        Path definition = write("missing-secret.service", SERVICE, ROUTE, REQUEST, "PASSPHRASE file:no-such-file");
        ServiceDefinition d = ServiceDefinition.load(definition);

        DefinitionException e = assertThrows(DefinitionException.class, () -> d.toBuilder(ENV));

        assertDefinitionError(e, definition.toString(), 4,
                "passphrase file " + dir.toAbsolutePath().resolve("no-such-file") + " cannot be read: no such file");
    }

    @Test
    void toBuilder_sharedHandlerConstructorThrows_failsOnTheMethodLineWithTheCause() {
        String name = TestHandlers.class.getName() + "$Exploding";
        ServiceDefinition d = ServiceDefinition.parse(SOURCE, goodWith(4, "REQUEST " + name));

        DefinitionException e = assertThrows(DefinitionException.class, () -> d.toBuilder(ENV));

        assertDefinitionError(e, SOURCE, 4, "class " + name + " could not be created: its constructor threw "
                + "java.lang.IllegalStateException: boom");
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void load_missingFile_failsForTheWholeFile() {
        Path missing = dir.resolve("absent.service");

        DefinitionException e = assertThrows(DefinitionException.class, () -> ServiceDefinition.load(missing));

        assertDefinitionError(e, missing.toString(), 0, "cannot read the file: no such file");
    }

    @Test
    void resource_missing_failsNamingTheResource() {
        DefinitionException e = assertThrows(DefinitionException.class, () -> ServiceDefinition.resource("/nope.service"));

        assertDefinitionError(e, "classpath:nope.service", 0, "resource not found on the classpath");
    }

    @Test
    void withAddresses_badAddress_throwsIllegalArgument() {
        ServiceDefinition d = ServiceDefinition.parse(List.of(SERVICE, PASSPHRASE, ROUTE, REQUEST));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.withAddresses("tcp://127.0.0.1:1", "udp://x"));

        assertTrue(e.getMessage().startsWith("bad PUB address 'udp://x'"), e.getMessage());
        assertEquals(Fixtures.ANY_PORT, d.pubAddress(), "the definition itself is unchanged");
    }

    @Test
    @Timeout(value = 60, unit = SECONDS)
    void start_addressInUse_failsOnTheServiceLineWithTheBindFailureAsCause() {
        ServiceServer other = fx.echoServer("other");
        ServiceDefinition d = ServiceDefinition.parse(SOURCE,
                List.of(PASSPHRASE, "SERVICE clash " + other.pullAddress() + " " + Fixtures.ANY_PORT, ROUTE, REQUEST));

        DefinitionException e = assertThrows(DefinitionException.class, () -> fx.add(d.start(ENV)));

        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(SOURCE + ":2: cannot bind PULL to " + other.pullAddress() + ": "),
                e.getMessage());
        assertInstanceOf(ServiceStartException.class, e.getCause());
        assertTrue(other.isRunning());
    }

    @Test
    @Timeout(value = 60, unit = SECONDS)
    void start_goodFile_answersCallsSharedAndFreshHandlersOverRealSockets() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), Fixtures.PASSPHRASE + "\n");
        Path file = write("echo.service",
                "SERVICE file-echo " + Fixtures.ANY_PORT + " " + Fixtures.ANY_PORT,
                "PASSPHRASE file:secret.txt",   // relative to the definition's directory; the newline is dropped
                "WORKERS 2",
                ROUTE, REQUEST,
                "ROUTE ^/fresh$", "REQUEST " + TestHandlers.FRESH);
        ServiceServer server = fx.add(ServiceDefinition.load(file).start(ENV));
        RawPeer peer = fx.peer(server);

        Received first = peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1)));
        Received second = peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 2)));
        Received fresh1 = peer.call("/fresh", "request");
        Received fresh2 = peer.call("/fresh", "request");

        assertEquals(Status.OK, first.status(), first::toString);
        assertEquals(1, first.body().json().get("echo").get("n").asInt());
        assertEquals(2, second.body().json().get("echo").get("n").asInt());
        assertEquals(2, second.body().json().get("calls").asInt(), "one Echo instance serves every call");
        assertEquals(1, fresh1.body().json().get("uses").asInt());
        assertEquals(1, fresh2.body().json().get("uses").asInt(), "a ServiceHandler is fresh for each call");
        assertEquals("file-echo", server.name());
    }

    @Test
    @Timeout(value = 60, unit = SECONDS)
    void resource_goodDefinition_startsAndAnswers() {
        ServiceDefinition d = ServiceDefinition.resource("org/offload/service/echo-test.service");
        ServiceServer server = fx.add(d.start(ENV));

        Received r = fx.peer(server).call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("from", "classpath")));

        assertEquals("classpath:org/offload/service/echo-test.service", d.source());
        assertEquals(2, d.workers());
        assertEquals(List.of(new Route("^/echo$", "request", TestHandlers.ECHO, 7)), d.routes());
        assertEquals(Status.OK, r.status(), r::toString);
        assertEquals("classpath", r.body().json().get("echo").get("from").asText());
    }
}
