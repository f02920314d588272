package org.offload.example.javalin;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.offload.service.BadRequestException;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;

/**
 * The worker's handler: SHA-256 of {@code text}, applied {@code rounds} times (1..{@value #MAX_ROUNDS}),
 * the stand-in for CPU-heavy work. Answers {"sha256": hex, "rounds": n, "thread": worker thread}. Stateless.
 */
public final class HashHandler implements Handler {
    /** Most rounds one request may ask for. */
    public static final int MAX_ROUNDS = 1_000_000;

    @Override
    public Reply handle(Call call) {
        JsonNode body = call.json();
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) {
            throw new BadRequestException("text must be a string");
        }
        int rounds = body.path("rounds").asInt(1);
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new BadRequestException("rounds must be 1.." + MAX_ROUNDS + " but was " + body.path("rounds"));
        }
        byte[] digest = text.asText().getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = sha256();
        for (int i = 0; i < rounds; i++) {
            call.throwIfCancelled();
            digest = sha.digest(digest);
        }
        return Reply.json(Map.of("sha256", HexFormat.of().formatHex(digest), "rounds", rounds,
                "thread", Thread.currentThread().getName()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
