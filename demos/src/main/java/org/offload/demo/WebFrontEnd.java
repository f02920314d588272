package org.offload.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.offload.client.ServiceClient;
import org.offload.client.TaskRegistry;
import org.offload.service.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's web front end: a JDK {@link HttpServer} whose handlers run on virtual threads and call the
 * slow-echo and cpu workers through one application-wide {@link ServiceClient}, with a {@link TaskRegistry}
 * for the task routes. Routes: see {@link IndexPage#LINKS}; the live page is {@link DemoPage} ({@code /demo}).
 *
 * <pre>
 * OFFLOAD_PASSPHRASE=... java org.offload.demo.WebFrontEnd [--host H] [--port N]
 *     [--slow-echo PULL PUB] [--cpu PULL PUB]... [--control URI] [--parent-pid N]
 * </pre>
 */
public final class WebFrontEnd implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebFrontEnd.class);

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 6767;
    /** The slow-echo worker's addresses unless given (as in {@code demos/services/slow-echo.service}). */
    static final Endpoint DEFAULT_SLOW_ECHO = Endpoint.loopback(5555);
    /** The cpu worker's addresses unless given (as in {@code demos/services/cpu.service}). */
    static final Endpoint DEFAULT_CPU = Endpoint.loopback(5557);
    /** The name the front end calls the cpu workers by (all instances of one service). */
    static final String CPU_SERVICE = "cpu";
    /** Environment variable holding the passphrase the workers share. */
    public static final String PASSPHRASE_VARIABLE = "OFFLOAD_PASSPHRASE";
    /** Time a worker call may take beyond the work it asks for (e.g. iostat's waits). */
    static final Duration CALL_MARGIN = Duration.ofSeconds(10);
    /** How long the HTTP server gives exchanges in progress when it stops, in seconds. */
    static final int STOP_DELAY_SECONDS = 1;

    /**
     * Where to listen, where the workers are (every {@code cpu} endpoint is one instance of service
     * {@value #CPU_SERVICE}) and the supervisor's control port, if any. {@code port} 0 picks a free port.
     */
    record Settings(String host, int port, Endpoint slowEcho, List<Endpoint> cpu, OptionalLong parentPid,
                    Optional<URI> control) {
        Settings {
            cpu = List.copyOf(cpu);
            if (cpu.isEmpty()) {
                throw new IllegalArgumentException("at least one cpu worker is needed");
            }
        }

        /** One cpu worker, no supervisor. */
        Settings(String host, int port, Endpoint slowEcho, Endpoint cpu, OptionalLong parentPid) {
            this(host, port, slowEcho, List.of(cpu), parentPid, Optional.empty());
        }

        static Settings defaults() {
            return new Settings(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SLOW_ECHO, DEFAULT_CPU, OptionalLong.empty());
        }

        static Settings parse(String[] argv) {
            Settings s = defaults();
            List<Endpoint> cpu = new ArrayList<>();
            Args args = new Args(argv);
            while (args.hasNext()) {
                String option = args.next();
                switch (option) {
                    case "--host" -> s = new Settings(args.value(option), s.port, s.slowEcho, s.cpu, s.parentPid, s.control);
                    case "--port" -> s = new Settings(s.host, args.intValue(option, 0, 65535), s.slowEcho, s.cpu,
                            s.parentPid, s.control);
                    case "--slow-echo" -> s = new Settings(s.host, s.port, new Endpoint(args.value(option),
                            args.value(option)), s.cpu, s.parentPid, s.control);
                    case "--cpu" -> cpu.add(new Endpoint(args.value(option), args.value(option)));
                    case "--parent-pid" -> s = new Settings(s.host, s.port, s.slowEcho, s.cpu,
                            OptionalLong.of(args.pidValue(option)), s.control);
                    case "--control" -> s = new Settings(s.host, s.port, s.slowEcho, s.cpu, s.parentPid,
                            Optional.of(URI.create(args.value(option))));
                    default -> throw new Args.UsageException("unknown option '" + option + "'");
                }
            }
            return cpu.isEmpty() ? s : new Settings(s.host, s.port, s.slowEcho, cpu, s.parentPid, s.control);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final ServiceClient client;
    private final TaskRegistry tasks;
    private final RecentReplies replies = new RecentReplies();
    private final TaskLog taskLog = new TaskLog();
    private final Renders renders = new Renders();
    private Optional<SupervisorControl> control = Optional.empty();
    private WorkerWatch workers;

    private WebFrontEnd(Settings settings, String passphrase) throws IOException {
        client = ServiceClient.builder().name("web")
                .nowaitTtl(SlowEcho.MAX_DELAY.plus(SlowEchoRoute.SYNC_MARGIN))
                .build();
        executor = Executors.newVirtualThreadPerTaskExecutor();
        tasks = TaskRegistry.create(client);
        try {
            client.register(settings.slowEcho().service(), settings.slowEcho().pull(), settings.slowEcho().pub(), passphrase);
            for (Endpoint cpu : settings.cpu()) {
                client.register(CPU_SERVICE, cpu.pull(), cpu.pub(), passphrase);
            }
            control = settings.control().map(uri -> new SupervisorControl(uri,
                    Optional.ofNullable(System.getenv(ControlServer.TOKEN_VARIABLE)).orElse("")));
            List<WorkerWatch.Watched> watched = new ArrayList<>(List.of(new WorkerWatch.Watched("slow-echo", settings.slowEcho())));
            settings.cpu().forEach(cpu -> watched.add(new WorkerWatch.Watched(CPU_SERVICE, cpu)));
            workers = new WorkerWatch(watched, passphrase, control);
            client.onResponse("^" + SlowEchoRoute.ASYNC_PATH + "$",
                    (request, reply) -> replies.add(request.path(), reply.status(), reply.body().text()));
            client.onError((service, request, error) -> replies.add(request.path(), error.status(), error.getMessage()));
            server = listen(settings.host(), settings.port());
        } catch (IOException | RuntimeException e) {
            if (workers != null) {
                workers.close();
            }
            close(tasks, client, executor);
            throw e;
        }
        server.setExecutor(executor);
        for (Route route : routes(settings)) {
            server.createContext(route.context(), route);
        }
    }

    /** Binds the HTTP port; a busy one fails with a message that names it and says what to do. */
    static HttpServer listen(String host, int port) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (BindException e) {
            BindException named = new BindException("cannot listen on " + host + ":" + port
                    + ": address already in use - is another demo running? Pick another port with --port N");
            named.initCause(e);
            throw named;
        }
    }

    private List<Route> routes(Settings s) {
        return List.of(
                new IndexPage(replies),
                new DemoPage(),
                new DemoStateRoute(tasks, taskLog, replies, workers),
                new WorkerActionRoute(control),
                new RenderRoute(client, CPU_SERVICE, renders),
                SlowEchoRoute.sync(client, s.slowEcho()),
                SlowEchoRoute.async(client, s.slowEcho()),
                new ForwardRoute(client, CPU_SERVICE, "/v1/uptime",
                        web -> new ForwardRoute.Forward(Request.of("/v1/uptime", Request.DEFAULT_METHOD), CALL_MARGIN)),
                new ForwardRoute(client, CPU_SERVICE, "/v1/iostat", WebFrontEnd::ioStat),
                new TaskSubmitRoute(client, tasks, taskLog, CPU_SERVICE, TaskSubmitRoute.IOSTAT_PATH, WebFrontEnd::ioStatTask),
                new TaskSubmitRoute(client, tasks, taskLog, CPU_SERVICE, TaskSubmitRoute.PRIMES_PATH, WebFrontEnd::primesTask),
                new TaskRoute(tasks),
                new MandelbrotRoute(client, CPU_SERVICE),
                new HealthRoute(client, s.slowEcho(), CPU_SERVICE));
    }

    private static ForwardRoute.Forward ioStatTask(WebRequest web) {
        IoStatParams params = IoStatParams.parse(web::param);
        return new ForwardRoute.Forward(Request.json(TaskSubmitRoute.IOSTAT_PATH, Request.DEFAULT_METHOD, params.toJson()),
                params.duration().plus(CALL_MARGIN));
    }

    private static ForwardRoute.Forward primesTask(WebRequest web) {
        Duration seconds = PrimeCount.seconds(web.param("seconds"));
        return new ForwardRoute.Forward(Request.json(TaskSubmitRoute.PRIMES_PATH, Request.DEFAULT_METHOD,
                Map.of("seconds", seconds.toSeconds())), seconds.plus(CALL_MARGIN));
    }

    private static ForwardRoute.Forward ioStat(WebRequest web) {
        IoStatParams params = IoStatParams.parse(web::param);
        return new ForwardRoute.Forward(Request.json("/v1/iostat", Request.DEFAULT_METHOD, params.toJson()),
                params.duration().plus(CALL_MARGIN));
    }

    /** Starts the front end: binds the HTTP port and registers the workers (which may start later). */
    public static WebFrontEnd start(Settings settings, String passphrase) throws IOException {
        WebFrontEnd web = new WebFrontEnd(settings, passphrase);
        web.server.start();
        web.workers.start();
        log.info("web - listening on http://{}:{}/ (slow-echo {}, cpu {})", settings.host(), web.port(),
                settings.slowEcho().pull(), settings.cpu().stream().map(Endpoint::pull).toList());
        return web;
    }

    /** The HTTP port (the one picked when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops the HTTP server, cancels the running tasks, closes the client. Idempotent. */
    @Override
    public void close() {
        server.stop(STOP_DELAY_SECONDS);
        workers.close();
        close(tasks, client, executor);
    }

    private static void close(TaskRegistry tasks, ServiceClient client, ExecutorService executor) {
        tasks.close();
        client.close();
        executor.shutdownNow();
    }

    public static void main(String[] argv) {
        Settings settings;
        try {
            settings = Settings.parse(argv);
        } catch (Args.UsageException e) {
            System.err.println("web: " + e.getMessage());
            System.err.println("usage: WebFrontEnd [--host H] [--port N] [--slow-echo PULL PUB] [--cpu PULL PUB]... [--control URI] [--parent-pid N]");
            System.exit(2);
            return;
        }
        Optional<String> passphrase = Optional.ofNullable(System.getenv(PASSPHRASE_VARIABLE)).filter(p -> !p.isBlank());
        if (passphrase.isEmpty()) {
            System.err.println("web: set " + PASSPHRASE_VARIABLE + " to the workers' passphrase");
            System.exit(2);
            return;
        }
        settings.parentPid().ifPresent(pid -> ParentWatch.exitWhenGone("web", pid));
        try {
            WebFrontEnd web = start(settings, passphrase.get());
            Runtime.getRuntime().addShutdownHook(new Thread(web::close, "web-shutdown"));
            System.out.println("web: open http://" + settings.host() + ":" + web.port() + "/");
        } catch (IOException | RuntimeException e) {
            System.err.println("web: cannot start: " + e.getMessage());
            System.exit(1);
        }
    }
}
