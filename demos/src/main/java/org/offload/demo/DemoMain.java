package org.offload.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * {@code ./run demo}: starts the processes of the demo — the web front end, the slow-echo worker and
 * {@code --cpu-workers N} (default 2) instances of the cpu worker (each a {@code WorkerLauncher} of a
 * definition file in {@code demos/services/}) — with one passphrase, prefixes their output with their names,
 * waits until the front end answers, and stops them all on Ctrl-C or SIGTERM. The front end may freeze, stop
 * and restart a worker through the supervisor's {@link ControlServer}. Every child also gets {@code --parent-pid}, so none outlives a supervisor
 * killed outright. With {@code --check} it picks free ports, checks every route over HTTP, stops and exits
 * non-zero on any failure.
 *
 * <pre>
 * java org.offload.demo.DemoMain [--check] [--port N] [--worker-ports BASE] [--cpu-workers N] [--services DIR]
 * </pre>
 */
public final class DemoMain {
    /** First of the worker ports: slow-echo PULL and PUB, then PULL and PUB of each cpu worker. */
    public static final int DEFAULT_WORKER_PORTS = 5555;
    /** Where the definition files of the two workers are. */
    public static final Path DEFAULT_SERVICES = Path.of("demos", "services");
    /** How long the three processes may take until the front end and both workers answer. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** How long the children get to exit after SIGTERM before they are killed. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Instances of the cpu worker ({@code --cpu-workers N}), so load spreading and failover can be seen. */
    public static final int DEFAULT_CPU_WORKERS = 2;
    /** Most instances of the cpu worker. */
    public static final int MAX_CPU_WORKERS = 8;
    private static final String WORKER_LAUNCHER = "org.offload.service.WorkerLauncher";
    private static final int EXIT_USAGE = 2;
    /** How often the supervisor looks whether a child exited by itself. */
    private static final Duration EXIT_POLL = Duration.ofMillis(200);

    /** The command line. {@code port} or {@code workerPorts} 0: free ports picked at start. */
    record Options(boolean check, int port, int workerPorts, Path services, int cpuWorkers) {
        Options(boolean check, int port, int workerPorts, Path services) {
            this(check, port, workerPorts, services, DEFAULT_CPU_WORKERS);
        }

        static Options parse(String[] argv) {
            Options o = new Options(false, WebFrontEnd.DEFAULT_PORT, DEFAULT_WORKER_PORTS, DEFAULT_SERVICES);
            Args args = new Args(argv);
            while (args.hasNext()) {
                String option = args.next();
                o = switch (option) {
                    case "--check" -> new Options(true, o.port, o.workerPorts, o.services, o.cpuWorkers);
                    case "--port" -> new Options(o.check, args.intValue(option, 0, 65535), o.workerPorts, o.services,
                            o.cpuWorkers);
                    case "--worker-ports" -> new Options(o.check, o.port, args.intValue(option, 0, 65535), o.services,
                            o.cpuWorkers);
                    case "--services" -> new Options(o.check, o.port, o.workerPorts, Path.of(args.value(option)),
                            o.cpuWorkers);
                    case "--cpu-workers" -> new Options(o.check, o.port, o.workerPorts, o.services,
                            args.intValue(option, 1, MAX_CPU_WORKERS));
                    default -> throw new Args.UsageException("unknown option '" + option + "'");
                };
            }
            if (o.workerPorts + o.workerPortCount() - 1 > 65535) {
                throw new Args.UsageException("--worker-ports " + o.workerPorts + " leaves no room for the "
                        + o.workerPortCount() + " worker ports (the last would be " + (o.workerPorts + o.workerPortCount() - 1)
                        + ", above 65535)");
            }
            return o;
        }

        /** How many ports the workers take from {@code workerPorts} on: slow-echo's two, two per cpu worker. */
        int workerPortCount() {
            return 2 + 2 * cpuWorkers;
        }
    }

    private final PrintStream out;
    private final Children children;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile ControlServer control;

    DemoMain(PrintStream out) {
        this.out = out;
        this.children = new Children(out);
    }

