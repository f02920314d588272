package org.offload.service;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a service definition's passphrase comes from: {@code env:VARIABLE} or {@code file:PATH}. Holds only
 * the reference; the passphrase itself is read by {@link #resolve} and never kept or shown. A relative PATH is
 * resolved against the definition file's directory, or the working directory when there is no file.
 */
record PassphraseSource(boolean fromEnvironment, String reference) {
    static final String ENV_PREFIX = "env:";
    static final String FILE_PREFIX = "file:";

    /** Parses the argument of a PASSPHRASE line; the reason of the exception never repeats the argument. */
    static PassphraseSource parse(String argument) {
        if (argument.startsWith(ENV_PREFIX)) {
            return new PassphraseSource(true, nonEmpty(argument.substring(ENV_PREFIX.length()),
                    "env: needs a variable name, e.g. env:OFFLOAD_PASSPHRASE"));
        }
        if (argument.startsWith(FILE_PREFIX)) {
            return new PassphraseSource(false, nonEmpty(argument.substring(FILE_PREFIX.length()),
                    "file: needs a path, e.g. file:/etc/offload/passphrase"));
        }
        throw new IllegalArgumentException("a literal passphrase is not allowed (anyone who can read this file "
                + "would have it, and it would end up in version control): use env:VARIABLE or file:PATH");
    }

    private static String nonEmpty(String value, String reason) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(reason);
        }
        return value;
    }

    /**
     * Reads the passphrase. A file's trailing line breaks are dropped (so {@code echo secret > file} works).
     * Throws {@link IllegalArgumentException} with a reason that names the variable or file, never the value.
     */
    String resolve(Function<String, Optional<String>> env, Optional<Path> baseDir) {
        String passphrase = fromEnvironment ? fromEnvironment(env) : fromFile(baseDir);
        if (passphrase.isBlank()) {
            throw new IllegalArgumentException(describe() + " is empty");
        }
        return passphrase;
    }

    private String fromEnvironment(Function<String, Optional<String>> env) {
        return env.apply(reference).orElseThrow(
                () -> new IllegalArgumentException("environment variable " + reference + " is not set"));
    }

    private String fromFile(Optional<Path> baseDir) {
        Path path = Path.of(reference);
        if (!path.isAbsolute() && baseDir.isPresent()) {
            path = baseDir.get().resolve(path);
        }
        try {
            return Files.readString(path, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("passphrase file " + path + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("passphrase file " + path + " cannot be read: " + DefinitionParser.ioReason(e));
        }
    }

    private String describe() {
        return fromEnvironment ? "environment variable " + reference : "passphrase file " + reference;
    }

    @Override
    public String toString() {
        return (fromEnvironment ? ENV_PREFIX : FILE_PREFIX) + reference;
    }
}
