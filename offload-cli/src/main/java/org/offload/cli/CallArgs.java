package org.offload.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed command line of {@code offload-call}. Every problem is an {@link IllegalArgumentException}
 * whose message says what to write instead. There is deliberately no option that takes the passphrase.
 */
record CallArgs(Optional<Path> definition, Optional<String> pull, Optional<String> pub, String passphraseEnv,
                Optional<Path> passphraseFile, Duration deadline, String command, List<String> operands) {
    static final String DEFAULT_PASSPHRASE_ENV = "OFFLOAD_PASSPHRASE";
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    static final List<String> COMMANDS = List.of("list", "health", "stats", "call");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    static final String USAGE = """
            usage: offload-call (--definition FILE | --pull ADDRESS --pub ADDRESS) [options] COMMAND
              COMMAND   list | health | stats | call PATH [METHOD] [BODY]
                        BODY: JSON text, @FILE or - (standard input); default {}; METHOD default request
              --definition FILE       the worker's definition file: addresses and PASSPHRASE line
              --pull ADDRESS --pub ADDRESS
                                      the instance's PULL and PUB addresses (tcp://HOST:PORT)
              --passphrase-env NAME   environment variable that holds the passphrase (default OFFLOAD_PASSPHRASE)
              --passphrase-file FILE  file that holds the passphrase (instead of the variable)
              --deadline D            how long to wait: 500ms, 5s, 2m (default 5s)
            The passphrase is never an argument. Output is JSON on stdout; the exit status says how the call
            ended: 0 success, 64 usage, 65 bad request (400/413/505), 66 not found (404/405), 69 unavailable
            (503/408), 70 failed (500 and other errors), 75 busy (429), 77 unauthorized (401/403), 78 the
            definition or passphrase could not be read.""";

    static CallArgs parse(String[] args) {
        Optional<Path> definition = Optional.empty();
        Optional<String> pull = Optional.empty();
        Optional<String> pub = Optional.empty();
        String env = DEFAULT_PASSPHRASE_ENV;
        Optional<Path> file = Optional.empty();
        Duration deadline = DEFAULT_DEADLINE;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--definition" -> definition = Optional.of(Path.of(value(args, ++i, a)));
                case "--pull" -> pull = Optional.of(value(args, ++i, a));
                case "--pub" -> pub = Optional.of(value(args, ++i, a));
                case "--passphrase-env" -> env = value(args, ++i, a);
                case "--passphrase-file" -> file = Optional.of(Path.of(value(args, ++i, a)));
                case "--deadline" -> deadline = duration(value(args, ++i, a));
                case "--passphrase" -> throw new IllegalArgumentException("--passphrase is not an option: a passphrase"
                        + " on the command line shows in ps and shell history; use --passphrase-env NAME or"
                        + " --passphrase-file FILE");
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    rest.add(a);
                }
            }
        }
        if (definition.isPresent() == (pull.isPresent() || pub.isPresent())) {
            throw new IllegalArgumentException("give either --definition FILE or both --pull and --pub");
        }
        if (definition.isEmpty() && (pull.isEmpty() || pub.isEmpty())) {
            throw new IllegalArgumentException("--pull and --pub go together");
        }
        if (rest.isEmpty() || !COMMANDS.contains(rest.get(0))) {
            throw new IllegalArgumentException(rest.isEmpty() ? "no COMMAND given (list, health, stats or call)"
                    : "unknown COMMAND " + rest.get(0) + " (list, health, stats or call)");
        }
        String command = rest.get(0);
        List<String> operands = List.copyOf(rest.subList(1, rest.size()));
        int max = command.equals("call") ? 3 : 0;
        if (operands.size() > max || (command.equals("call") && operands.isEmpty())) {
            throw new IllegalArgumentException(command.equals("call") ? "call takes PATH [METHOD] [BODY]"
                    : command + " takes no operands");
        }
        return new CallArgs(definition, pull, pub, env, file, deadline, command, operands);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("--deadline must look like 500ms, 5s or 2m but was " + text);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Duration d = switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofMillis(n);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("--deadline must be > 0 but was " + text);
        }
        return d;
    }
}
