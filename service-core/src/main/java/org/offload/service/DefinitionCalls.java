package org.offload.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import org.offload.service.internal.Checks;

/**
 * A definition's {@code CALLS file:PATH} lines: the other services its handlers call
 * ({@link Call#callService}), each named by that service's own definition file. When the definition starts,
 * one caller (from a {@link ServiceCallerFactory} on the class path: {@code service-client}'s) is opened with
 * all of them registered; the server closes it when it stops.
 */
final class DefinitionCalls {
    static final String DIRECTIVE = "CALLS";
    private static final String FILE_PREFIX = "file:";

    /** One CALLS line: the file as written, its line, and the endpoint read from it (absent for a bare endpoint read). */
    record Callee(String file, int line, Optional<ServiceEndpoint> endpoint) {
        Callee {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    private DefinitionCalls() {
    }

    /**
     * Reads one CALLS line's argument; with {@code load} the named definition is read now (relative to
     * {@code baseDir}), so a missing or broken file is reported on this line.
     */
    static Callee read(String source, int line, String argument, boolean load, Optional<Path> baseDir,
                       List<Callee> earlier) {
        if (!argument.startsWith(FILE_PREFIX) || argument.length() == FILE_PREFIX.length()) {
            throw new IllegalArgumentException(DIRECTIVE + " takes file:PATH, the definition file of the service to"
                    + " call, but got '" + Checks.abbreviate(argument) + "'");
        }
        for (Callee c : earlier) {
            if (c.file().equals(argument)) {
                throw new IllegalArgumentException(DIRECTIVE + " " + Checks.abbreviate(argument) + " repeated (line "
                        + c.line() + ")");
            }
        }
        if (!load) {
            return new Callee(argument, line, Optional.empty());
        }
        Path path = Path.of(argument.substring(FILE_PREFIX.length()));
        if (!path.isAbsolute() && baseDir.isPresent()) {
            path = baseDir.get().resolve(path);
        }
        ServiceEndpoint endpoint;
        try {
            endpoint = ServiceEndpoint.load(path);
        } catch (DefinitionException e) {
            throw new IllegalArgumentException(DIRECTIVE + " " + Checks.abbreviate(argument) + ": " + e.getMessage());
        }
        for (Callee c : earlier) {
            if (c.endpoint().map(ServiceEndpoint::name).orElse("").equals(endpoint.name())) {
                throw new IllegalArgumentException(DIRECTIVE + " " + Checks.abbreviate(argument) + " names service "
                        + endpoint.name() + " again (line " + c.line() + "): a handler calls a service by its name");
            }
        }
        return new Callee(argument, line, Optional.of(endpoint));
    }

    /**
     * Opens the caller for {@code calls} (not empty) with the first {@link ServiceCallerFactory} the thread's
     * context class loader finds; {@link DefinitionException} on the first CALLS line when there is none.
     */
    static ServiceCaller open(String source, String serviceName, List<Callee> calls) {
        Optional<ServiceCallerFactory> factory = ServiceLoader.load(ServiceCallerFactory.class).findFirst();
        if (factory.isEmpty()) {
            throw new DefinitionException(source, calls.get(0).line(), DIRECTIVE + " needs a client to call with:"
                    + " put org.offload:service-client on the worker's class path");
        }
        List<ServiceEndpoint> endpoints = calls.stream().map(c -> c.endpoint().orElseThrow()).toList();
        return Objects.requireNonNull(factory.get().open(serviceName + "-calls", endpoints),
                "ServiceCallerFactory.open returned no caller");
    }
}