    public static void main(String[] argv) throws Exception {
        Options options;
        try {
            options = Options.parse(argv);
            for (String file : List.of("slow-echo.service", "cpu.service")) {
                if (!Files.isReadable(options.services().resolve(file))) {
                    throw new Args.UsageException("no " + file + " in " + options.services().toAbsolutePath()
                            + " (give the folder with --services DIR)");
                }
            }
        } catch (Args.UsageException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println("usage: DemoMain [--check] [--port N] [--worker-ports BASE] [--cpu-workers N] [--services DIR]");
            System.exit(EXIT_USAGE);
            return;
        }
        DemoMain demo = new DemoMain(System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stop, "demo-shutdown"));
        System.exit(demo.run(options));
    }

    /** Runs the demo (until a child exits by itself) or the check; returns the exit status. */
    int run(Options options) throws IOException, InterruptedException {
        int port = options.port() == 0 || options.check() ? freePorts(1).get(0) : options.port();
        List<Integer> ports = options.workerPorts() == 0 || options.check() ? freePorts(options.workerPortCount())
                : IntStream.range(0, options.workerPortCount()).map(i -> options.workerPorts() + i).boxed().toList();
        Endpoint slowEcho = new Endpoint(Endpoint.address(ports.get(0)), Endpoint.address(ports.get(1)));
        String passphrase = passphrase();
        String token = randomToken();
        Map<String, String> env = Map.of(WebFrontEnd.PASSPHRASE_VARIABLE, passphrase);
        startWorker("slow-echo", options.services().resolve("slow-echo.service"), slowEcho, env);
        List<String> web = new ArrayList<>(List.of("org.offload.demo.WebFrontEnd", "--port", String.valueOf(port),
                "--slow-echo", slowEcho.pull(), slowEcho.pub()));
        for (int i = 0; i < options.cpuWorkers(); i++) {
            Endpoint cpu = new Endpoint(Endpoint.address(ports.get(2 + 2 * i)), Endpoint.address(ports.get(3 + 2 * i)));
            startWorker("cpu-" + (i + 1), options.services().resolve("cpu.service"), cpu, env);
            web.addAll(List.of("--cpu", cpu.pull(), cpu.pub()));
        }
        control = new ControlServer(children, token);
        web.addAll(List.of("--control", control.uri().toString()));
        start(new Children.Spec("web", command(web), Map.of(WebFrontEnd.PASSPHRASE_VARIABLE, passphrase,
                ControlServer.TOKEN_VARIABLE, token), false));
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        Optional<String> notReady = awaitReady(base);
        if (notReady.isPresent()) {
            out.println("[demo] not ready: " + notReady.get());
            stop();
            return 1;
        }
        if (options.check()) {
            int failures = new DemoCheck(base, out).run();
            stop();
            out.println("[demo] check " + (failures == 0 ? "passed" : "FAILED: " + failures + " failure(s)"));
            return failures == 0 ? 0 : 1;
        }
        out.println("[demo] ready: open " + base + "demo  (the live page; " + base + " lists every route;"
                + " Ctrl-C stops all " + children.all().size() + " processes)");
        return awaitAnyExit();
    }

    private void startWorker(String name, Path definition, Endpoint bind, Map<String, String> env) throws IOException {
        start(new Children.Spec(name, command(List.of(WORKER_LAUNCHER, definition.toString(), "--bind", bind.pull(),
                bind.pub())), env, true));
    }

    private static List<String> command(List<String> mainAndArgs) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        command.addAll(List.of("--parent-pid", String.valueOf(ProcessHandle.current().pid())));
        return command;
    }

    private void start(Children.Spec spec) throws IOException {
        Child child = children.start(spec);
        out.println("[demo] started " + child);
    }

    /** Polls {@code /health} until it answers 200; empty when ready, else why not. */
    private Optional<String> awaitReady(URI base) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(5)).build();
        long end = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() - end < 0) {
            Optional<Child> dead = children.exitedByItself();
            if (dead.isPresent()) {
                return Optional.of(dead.get() + " exited with status " + dead.get().process().exitValue());
            }
            try {
                HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return Optional.empty();
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        return Optional.of(base.resolve("/health") + " did not answer 200 within " + READY_TIMEOUT.toSeconds()
                + " s (last: " + last + ")");
    }

    /** Waits until a child exits by itself (the others are then stopped by the shutdown hook). */
    private int awaitAnyExit() throws InterruptedException {
        Optional<Child> dead = children.exitedByItself();
        while (dead.isEmpty() && !stopping.get()) {
            Thread.sleep(EXIT_POLL.toMillis()); // children come and go (stop, start): poll the current ones
            dead = children.exitedByItself();
        }
        if (stopping.get()) {
            return 0;
        }
        out.println("[demo] " + dead.get() + " exited with status " + dead.get().process().exitValue()
                + "; stopping the others");
        return 1;
    }

    /** SIGTERM to every child at once, a bounded wait, then SIGKILL for those still running. Idempotent. */
    void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        if (control != null) {
            control.close();
        }
        children.thawAll();
        List<Child> all = children.all();
        all.forEach(Child::terminate);
        for (Child child : all) {
            try {
                if (!child.awaitExit(STOP_TIMEOUT)) {
                    out.println("[demo] " + child + " did not exit within " + STOP_TIMEOUT.toSeconds() + " s; killed it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.println("[demo] stopped " + all.size() + " processes");
    }

    /** A random token for the control port. */
    private static String randomToken() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The user's passphrase, or a fresh random one for this run (never printed). */
    private static String passphrase() {
        String own = System.getenv(WebFrontEnd.PASSPHRASE_VARIABLE);
        if (own != null && !own.isBlank()) {
            return own;
        }
        return randomToken();
    }

    /** {@code n} distinct ports that were free a moment ago (the OS's ephemeral range). */
    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
