package org.offload.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.offload.client.ServiceClient;
import org.offload.service.Body;
import org.offload.service.DefinitionException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceEndpoint;
import org.offload.service.ServiceException;

/**
 * {@code offload-call}: a command-line caller for a running Offload service, like grpcurl. {@code list},
 * {@code health} and {@code stats} read the service's introspection (PROTOCOL.md section 18); {@code call}
 * sends one request. Output is JSON on stdout, diagnostics on stderr, and the exit status follows the reply.
 */
public final class OffloadCall {
    static final int OK = 0;
    static final int USAGE = 64;
    static final int DATA = 65;
    static final int NOT_FOUND = 66;
    static final int UNAVAILABLE = 69;
    static final int FAILED = 70;
    static final int BUSY = 75;
    static final int UNAUTHORIZED = 77;
    static final int CONFIG = 78;
    private static final String CLIENT_NAME = "offload-call";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Function<String, Optional<String>> env;
    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    OffloadCall(Function<String, Optional<String>> env, InputStream stdin, PrintStream out, PrintStream err) {
        this.env = env;
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // stdout stays JSON only
        }
        int status = new OffloadCall(name -> Optional.ofNullable(System.getenv(name)), System.in, System.out,
                System.err).run(args);
        System.exit(status);
    }

    /** Runs one command line; returns the exit status. */
    int run(String[] args) {
        CallArgs a;
        try {
            a = CallArgs.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(CLIENT_NAME + ": " + e.getMessage());
            err.println(CallArgs.USAGE);
            return USAGE;
        }
        Target target;
        Request request;
        try {
            target = target(a);
            request = request(a);
        } catch (DefinitionException | IllegalArgumentException | IOException e) {
            err.println(CLIENT_NAME + ": " + e.getMessage());
            return CONFIG;
        }
        try (ServiceClient client = ServiceClient.builder().name(CLIENT_NAME).deadline(a.deadline()).build()) {
            client.register(target.name(), target.pull(), target.pub(), target.passphrase());
            Reply reply = client.call(target.name(), request, a.deadline());
            print(reply);
            return OK;
        } catch (ServiceException e) {
            Map<String, Object> failure = new LinkedHashMap<>();
            failure.put("status", e.status());
            failure.put("error", e.getClass().getSimpleName());
            failure.put("message", e.getMessage());
            printJson(JSON.valueToTree(failure));
            err.println(CLIENT_NAME + ": " + e.getMessage());
            return exitStatus(e.status());
        }
    }

    private record Target(String name, String pull, String pub, String passphrase) {
    }

    private Target target(CallArgs a) throws IOException {
        if (a.definition().isPresent()) {
            ServiceEndpoint endpoint = ServiceEndpoint.load(a.definition().get());
            return new Target(endpoint.name(), endpoint.pullAddress(), endpoint.pubAddress(), endpoint.passphrase());
        }
        String passphrase;
        if (a.passphraseFile().isPresent()) {
            Path file = a.passphraseFile().get();
            passphrase = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
            if (passphrase.isBlank()) {
                throw new IllegalArgumentException("passphrase file " + file + " is empty");
            }
        } else {
            passphrase = env.apply(a.passphraseEnv()).filter(p -> !p.isBlank()).orElseThrow(() ->
                    new IllegalArgumentException("environment variable " + a.passphraseEnv() + " is not set or empty"
                            + " (export it, or give --passphrase-file FILE)"));
        }
        return new Target(a.pull().orElseThrow(), a.pull().orElseThrow(), a.pub().orElseThrow(), passphrase);
    }

    private Request request(CallArgs a) throws IOException {
        return switch (a.command()) {
            case "list" -> Request.of("/_offload/routes", Request.DEFAULT_METHOD);
            case "health" -> Request.of("/_offload/health", Request.DEFAULT_METHOD);
            case "stats" -> Request.of("/_offload/stats", Request.DEFAULT_METHOD);
            default -> {
                String path = a.operands().get(0);
                String method = a.operands().size() > 1 ? a.operands().get(1) : Request.DEFAULT_METHOD;
                byte[] body = a.operands().size() > 2 ? body(a.operands().get(2)) : "{}".getBytes(StandardCharsets.UTF_8);
                try {
                    JSON.readTree(body);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException("BODY is not JSON: " + e.getOriginalMessage());
                }
                yield new Request(path, method, Map.of(), Body.wrap(body, Body.JSON));
            }
        };
    }

    private byte[] body(String operand) throws IOException {
        if (operand.equals("-")) {
            return stdin.readAllBytes();
        }
        if (operand.startsWith("@")) {
            return Files.readAllBytes(Path.of(operand.substring(1)));
        }
        return operand.getBytes(StandardCharsets.UTF_8);
    }

    private void print(Reply reply) {
        Body body = reply.body();
        if (Body.JSON.equals(body.contentType())) {
            try {
                printJson(body.json());
                return;
            } catch (RuntimeException notJson) {
                // fall through: print it as it came
            }
        }
        byte[] bytes = body.toByteArray();
        out.write(bytes, 0, bytes.length);
        out.flush();
    }

    private void printJson(JsonNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** sysexits(3) codes, so a script can tell "try again later" from "fix the request". */
    static int exitStatus(int status) {
        return switch (status) {
            case 400, 413, 505 -> DATA;
            case 401, 403 -> UNAUTHORIZED;
            case 404, 405 -> NOT_FOUND;
            case 408, 503 -> UNAVAILABLE;
            case 429 -> BUSY;
            default -> FAILED;
        };
    }
}
