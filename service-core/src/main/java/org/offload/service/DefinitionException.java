package org.offload.service;

import java.util.Objects;

/**
 * A service definition (see {@link ServiceDefinition}) is invalid, or the service it defines could not start.
 * The message is {@code source:line: reason}, e.g. {@code slow-echo.service:5: class org.x.Missing not found on
 * the classpath}; {@link #line()} is 0 when the problem is not on one line (a directive is missing, the file
 * cannot be read). Never carries a passphrase.
 */
public class DefinitionException extends ServiceStartException {
    private final String source;
    private final int line;
    private final String reason;

    public DefinitionException(String source, int line, String reason) {
        this(source, line, reason, null);
    }

    public DefinitionException(String source, int line, String reason, Throwable cause) {
        super(Objects.requireNonNull(source, "source") + ":" + checkLine(line) + ": "
                + Objects.requireNonNull(reason, "reason"), cause);
        this.source = source;
        this.line = line;
        this.reason = reason;
    }

    private static int checkLine(int line) {
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0 but was " + line);
        }
        return line;
    }

    /** Where the definition came from: a file path, {@code classpath:NAME}, or what the caller named it. */
    public String source() {
        return source;
    }

    /** The 1-based line at fault, or 0 when the problem is not on one line. */
    public int line() {
        return line;
    }

    /** What is wrong, without the source and line. */
    public String reason() {
        return reason;
    }
}
