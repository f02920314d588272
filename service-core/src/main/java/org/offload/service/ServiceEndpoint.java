package org.offload.service;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a service is and how to prove the passphrase, read from the worker's own definition file: what a
 * client needs to register it ({@code client.register(ServiceEndpoint.load(path))}). Only the SERVICE and
 * PASSPHRASE lines matter here; the handler classes are not loaded, so the client needs none of them. The
 * passphrase is read from its variable or file when {@link #passphrase()} is called, never kept.
 */
public final class ServiceEndpoint {
    private final ServiceDefinition definition;

    private ServiceEndpoint(ServiceDefinition definition) {
        this.definition = definition;
    }

    /** Reads {@code file} (a definition file, format in {@link ServiceDefinition}); {@link DefinitionException} if invalid. */
    public static ServiceEndpoint load(Path file) {
        Objects.requireNonNull(file, "file");
        return new ServiceEndpoint(DefinitionParser.parse(file.toString(), ServiceDefinition.readLines(file),
                Optional.empty(), Optional.ofNullable(file.toAbsolutePath().getParent())));
    }

    public String name() {
        return definition.name();
    }

    public String pullAddress() {
        return definition.pullAddress();
    }

    public String pubAddress() {
        return definition.pubAddress();
    }

    /** The ENCRYPTION line's setting, or {@link ServiceServer#DEFAULT_ENCRYPTION} without one. */
    public Encryption encryption() {
        String value = definition.settings().get("ENCRYPTION");
        return value == null ? ServiceServer.DEFAULT_ENCRYPTION : Encryption.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    /** Where the endpoint was read from. */
    public String source() {
        return definition.source();
    }

    /** Reads the passphrase now from the variable or file the PASSPHRASE line names. */
    public String passphrase() {
        return passphrase(ServiceDefinition.SYSTEM_ENV);
    }

    /** {@link #passphrase()} with {@code env} instead of the process environment. */
    String passphrase(Function<String, Optional<String>> env) {
        return definition.passphrase(env);
    }

    @Override
    public String toString() {
        return "ServiceEndpoint[" + name() + " from " + source() + ", PULL " + pullAddress() + ", PUB " + pubAddress() + "]";
    }
}
