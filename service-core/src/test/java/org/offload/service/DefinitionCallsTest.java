package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A definition's CALLS lines (issue 12, item 5), as far as service-core alone can check them: each error names
 * its line, and a worker without service-client on its class path is told to add it. The calls themselves are
 * tested in service-client ({@code DefinitionCallsTest} there).
 */
class DefinitionCallsTest {
    private static final String SOURCE = "test.service";
    private static final String SERVICE = "SERVICE front " + Fixtures.ANY_PORT + " " + Fixtures.ANY_PORT;
    private static final String PASSPHRASE = "PASSPHRASE env:" + ServiceDefinitionTest.PASSPHRASE_VARIABLE;
    private static final String ROUTE = "ROUTE ^/echo$";
    private static final String REQUEST = "REQUEST " + TestHandlers.ECHO;

    @TempDir
    Path dir;

    private Path backend(String file, String name) throws Exception {
        return Files.write(dir.resolve(file), List.of("SERVICE " + name + " tcp://127.0.0.1:1 tcp://127.0.0.1:2",
                "PASSPHRASE env:NOT_READ_HERE", ROUTE, REQUEST), StandardCharsets.UTF_8);
    }

    private static DefinitionException rejected(String... lines) {
        return assertThrows(DefinitionException.class, () -> ServiceDefinition.parse(SOURCE, List.of(lines)));
    }

    @Test
    void parse_callsLine_listsTheFilesInOrder() throws Exception {
        String a = "file:" + backend("a.service", "reports");
        String b = "file:" + backend("b.service", "thumbs");

        ServiceDefinition d = ServiceDefinition.parse(SOURCE, List.of(SERVICE, PASSPHRASE, "CALLS " + a, "CALLS " + b,
                ROUTE, REQUEST));

        assertEquals(List.of(a, b), d.calls());
    }

    @Test
    void parse_callsFileMissing_failsOnTheCallsLineNamingTheFile() {
        Path missing = dir.resolve("absent.service");

        DefinitionException e = rejected(SERVICE, PASSPHRASE, "CALLS file:" + missing, ROUTE, REQUEST);

        assertEquals(3, e.line());
        assertEquals("CALLS file:" + missing + ": " + missing + ":0: cannot read the file: no such file", e.reason());
    }

    @Test
    void parse_callsWithoutFilePrefix_saysWhatItTakes() {
        DefinitionException e = rejected(SERVICE, PASSPHRASE, "CALLS reports", ROUTE, REQUEST);

        assertEquals(3, e.line());
        assertEquals("CALLS takes file:PATH, the definition file of the service to call, but got 'reports'", e.reason());
    }

    @Test
    void parse_callsAfterRoute_failsNamingTheRouteLine() throws Exception {
        DefinitionException e = rejected(SERVICE, PASSPHRASE, ROUTE, REQUEST, "CALLS file:" + backend("a.service", "r"));

        assertEquals(5, e.line());
        assertEquals("CALLS is a service line; put it before the first ROUTE line (line 3)", e.reason());
    }

    @Test
    void parse_twoFilesNamingOneService_failsOnTheSecond() throws Exception {
        String a = "file:" + backend("a.service", "reports");
        String b = "file:" + backend("b.service", "reports");

        DefinitionException e = rejected(SERVICE, PASSPHRASE, "CALLS " + a, "CALLS " + b, ROUTE, REQUEST);

        assertEquals(4, e.line());
        assertEquals("CALLS " + b + " names service reports again (line 3): a handler calls a service by its name",
                e.reason());
    }

    @Test
    void endpointLoad_callsFileMissing_isNotRead() throws Exception {
        Path worker = Files.write(dir.resolve("front.service"), List.of(SERVICE, PASSPHRASE,
                "CALLS file:" + dir.resolve("absent.service"), ROUTE, REQUEST), StandardCharsets.UTF_8);

        ServiceEndpoint endpoint = ServiceEndpoint.load(worker);

        assertEquals("front", endpoint.name(), "a client finding the worker needs none of the services it calls");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void start_callsWithoutServiceClientOnTheClassPath_failsOnTheFirstCallsLineSayingWhatToAdd() throws Exception {
        ServiceDefinition d = ServiceDefinition.parse(SOURCE, List.of(SERVICE, PASSPHRASE,
                "CALLS file:" + backend("a.service", "reports"), ROUTE, REQUEST));

        DefinitionException e = assertThrows(DefinitionException.class, () -> d.start(ServiceDefinitionTest.ENV));

        assertEquals(3, e.line());
        assertEquals("CALLS needs a client to call with: put org.offload:service-client on the worker's class path",
                e.reason());
    }
}
