package org.offload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.BusyException;
import org.offload.service.Reply;
import org.offload.service.ServiceServer;

/** {@code offload-call} against a real service over tcp: output and exit status for each command (issue 11). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffloadCallTest {
    private static final String PASSPHRASE = "cli-test-passphrase";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServiceServer server = ServiceServer.builder().name("reports").bind("tcp://127.0.0.1:*", "tcp://127.0.0.1:*")
            .passphrase(PASSPHRASE)
            .route("^/echo$", "request", call -> Reply.json(Map.of("echo", call.json())))
            .route("^/busy$", "request", call -> {
                throw new BusyException("too busy");
            }).build().start();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        server.close();
    }

    private int run(Map<String, String> env, String stdin, String... args) {
        return new OffloadCall(name -> Optional.ofNullable(env.get(name)),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    private int run(String... args) {
        return run(Map.of("OFFLOAD_PASSPHRASE", PASSPHRASE), "", args);
    }

    private String[] at(String... rest) {
        List<String> a = new java.util.ArrayList<>(List.of("--pull", server.pullAddress(), "--pub", server.pubAddress()));
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    private JsonNode output() throws IOException {
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void list_runningService_printsRoutesAndExits0() throws IOException {
        assertEquals(0, run(at("list")), err::toString);
        JsonNode routes = output();
        assertEquals("reports", routes.get("service").asText());
        assertEquals(server.instanceId(), routes.get("instance").asText());
        assertEquals("^/echo$", routes.get("routes").get(0).get("path").asText());
    }

    @Test
    void healthAndStats_runningService_printJsonAndExit0() throws IOException {
        assertEquals(0, run(at("health")), err::toString);
        assertEquals("SERVING", output().get("status").asText());
        out.reset();
        assertEquals(0, run(at("stats")), err::toString);
        assertTrue(output().get("stats").has("received"));
    }

    @Test
    void call_bodyFromArgumentFileAndStdin_printsTheReplyBody() throws IOException {
        assertEquals(0, run(at("call", "/echo", "request", "{\"a\":1}")), err::toString);
        assertEquals("{\"echo\":{\"a\":1}}", output().toString());
        Path body = Files.writeString(dir.resolve("body.json"), "{\"b\":2}");
        out.reset();
        assertEquals(0, run(at("call", "/echo", "request", "@" + body)), err::toString);
        assertEquals("{\"echo\":{\"b\":2}}", output().toString());
        out.reset();
        assertEquals(0, run(Map.of("OFFLOAD_PASSPHRASE", PASSPHRASE), "{\"c\":3}", at("call", "/echo", "request", "-")));
        assertEquals("{\"echo\":{\"c\":3}}", output().toString());
    }

    @Test
    void call_errorStatuses_exitWithTheirSysexitsCode() throws IOException {
        assertEquals(OffloadCall.NOT_FOUND, run(at("call", "/nowhere")));
        assertEquals(404, output().get("status").asInt());
        out.reset();
        assertEquals(OffloadCall.BUSY, run(at("call", "/busy")));
        assertEquals(429, output().get("status").asInt());
    }

    @Test
    void call_wrongPassphrase_exits77AndSaysSo() throws IOException {
        assertEquals(OffloadCall.UNAUTHORIZED, run(Map.of("OFFLOAD_PASSPHRASE", "not-it"), "", at("health")));
        assertTrue(err.toString().contains("same passphrase"), err::toString);
        assertEquals(401, output().get("status").asInt());
    }

    @Test
    void call_unreachableWorker_exits69NamingTheAddresses() {
        assertEquals(OffloadCall.UNAVAILABLE, run("--pull", "tcp://127.0.0.1:1", "--pub", "tcp://127.0.0.1:2",
                "--deadline", "500ms", "health"));
        assertTrue(err.toString().contains("tcp://127.0.0.1:1 (PULL)"), err::toString);
        assertTrue(err.toString().contains("is the worker running"), err::toString);
    }

    @Test
    void call_definitionFile_readsAddressesAndPassphraseFile() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), PASSPHRASE + "\n");
        Path def = Files.writeString(dir.resolve("reports.service"), String.join("\n",
                "SERVICE reports " + server.pullAddress() + " " + server.pubAddress(),
                "PASSPHRASE file:" + secret,
                "ROUTE ^/echo$",
                "REQUEST com.example.NotOnThisClasspath"));
        assertEquals(0, run(Map.of(), "", "--definition", def.toString(), "call", "/echo", "request", "{\"d\":4}"),
                err::toString);
        assertEquals("{\"echo\":{\"d\":4}}", output().toString());
    }

    @Test
    void parse_passphraseOptionOrNoCommand_exits64WithUsage() {
        assertEquals(OffloadCall.USAGE, run(at("--passphrase", "x", "health")));
        assertTrue(err.toString().contains("shows in ps"), err::toString);
        assertEquals(OffloadCall.USAGE, run(at()));
        assertEquals(OffloadCall.USAGE, run(at("call")));
    }

    @Test
    void run_missingPassphraseVariable_exits78NamingIt() {
        assertEquals(OffloadCall.CONFIG, run(Map.of(), "", at("health")));
        assertTrue(err.toString().contains("OFFLOAD_PASSPHRASE is not set"), err::toString);
    }
}
