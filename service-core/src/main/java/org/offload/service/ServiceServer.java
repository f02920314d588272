package org.offload.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.offload.service.internal.Checks;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service instance: binds a PULL socket (requests in) and an XPUB socket (replies out), checks every
 * request's passphrase proof, routes it by path regex + METHOD to a handler on a bounded worker pool and
 * publishes the reply to the calling client.
 *
 * <pre>{@code
 * try (ServiceServer server = ServiceServer.builder()
 *         .name("slow-echo")
 *         .bind("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556")
 *         .passphrase(System.getenv("OFFLOAD_PASSPHRASE"))
 *         .route("^/service/slow$", "request", call -> Reply.json(Map.of("echo", call.json())))
 *         .build()
 *         .start()) {
 *     server.awaitTermination(Duration.ofDays(365));
 * }
 * }</pre>
 */
public final class ServiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);

    /** Name used in logs and errors unless one is set. */
    public static final String DEFAULT_NAME = "offload-service";
    /** Worker threads: one per core, for CPU-bound handlers. */
    public static final int DEFAULT_WORKERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Requests that may wait for a worker before new ones are answered 429 (busy). */
    public static final int DEFAULT_QUEUE_CAPACITY = 1_000;
    /** Largest frame accepted on the PULL socket; a peer that sends more is disconnected by ZeroMQ. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /** How far a request's timestamp may be from this clock. */
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofSeconds(30);
    /** Replies that may wait for their client's subscription (slow joiner) or for room under the HWM. */
    public static final int DEFAULT_MAX_PARKED_REPLIES = 10_000;
    /** How long a reply to a request without a deadline may stay parked. */
    public static final Duration DEFAULT_PARK_TIMEOUT = Duration.ofSeconds(10);
    /**
     * High-water mark of the PUB socket, per subscriber, in messages. Above twice a client's default
     * in-flight cap ({@code ServiceClient.DEFAULT_MAX_PENDING_CALLS}, 65,536; each call may get an interim
     * and a final reply), so a client that reads never reaches it; a subscriber that stops reading loses
     * its own replies past it, and nobody else's.
     */
    public static final int DEFAULT_SEND_HWM = 131_072;
    /** High-water mark of the PULL socket, per connected client, in messages. */
    public static final int DEFAULT_RECEIVE_HWM = 10_000;
    /** How long {@link #close()} lets in-flight work finish before cancelling it. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(1);
    /** How long closing sockets may spend sending what is queued. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(200);
    /**
     * How long a connection may take to finish the ZeroMQ handshake (greeting and security handshake up to
     * READY), whatever stage it stalls in.
     */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Connections each socket (PULL, PUB) keeps open at most; a client process needs one on each. Beyond it
     * the oldest connection still handshaking is closed, or the new one when all have finished. Keep twice
     * it well under the process's file-descriptor limit.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 1_000;
    /**
     * Connections each socket keeps open from one IP address, so that one host cannot take every slot:
     * enough for that many client processes on one host.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 100;
    /**
     * Bytes of request frames that may wait for the receiver, across all connections, before their proofs
     * are checked (each frame counted with 128 bytes of overhead). A frame that does not fit is dropped with
     * its message, and the connection holding the most bytes of an unfinished multipart message is closed.
     */
    public static final int DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;
    /**
     * ZMTP heartbeat interval on both sockets; a peer silent for three intervals is disconnected (a dead
     * client's subscription is then dropped).
     */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Handlers run on platform worker threads unless {@code virtualThreads(true)}. */
    public static final boolean DEFAULT_VIRTUAL_THREADS = false;
    /**
     * Least time between two progress replies (status 110) of one call: a handler reporting more often has
     * its reports coalesced, the latest one sent (PROTOCOL.md section 11).
     */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMillis(100);
    /** A 500 reply names only the failed path unless {@code exposeErrorDetails(true)}. */
    public static final boolean DEFAULT_EXPOSE_ERROR_DETAILS = false;
    /**
     * Time kept in hand for a reply to reach its caller before its deadline (see {@link Builder#deadlineMargin}):
     * covers the request's and the reply's transit and a moving estimate's error.
     */
    public static final Duration DEFAULT_DEADLINE_MARGIN = Duration.ofMillis(20);
    /**
     * Plaintext by default. {@link Encryption#CURVE} (keys derived from the passphrase) encrypts every
     * connection, but JeroMQ 0.6.0's CURVE loses a message that meets a full receive queue and costs CPU (with
     * jnacl-over-bouncycastle 1.1-1.6 times a small call's, 4 times a 16 KiB one's; README, Security): turn it
     * on where others can see the network.
     */
    public static final Encryption DEFAULT_ENCRYPTION = Encryption.NONE;

    /**
     * Most bytes of notifications ({@link #publish}) waiting for the publishing thread, each counted with 128
     * bytes of overhead; a notification beyond it is dropped and counted ({@link NotifierStats#dropped()}).
     */
    public static final int MAX_QUEUED_NOTIFICATION_BYTES = 16 * 1024 * 1024;

    /**
     * The largest notification body {@link #publish} takes, 1 MiB: every subscriber gets every notification,
     * so each must take frames this large (a client subscribes only if its {@code maxMessageBytes} is at
     * least this); events, not bulk data.
     */
    public static final int MAX_NOTIFICATION_BODY_BYTES = Wire.MAX_NOTIFICATION_BODY_BYTES;

    private enum State { NEW, RUNNING, CLOSED }

    private final Settings settings;
    private final Object lock = new Object();
    private final AtomicReference<AutoCloseable> owned;
    private State state = State.NEW;
    private ServerIo io;

    private ServiceServer(Settings settings, AutoCloseable owned) {
        this.settings = settings;
        this.owned = new AtomicReference<>(owned);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds both sockets and starts serving. Throws {@link ServiceStartException} when an address fails. */
    public ServiceServer start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException(settings.name() + " - start() may be called once; state is " + state);
            }
            // JeroMQ turns a pending interrupt into EINTR in bind(): set it aside, keep it for the caller
            boolean interrupted = Thread.interrupted();
            try {
                io = ServerIo.open(settings);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            state = State.RUNNING;
        }
        io.start();
        log.info("{} - serving on PULL {} and PUB {} with {} routes, {} workers, encryption {}", settings.name(),
                io.pullAddress(), io.pubAddress(), settings.routes().size(), settings.workers(), settings.encryption());
        return this;
    }

    public String name() {
        return settings.name();
    }

    /** The PULL address actually bound (an ephemeral {@code :*} port resolved). */
    public String pullAddress() {
        return running().pullAddress();
    }

    /** The PUB address actually bound. */
    public String pubAddress() {
        return running().pubAddress();
    }

    /**
     * This run's instance id: 16 lowercase hex digits drawn at random when the instance starts, so a restart
     * gets a new one. Clients learn it from the instance's liveness pong and bind their requests to it
     * (PROTOCOL.md section 17).
     */
    public String instanceId() {
        return running().instanceId();
    }

    /** True between {@link #start()} and the end of {@link #stop}. */
    public boolean isRunning() {
        synchronized (lock) {
            return state == State.RUNNING && !io.isTerminated();
        }
    }

    /**
     * Why this server stopped on its own, if it did: a JeroMQ thread of its context died (for example of an
     * {@link OutOfMemoryError}), or one of its own threads failed. It then logged the cause at ERROR and
     * stopped at once; {@link #isRunning()} is false. Empty while it runs and after an ordinary stop.
     */
    public Optional<Throwable> failure() {
        ServerIo current;
        synchronized (lock) {
            current = io;
        }
        return current == null ? Optional.empty() : Optional.ofNullable(current.failure());
    }

    public ServerStats stats() {
        ServerIo current;
        synchronized (lock) {
            current = io;
        }
        return current == null ? new ServerCounters().snapshot() : current.stats();
    }

    /**
     * Publishes a notification on {@code topic} to every client subscribed to this service with a matching
     * topic prefix (PROTOCOL.md section 20): at most once, in publish order, to subscribers whose subscription
     * this instance has already seen (no history). Thread-safe and never blocks (a handler may call it): the
     * event is queued for the publishing thread; true when queued, false when dropped and counted because
     * {@link #MAX_QUEUED_NOTIFICATION_BYTES} are already queued or the server is stopping. Throws
     * {@link IllegalArgumentException} for an empty topic, one above 255 UTF-8 bytes, or a body above {@link #MAX_NOTIFICATION_BODY_BYTES},
     * and {@link IllegalStateException} before {@link #start()}.
     */
    public boolean publish(String topic, Body body) {
        return running().publish(topic, body);
    }

    /** This instance's notification counters (zeros before {@link #start()}). */
    public NotifierStats notifierStats() {
        ServerIo current;
        synchronized (lock) {
            current = io;
        }
        return current == null ? new NotifierStats(0, 0, 0) : current.notifierStats();
    }

    /** What the XPUB holds of its subscribers now (tests and diagnostics; not public API). */
    ReplyPublisher.SubscriptionState subscriptionState() {
        return running().subscriptionState();
    }

    /**
     * Stops gracefully: new requests are answered 503, in-flight work gets up to {@code drainTimeout} to
     * finish and have its replies published; what is left is cancelled and answered 503, and its handlers
     * are interrupted and get up to a second to return. Idempotent; a second call with a shorter drain
     * shortens the one under way. Returns within {@code drainTimeout} plus the socket linger plus 1.5 s.
     */
    public void stop(Duration drainTimeout) {
        Checks.notNegative("drainTimeout", drainTimeout);
        ServerIo current;
        synchronized (lock) {
            current = io;
            state = State.CLOSED;
        }
        try {
            if (current == null) {
                return; // never started, or start() failed: nothing to stop
            }
            current.stop(drainTimeout);
            long waitMs = drainTimeout.plus(settings.linger()).toMillis() + ServerIo.WORKER_EXIT_WAIT_MS + 500;
            if (!current.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
                log.error("{} - I/O thread did not end within {} ms; leaving it", settings.name(), waitMs);
            }
        } finally {
            AutoCloseable mine = owned.getAndSet(null); // after the handlers: they may still call through it
            if (mine != null) {
                closeQuietly(settings.name(), mine);
            }
        }
    }

    /** Closes what a server owns (the caller a definition's CALLS lines opened), logging a failure. */
    static void closeQuietly(String name, AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("{} - closing {} failed: {}", name, c, e.toString());
        }
    }

    /** {@link #stop(Duration)} with the configured drain timeout (default {@link #DEFAULT_DRAIN_TIMEOUT}). */
    @Override
    public void close() {
        stop(settings.drainTimeout());
    }

    /** Waits until the server has stopped; true if it did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        ServerIo current;
        synchronized (lock) {
            current = io;
        }
        if (current == null) {
            return true;
        }
        return current.awaitTerminationInterruptibly(timeout.toMillis());
    }

    private ServerIo running() {
        synchronized (lock) {
            if (io == null) {
                throw new IllegalStateException(settings.name() + " - not started");
            }
            return io;
        }
    }

    @Override
    public String toString() {
        return "ServiceServer[" + settings.name() + ", " + state + "]";
    }

    /** The running instance (tests). */
    ServerIo io() {
        return running();
    }

    /** What this server was built with (tests, and the definition file's settings). */
    Settings settings() {
        return settings;
    }

    /** Settings of a built server. */
    record Settings(String name, String pullAddress, String pubAddress, Proof proof, List<Router.Route> routes,
                    int workers, int queueCapacity, boolean virtualThreads, int maxMessageBytes,
                    Duration replayWindow, int maxParkedReplies, Duration parkTimeout, int sendHwm, int receiveHwm,
                    Duration drainTimeout, Duration linger, Duration handshakeTimeout, Duration heartbeatInterval,
                    boolean exposeErrorDetails, Duration deadlineMargin, Optional<ServiceCaller> caller,
                    int maxConnections, int maxConnectionsPerPeer, int maxQueuedBytes, Encryption encryption,
                    CurveKeys curveKeys, Duration progressInterval, ServerObserver observer) {
    }

    /** Builds a {@link ServiceServer}; each option is checked when it is set. Sealed once built. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String pullAddress;
        private String pubAddress;
        private Proof proof;
        private CurveKeys curveKeys;
        private Encryption encryption = DEFAULT_ENCRYPTION;
        private final List<Router.Route> routes = new ArrayList<>();
        private int workers = DEFAULT_WORKERS;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private boolean virtualThreads = DEFAULT_VIRTUAL_THREADS;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Duration replayWindow = DEFAULT_REPLAY_WINDOW;
        private int maxParkedReplies = DEFAULT_MAX_PARKED_REPLIES;
        private Duration parkTimeout = DEFAULT_PARK_TIMEOUT;
        private int sendHwm = DEFAULT_SEND_HWM;
        private int receiveHwm = DEFAULT_RECEIVE_HWM;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration linger = DEFAULT_LINGER;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private boolean exposeErrorDetails = DEFAULT_EXPOSE_ERROR_DETAILS;
        private Duration deadlineMargin = DEFAULT_DEADLINE_MARGIN;
        private Optional<ServiceCaller> caller = Optional.empty();
        private AutoCloseable closeOnStop;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
        private int maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        private ServerObserver observer = ServerObserver.NONE;
        private boolean built;

        private Builder() {}

        public Builder name(String name) {
            check();
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /** The PULL (requests in) and PUB (replies out) addresses, e.g. {@code tcp://127.0.0.1:5555}. */
        public Builder bind(String pullAddress, String pubAddress) {
            check();
            this.pullAddress = Checks.notBlank("pullAddress", pullAddress);
            this.pubAddress = Checks.notBlank("pubAddress", pubAddress);
            if (pullAddress.equals(pubAddress) && !pullAddress.endsWith(":*")) {
                throw new IllegalArgumentException("pullAddress and pubAddress must differ but both were " + pullAddress);
            }
            return this;
        }

        /** The shared passphrase; it never leaves this process and is never logged. */
        public Builder passphrase(String passphrase) {
            check();
            this.proof = new Proof(passphrase);
            this.curveKeys = CurveKeys.derive(passphrase);
            return this;
        }

        /**
         * How connections are protected (default {@link #DEFAULT_ENCRYPTION}): CURVE keys derived from the
         * passphrase, or {@link Encryption#NONE} for plaintext. Clients must use the same.
         */
        public Builder encryption(Encryption encryption) {
            check();
            this.encryption = Objects.requireNonNull(encryption, "encryption");
            return this;
        }

        /**
         * Routes requests whose path matches {@code pathRegex} at its start (use {@code ^...$} for an exact
         * match) and whose METHOD is {@code method} to {@code handler}. The first matching route wins.
         */
        public Builder route(String pathRegex, String method, Handler handler) {
            return route(pathRegex, method, handler, Introspection.handlerName(Objects.requireNonNull(handler, "handler")));
        }

        /**
         * A versioned route: like {@link #route(String, String, Handler)}, and a request that asks for a version
         * ({@value RouteVersion#HEADER}{@code : 1.2}) goes to the newest route of its path and METHOD with the
         * same major version and a minor at least the one asked for (PROTOCOL.md section 7, step 11).
         * {@code version} is {@code MAJOR.MINOR}, e.g. {@code 1.3}.
         */
        public Builder route(String pathRegex, String method, String version, Handler handler) {
            RouteVersion v = RouteVersion.parse(version);
            return route(pathRegex, method, handler, Introspection.handlerName(Objects.requireNonNull(handler, "handler")),
                    Optional.of(v));
        }

        /** {@link #route(String, String, Handler)} shown by introspection as {@code handlerName}. */
        Builder route(String pathRegex, String method, Handler handler, String handlerName) {
            return route(pathRegex, method, handler, handlerName, Optional.empty());
        }

        Builder route(String pathRegex, String method, Handler handler, String handlerName, Optional<RouteVersion> version) {
            check();
            Objects.requireNonNull(pathRegex, "pathRegex");
            Objects.requireNonNull(handler, "handler");
            Pattern pattern;
            try {
                pattern = Pattern.compile(pathRegex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pathRegex '" + pathRegex + "' is not a valid regex: "
                        + e.getDescription(), e);
            }
            routes.add(new Router.Route(pattern, Checks.method(method), handler, handlerName, version));
            return this;
        }

        public Builder workers(int workers) {
            check();
            this.workers = Checks.positive("workers", workers);
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            check();
            this.queueCapacity = Checks.positive("queueCapacity", queueCapacity);
            return this;
        }

        /** Runs handlers on virtual threads (for blocking handlers); {@code workers} still bounds concurrency. */
        public Builder virtualThreads(boolean virtualThreads) {
            check();
            this.virtualThreads = virtualThreads;
            return this;
        }

        public Builder maxMessageBytes(int maxMessageBytes) {
            check();
            this.maxMessageBytes = Checks.positive("maxMessageBytes", maxMessageBytes);
            return this;
        }

        public Builder replayWindow(Duration replayWindow) {
            check();
            this.replayWindow = Checks.positive("replayWindow", replayWindow);
            return this;
        }

        public Builder maxParkedReplies(int maxParkedReplies) {
            check();
            this.maxParkedReplies = Checks.positive("maxParkedReplies", maxParkedReplies);
            return this;
        }

        public Builder parkTimeout(Duration parkTimeout) {
            check();
            this.parkTimeout = Checks.positive("parkTimeout", parkTimeout);
            return this;
        }

        public Builder sendHighWaterMark(int messages) {
            check();
            this.sendHwm = Checks.positive("sendHighWaterMark", messages);
            return this;
        }

        public Builder receiveHighWaterMark(int messages) {
            check();
            this.receiveHwm = Checks.positive("receiveHighWaterMark", messages);
            return this;
        }

        public Builder drainTimeout(Duration drainTimeout) {
            check();
            this.drainTimeout = Checks.notNegative("drainTimeout", drainTimeout);
            return this;
        }

        public Builder linger(Duration linger) {
            check();
            this.linger = Checks.notNegative("linger", linger);
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            check();
            this.handshakeTimeout = Checks.positive("handshakeTimeout", handshakeTimeout);
            return this;
        }

        public Builder heartbeatInterval(Duration heartbeatInterval) {
            check();
            this.heartbeatInterval = Checks.positive("heartbeatInterval", heartbeatInterval);
            return this;
        }

        /** Connections each socket keeps open at most ({@link #DEFAULT_MAX_CONNECTIONS}). */
        public Builder maxConnections(int maxConnections) {
            check();
            this.maxConnections = Checks.positive("maxConnections", maxConnections);
            return this;
        }

        /** Connections each socket keeps open from one IP address ({@link #DEFAULT_MAX_CONNECTIONS_PER_PEER}). */
        public Builder maxConnectionsPerPeer(int maxConnectionsPerPeer) {
            check();
            this.maxConnectionsPerPeer = Checks.positive("maxConnectionsPerPeer", maxConnectionsPerPeer);
            return this;
        }

        /**
         * Bytes of request frames that may wait for the receiver before their proofs are checked
         * ({@link #DEFAULT_MAX_QUEUED_BYTES}); at least {@code maxMessageBytes}, checked by {@link #build()}.
         */
        public Builder maxQueuedBytes(int maxQueuedBytes) {
            check();
            this.maxQueuedBytes = Checks.positive("maxQueuedBytes", maxQueuedBytes);
            return this;
        }

        /** Sends a failed handler's exception class and message in 500 replies (never a stack trace). */
        public Builder exposeErrorDetails(boolean expose) {
            check();
            this.exposeErrorDetails = expose;
            return this;
        }

        /**
         * Time kept in hand for a reply to reach its caller: a request is admitted only if the estimated wait
         * for a worker plus the route's estimated work plus this margin fits in its deadline, and a worker
         * runs it only if the work plus this margin still fits; otherwise it is answered 429.
         */
        public Builder deadlineMargin(Duration margin) {
            check();
            this.deadlineMargin = Checks.notNegative("deadlineMargin", margin);
            return this;
        }

        /**
         * What handlers call other services through ({@link Call#callService}), usually the application's
         * {@code ServiceClient}; the server does not close it.
         */
        public Builder caller(ServiceCaller caller) {
            check();
            this.caller = Optional.of(Objects.requireNonNull(caller, "caller"));
            return this;
        }

        /** Something the server closes once it has stopped: the caller a definition's CALLS lines opened. */
        Builder closeOnStop(AutoCloseable closeable) {
            check();
            this.closeOnStop = Objects.requireNonNull(closeable, "closeable");
            return this;
        }

        /** Least time between two progress replies of one call (default {@link #DEFAULT_PROGRESS_INTERVAL}). */
        public Builder progressInterval(Duration progressInterval) {
            check();
            this.progressInterval = Checks.positive("progressInterval", progressInterval);
            return this;
        }

        /**
         * Observes every routed request (metrics, tracing): see {@link ServerObserver}. Default
         * {@link ServerObserver#NONE}. {@code offload-micrometer}'s {@code OffloadObservations} makes one.
         */
        public Builder observer(ServerObserver observer) {
            check();
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public ServiceServer build() {
            check();
            if (pullAddress == null) {
                throw new IllegalStateException(name + " - bind(pullAddress, pubAddress) is required");
            }
            if (proof == null) {
                throw new IllegalStateException(name + " - passphrase(...) is required");
            }
            if (routes.isEmpty()) {
                throw new IllegalStateException(name + " - at least one route(...) is required");
            }
            if (maxQueuedBytes < maxMessageBytes) {
                throw new IllegalStateException(name + " - maxQueuedBytes must be >= maxMessageBytes (" + maxMessageBytes
                        + ") but was " + maxQueuedBytes);
            }
            built = true;
            return new ServiceServer(new Settings(name, pullAddress, pubAddress, proof, List.copyOf(routes), workers,
                    queueCapacity, virtualThreads, maxMessageBytes, replayWindow, maxParkedReplies, parkTimeout,
                    sendHwm, receiveHwm, drainTimeout, linger, handshakeTimeout, heartbeatInterval, exposeErrorDetails,
                    deadlineMargin, caller, maxConnections, maxConnectionsPerPeer, maxQueuedBytes, encryption,
                    curveKeys, progressInterval, observer), closeOnStop);
        }

        private void check() {
            if (built) {
                throw new IllegalStateException("this builder already built a server; use a new builder");
            }
        }
    }
}
