package org.offload.service.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Validates notification topics and topic prefixes (PROTOCOL.md section 20). Not public API. */
public final class Topics {
    private Topics() {
    }

    /** {@code topic} as UTF-8: 1..{@value Wire#MAX_TOPIC_BYTES} bytes of well-formed text. */
    public static byte[] topic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        return utf8("topic", topic);
    }

    /** {@code prefix} as UTF-8: 0..{@value Wire#MAX_TOPIC_BYTES} bytes of well-formed text (empty: every topic). */
    public static byte[] prefix(String prefix) {
        Objects.requireNonNull(prefix, "topicPrefix");
        return utf8("topicPrefix", prefix);
    }

    /** Encodes {@code text} once, strictly: the same bytes {@code getBytes(UTF_8)} gives for well-formed text. */
    private static byte[] utf8(String what, String text) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " must be well-formed Unicode (it has an unpaired surrogate)");
        }
        int n = encoded.remaining();
        if (n > Wire.MAX_TOPIC_BYTES) {
            throw new IllegalArgumentException(what + " must be <= " + Wire.MAX_TOPIC_BYTES + " UTF-8 bytes but was " + n);
        }
        byte[] bytes = new byte[n];
        encoded.get(bytes);
        return bytes;
    }
}
