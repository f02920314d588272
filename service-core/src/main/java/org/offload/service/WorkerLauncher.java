package org.offload.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one service from a definition file (format: {@link ServiceDefinition}) as a worker process:
 *
 * <pre>
 * java -cp ... org.offload.service.WorkerLauncher FILE [--bind PULL PUB] [--parent-pid N]
 * </pre>
 *
 * <p>Loads the definition, starts the service, logs one INFO line (name, routes, addresses, workers) and
 * serves until SIGTERM or SIGINT, then stops gracefully (in-flight work gets the server's drain timeout) and
 * exits 0. {@code --bind} replaces the file's addresses; {@code --parent-pid N} also stops and exits 0 when
 * process N ends, so a worker never outlives its supervisor. A bad definition prints its
 * {@code file:line: reason} on one stderr line and exits 2; bad arguments print the usage and exit 2;
 * anything unexpected exits 1, and so does a service that fails while serving (a JeroMQ thread died, e.g. of
 * {@link OutOfMemoryError}: see {@link ServiceServer#failure()}), so a supervisor restarts it.
 *
 * <p>The JVM would exit 143 after SIGTERM; a shutdown hook stops the service and then halts the JVM with
 * the launcher's own exit status, so other shutdown hooks may not finish (an SLF4J binding that logs
 * asynchronously can lose the last lines). The SLF4J binding comes from the classpath.
 */
public final class WorkerLauncher {
    private static final Logger log = LoggerFactory.getLogger(WorkerLauncher.class);
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    /** Bad arguments or a bad definition. */
    static final int EXIT_INVALID = 2;
    static final String USAGE = """
            usage: WorkerLauncher FILE [--bind PULL PUB] [--parent-pid N]
              FILE             the service definition (see README: "Start a worker")
              --bind PULL PUB  bind these addresses instead of the file's
              --parent-pid N   stop and exit when process N ends
            """;

    private final Object lock = new Object();
    private ServiceServer server;
    private boolean stopping;
    private volatile int exitStatus = EXIT_OK;

    private WorkerLauncher() {}

    public static void main(String[] args) {
        new WorkerLauncher().run(args);
    }

    private void run(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "offload-launcher-shutdown"));
        try {
            Options options = Options.parse(args);
            if (options.help()) {
                System.out.print(USAGE);
                return; // the JVM ends with status 0
            }
            ServiceDefinition definition = options.applyTo(ServiceDefinition.load(options.file()));
            ServiceServer started = start(definition);
            options.parentPid().ifPresent(pid -> stopWhenGone(definition.name(), pid));
            while (!started.awaitTermination(Duration.ofDays(1))) {
                // serve until the shutdown hook stops the server
            }
            synchronized (lock) {
                if (stopping) {
                    return; // the shutdown hook halts the JVM
                }
            }
            log.error("{} - stopped without being asked to ({}); exiting with status {}", definition.name(),
                    started.failure().map(Throwable::toString).orElse("no cause recorded"), EXIT_FAILED);
            exit(EXIT_FAILED);
        } catch (UsageException e) {
            System.err.println("WorkerLauncher: " + e.getMessage());
            System.err.print(USAGE);
            exit(EXIT_INVALID);
        } catch (DefinitionException e) {
            System.err.println(e.getMessage());
            exit(EXIT_INVALID);
        } catch (InterruptedException e) {
            log.error("launcher - main thread interrupted; exiting");
            exit(EXIT_FAILED);
        } catch (RuntimeException | Error e) {
            System.err.println("WorkerLauncher: unexpected failure: " + e);
            log.error("launcher - unexpected failure", e);
            exit(EXIT_FAILED);
        }
    }

    /** Starts the service under the lock, so a shutdown hook that runs meanwhile stops it once started. */
    private ServiceServer start(ServiceDefinition definition) {
        synchronized (lock) {
            server = definition.start();
            log.info("{} - serving {} on {} / {} with {} workers", definition.name(), describe(definition.routes()),
                    server.pullAddress(), server.pubAddress(), definition.workers());
            return server;
        }
    }

    /** {@code request ^/a$ -> com.x.A, get ^/b -> com.x.B} */
    static String describe(List<ServiceDefinition.Route> routes) {
        return routes.stream().map(r -> r.method() + " " + r.regex() + " -> " + r.handlerClass())
                .collect(Collectors.joining(", "));
    }

    private void stopWhenGone(String name, long pid) {
        CompletableFuture<ProcessHandle> gone = ProcessHandle.of(pid).map(ProcessHandle::onExit)
                .orElseGet(() -> CompletableFuture.completedFuture(null));
        // exit() blocks its thread until the JVM halts: use a thread of our own, not the process reaper
        gone.thenRunAsync(() -> {
            log.info("{} - parent process {} ended; stopping", name, pid);
            exit(EXIT_OK);
        }, task -> Thread.ofPlatform().daemon().name(name + "-parent-watch").start(task));
    }

    private void exit(int status) {
        exitStatus = status;
        System.exit(status);
    }

    /** The shutdown hook: stop the service gracefully, then end the JVM with our status (not 143). */
    private void shutdown() {
        ServiceServer current;
        synchronized (lock) {
            stopping = true;
            current = server;
        }
        if (current != null) {
            log.info("{} - stopping", current.name());
            current.close();
            log.info("{} - stopped", current.name());
            if (current.failure().isPresent()) {
                exitStatus = EXIT_FAILED; // a signal that comes after a failure must not turn it into a 0
            }
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(exitStatus);
    }

    /** Bad command-line arguments. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed command line. */
    record Options(Path file, Optional<List<String>> bind, OptionalLong parentPid, boolean help) {
        static Options parse(String... args) {
            List<String> positional = new ArrayList<>();
            Optional<List<String>> bind = Optional.empty();
            OptionalLong parentPid = OptionalLong.empty();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> {
                        return new Options(Path.of(""), Optional.empty(), OptionalLong.empty(), true);
                    }
                    case "--bind" -> {
                        if (bind.isPresent()) {
                            throw new UsageException("--bind given twice");
                        }
                        if (i + 2 >= args.length) {
                            throw new UsageException("--bind needs two addresses, PULL and PUB");
                        }
                        bind = Optional.of(List.of(args[i + 1], args[i + 2]));
                        i += 2;
                    }
                    case "--parent-pid" -> {
                        if (parentPid.isPresent()) {
                            throw new UsageException("--parent-pid given twice");
                        }
                        if (i + 1 >= args.length) {
                            throw new UsageException("--parent-pid needs a process id");
                        }
                        parentPid = OptionalLong.of(pid(args[++i]));
                    }
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new UsageException("unknown option " + args[i]);
                        }
                        positional.add(args[i]);
                    }
                }
            }
            if (positional.size() != 1) {
                throw new UsageException(positional.isEmpty() ? "FILE is missing"
                        : "one FILE expected but got " + positional.size() + ": " + String.join(" ", positional));
            }
            return new Options(Path.of(positional.get(0)), bind, parentPid, false);
        }

        private static long pid(String text) {
            try {
                long pid = Long.parseLong(text);
                if (pid > 0) {
                    return pid;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException("--parent-pid needs a process id > 0 but got '" + text + "'");
        }

        /** The definition with {@code --bind}'s addresses, if given. */
        ServiceDefinition applyTo(ServiceDefinition definition) {
            if (bind.isEmpty()) {
                return definition;
            }
            try {
                return definition.withAddresses(bind.get().get(0), bind.get().get(1));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--bind: " + e.getMessage());
            }
        }
    }
}
