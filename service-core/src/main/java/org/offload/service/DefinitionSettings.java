package org.offload.service;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.offload.service.internal.Checks;

/**
 * The service settings a definition file may set, one directive each, mapped to the
 * {@link ServiceServer.Builder} option it sets. A value is checked when the line is read: first its form
 * (a whole number, a duration, {@code true}/{@code false}), then by the builder option itself, whose
 * message ({@code "queueCapacity must be > 0 but was 0"}) becomes the line's reason.
 */
final class DefinitionSettings {
    /** A setting read from a definition: its directive, value as written, line, and what it sets. */
    record Setting(String directive, String value, int line, Consumer<ServiceServer.Builder> apply) {
    }

    private record Kind<T>(String form, Function<String, T> parse, BiConsumer<ServiceServer.Builder, T> set) {
        Consumer<ServiceServer.Builder> read(String directive, String value) {
            T parsed;
            try {
                parsed = parse.apply(value);
            } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
                throw new IllegalArgumentException(directive + " takes " + form + " but got '"
                        + Checks.abbreviate(value) + "'");
            }
            Consumer<ServiceServer.Builder> apply = b -> set.accept(b, parsed);
            apply.accept(ServiceServer.builder()); // the builder's own check, at once: its message is the reason
            return apply;
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern BYTES = Pattern.compile("(-?\\d{1,10})(KiB|MiB)?");
    private static final String DURATION_FORM = "a duration such as 500ms, 5s, 2m, 1h or PT5S";
    private static final String BOOLEAN_FORM = "true or false";
    private static final String COUNT_FORM = "a whole number";

    private static final Map<String, Kind<?>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("VIRTUAL_THREADS", new Kind<>(BOOLEAN_FORM, DefinitionSettings::bool, ServiceServer.Builder::virtualThreads));
        KINDS.put("QUEUE_CAPACITY", new Kind<>(COUNT_FORM, Integer::parseInt, ServiceServer.Builder::queueCapacity));
        KINDS.put("ERROR_DETAILS", new Kind<>(BOOLEAN_FORM, DefinitionSettings::bool, ServiceServer.Builder::exposeErrorDetails));
        KINDS.put("MAX_MESSAGE_BYTES", new Kind<>("a whole number of bytes, or of KiB or MiB (8MiB)",
                DefinitionSettings::bytes, ServiceServer.Builder::maxMessageBytes));
        KINDS.put("DRAIN_TIMEOUT", new Kind<>(DURATION_FORM, DefinitionSettings::duration, ServiceServer.Builder::drainTimeout));
        KINDS.put("REPLAY_WINDOW", new Kind<>(DURATION_FORM, DefinitionSettings::duration, ServiceServer.Builder::replayWindow));
        KINDS.put("MAX_PARKED_REPLIES", new Kind<>(COUNT_FORM, Integer::parseInt, ServiceServer.Builder::maxParkedReplies));
        KINDS.put("PARK_TIMEOUT", new Kind<>(DURATION_FORM, DefinitionSettings::duration, ServiceServer.Builder::parkTimeout));
        KINDS.put("SEND_HIGH_WATER_MARK", new Kind<>(COUNT_FORM, Integer::parseInt, ServiceServer.Builder::sendHighWaterMark));
        KINDS.put("RECEIVE_HIGH_WATER_MARK", new Kind<>(COUNT_FORM, Integer::parseInt,
                ServiceServer.Builder::receiveHighWaterMark));
        KINDS.put("PROGRESS_INTERVAL", new Kind<>(DURATION_FORM, DefinitionSettings::duration,
                ServiceServer.Builder::progressInterval));
        KINDS.put("LINGER", new Kind<>(DURATION_FORM, DefinitionSettings::duration, ServiceServer.Builder::linger));
        KINDS.put("HANDSHAKE_TIMEOUT", new Kind<>(DURATION_FORM, DefinitionSettings::duration,
                ServiceServer.Builder::handshakeTimeout));
        KINDS.put("HEARTBEAT_INTERVAL", new Kind<>(DURATION_FORM, DefinitionSettings::duration,
                ServiceServer.Builder::heartbeatInterval));
        KINDS.put("DEADLINE_MARGIN", new Kind<>(DURATION_FORM, DefinitionSettings::duration,
                ServiceServer.Builder::deadlineMargin));
        KINDS.put("MAX_CONNECTIONS", new Kind<>(COUNT_FORM, Integer::parseInt, ServiceServer.Builder::maxConnections));
        KINDS.put("MAX_CONNECTIONS_PER_PEER", new Kind<>(COUNT_FORM, Integer::parseInt,
                ServiceServer.Builder::maxConnectionsPerPeer));
        KINDS.put("MAX_QUEUED_BYTES", new Kind<>("a whole number of bytes, or of KiB or MiB (256MiB)",
                DefinitionSettings::bytes, ServiceServer.Builder::maxQueuedBytes));
        KINDS.put("ENCRYPTION", new Kind<>("CURVE or NONE", DefinitionSettings::encryption, ServiceServer.Builder::encryption));
    }

    private DefinitionSettings() {}

    /** The setting directives, in the order the README lists them. */
    static Set<String> directives() {
        return KINDS.keySet();
    }

    static boolean isSetting(String directive) {
        return KINDS.containsKey(directive);
    }

    /** Reads one setting line; throws {@link IllegalArgumentException} with the reason. */
    static Setting read(String directive, String value, int line) {
        return new Setting(directive, value, line, KINDS.get(directive).read(directive, value));
    }

    private static Encryption encryption(String value) {
        return Encryption.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private static boolean bool(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(value);
        };
    }

    /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT5S}). */
    static Duration duration(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            return Duration.parse(value.toUpperCase(Locale.ROOT));
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static int bytes(String value) {
        Matcher m = BYTES.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException(value);
        }
        long n = Long.parseLong(m.group(1));
        long unit = m.group(2) == null ? 1 : m.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        return Math.toIntExact(n * unit);
    }
}
