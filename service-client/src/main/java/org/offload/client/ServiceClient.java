package org.offload.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.offload.service.BusyException;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Encryption;
import org.offload.service.ObservedCall;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceCaller;
import org.offload.service.ServiceEndpoint;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Checks;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Offload services. Create one per application and share it: it is thread-safe, caches registered
 * services, and owns two threads (sender, receiver) with all its sockets. Calls may come from any thread;
 * user threads never touch a socket, so interrupting them is safe. Sync calls are
 * meant for virtual threads, so a web server is never tied up.
 *
 * <pre>{@code
 * try (ServiceClient client = ServiceClient.create()) {
 *     client.register("slow-echo", "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556", passphrase);
 *     Reply reply = client.call("slow-echo", Request.json("/service/slow", "request", Map.of("x", 1)));
 * }
 * }</pre>
 *
 * <p>Delivery: {@code call} and {@code callAsync} end in the reply or a typed {@link ServiceException} by
 * their deadline; {@code send} (nowait) is at most once, its reply or failure going to the handlers set with
 * {@link #onResponse} and {@link #onError}.
 */
public final class ServiceClient implements AutoCloseable, ServiceCaller {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    /** Name used in logs and errors unless one is set. */
    public static final String DEFAULT_NAME = "offload-client";
    /** How long {@code call} and {@code callAsync} wait unless told otherwise. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
    /** How long a nowait request's reply is awaited before its error handler hears of a timeout. */
    public static final Duration DEFAULT_NOWAIT_TTL = Duration.ofSeconds(30);
    /** Calls in flight (sent or waiting for an instance) before new ones fail with {@link BusyException}. */
    public static final int DEFAULT_MAX_PENDING_CALLS = 65_536;
    /** High-water mark of each PUSH socket, in messages. */
    public static final int DEFAULT_SEND_HWM = 10_000;
    /** High-water mark of the SUB socket, in messages. */
    public static final int DEFAULT_RECEIVE_HWM = 100_000;
    /**
     * Largest reply frame accepted: the protocol's default, so requests need not announce it. A client built
     * with another limit announces it in each request ({@value Wire#MAX_REPLY_BYTES}); a service never
     * publishes it a larger frame, which would make ZeroMQ end the connection.
     */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = Wire.DEFAULT_MAX_REPLY_FRAME_BYTES;
    /** First wait before reconnecting to a lost instance. */
    public static final Duration DEFAULT_RECONNECT_INTERVAL = Duration.ofMillis(100);
    /**
     * Longest wait between reconnect attempts (the backoff doubles up to it). Short, so a restarted instance
     * is back within half a second: a refused connect costs next to nothing.
     */
    public static final Duration DEFAULT_RECONNECT_INTERVAL_MAX = Duration.ofMillis(200);
    /**
     * How long a new connection may take to finish the ZeroMQ handshake before it is dropped and retried.
     * Short on purpose: JeroMQ 0.6.0 can stall a fresh connection's handshake until this timer fires.
     */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    /** ZMTP heartbeat interval; an instance silent for three intervals is disconnected and retried. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /**
     * How often the client pings each instance it has heard nothing from (PROTOCOL.md section 17). An
     * instance not yet (or no longer) answering is pinged every {@code LIVENESS_PROBE} instead.
     */
    public static final Duration DEFAULT_LIVENESS_INTERVAL = Duration.ofMillis(500);
    /**
     * An instance heard from neither by pong nor by reply for this long leaves the rotation: its calls in
     * flight fail at once with {@link ServiceUnavailableException} and its connections are recreated.
     */
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofMillis(1_500);
    /** How often a service registered with a {@link Discovery} is looked up again. */
    public static final Duration DEFAULT_DISCOVERY_INTERVAL = Duration.ofSeconds(5);
    /** Longest deadline a call may have: the wire carries it as unsigned 32-bit milliseconds. */
    public static final Duration MAX_DEADLINE = Duration.ofDays(49);
    /** How long {@link #close()} waits for the sender and receiver threads to close the sockets. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** The encryption {@code register} uses when none is given: as the services' default. */
    public static final Encryption DEFAULT_ENCRYPTION = ServiceServer.DEFAULT_ENCRYPTION;

    /** Settings of a built client. */
    record Settings(String name, Duration deadline, Duration nowaitTtl, int maxPendingCalls, int sendHwm,
                    int receiveHwm, int maxMessageBytes, Duration reconnectInterval, Duration reconnectIntervalMax,
                    Duration handshakeTimeout, Duration heartbeatInterval, Duration closeTimeout,
                    Duration livenessInterval, Duration livenessTimeout, Duration discoveryInterval,
                    ClientObserver observer) {
    }

    private final Settings s;
    private final ClientIo io;
    private final Dispatcher dispatcher;
    private final ExecutorService ownedCallbacks;
    private final Map<String, ServiceEntry> services = new ConcurrentHashMap<>();
    private final Map<String, ServiceRef> refs = new ConcurrentHashMap<>();
    private final Map<String, DiscoveryWatcher> watchers = new ConcurrentHashMap<>();
    private final Targets targets = new Targets(this);
    /** Registers and unregisters run one at a time, so the sender thread sees them in the order they ran. */
    private final Object registrations = new Object();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ServiceClient(Settings s, Executor callbacks) {
        this.s = s;
        this.ownedCallbacks = callbacks == null ? Executors.newVirtualThreadPerTaskExecutor() : null;
        this.dispatcher = new Dispatcher(s.name(), callbacks == null ? ownedCallbacks : callbacks, callbacks == null);
        this.io = new ClientIo(s, dispatcher);
    }

    /** A client with every default. */
    public static ServiceClient create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return s.name();
    }

    /** This client's id (hex): the topic its replies are published under. */
    public String clientId() {
        return io.clientId();
    }

    // ---------------------------------------------------------------- registration

    /** Registers an instance under its PULL address as the service name. See {@link #register(String, String, String, String)}. */
    public ServiceRef register(String pullAddress, String pubAddress, String passphrase) {
        return register(pullAddress, pullAddress, pubAddress, passphrase);
    }

    /**
     * Registers the instance a worker's definition file describes, under the file's service name, with the
     * passphrase its PASSPHRASE line names (read now). Throws {@code DefinitionException} when it cannot be read.
     */
    public ServiceRef register(ServiceEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        return register(endpoint.name(), endpoint.pullAddress(), endpoint.pubAddress(), endpoint.passphrase(),
                endpoint.encryption());
    }

    /**
     * Registers service {@code name} with the instances {@code discovery} finds, asked again every
     * {@code discoveryInterval} (default {@link #DEFAULT_DISCOVERY_INTERVAL}): new instances join, vanished
     * ones leave the rotation and close once their calls in flight end. Throws if the first lookup fails.
     */
    public ServiceRef register(String name, Discovery discovery, String passphrase) {
        return register(name, discovery, passphrase, DEFAULT_ENCRYPTION);
    }

    /** {@link #register(String, Discovery, String)} with the service's {@code encryption}. */
    public ServiceRef register(String name, Discovery discovery, String passphrase, Encryption encryption) {
        Checks.notBlank("name", name);
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(encryption, "encryption");
        Proof proof = new Proof(passphrase);
        ClientSecurity security = new ClientSecurity(encryption, CurveKeys.derive(passphrase));
        ensureOpen();
        DiscoveryWatcher watcher = new DiscoveryWatcher(this, s.name(), name, discovery, proof, security,
                s.discoveryInterval());
        if (watchers.putIfAbsent(name, watcher) != null) {
            throw new IllegalArgumentException(s.name() + " - service " + name + " already has a discovery;"
                    + " unregister it first");
        }
        try {
            watcher.start();
        } catch (Exception e) {
            watchers.remove(name, watcher);
            throw new IllegalArgumentException(s.name() + " - discovery of " + name + " failed: " + e, e);
        }
        return refs.computeIfAbsent(name, n -> new ServiceRef(this, n));
    }

    /** Discovery found an instance (its thread). */
    void register(String name, InstanceAddress a, Proof proof, ClientSecurity security) {
        ensureOpen();
        synchronized (registrations) {
            registerLocked(name, a.pullAddress(), a.pubAddress(), proof, security);
        }
    }

    /** Discovery lost an instance: out of the rotation now, closed when its calls in flight end. */
    void retire(String name, String pullAddress) {
        ServiceEntry entry = services.get(name);
        if (entry != null) {
            io.execute(() -> io.sender.retire(entry, pullAddress));
        }
    }

    /**
     * Registers one instance of service {@code name}. Registering the same instance again is a no-op;
     * registering more instances under one name spreads calls across them (least in-flight first). Every
     * instance of a service shares its passphrase.
     */
    public ServiceRef register(String name, String pullAddress, String pubAddress, String passphrase) {
        return register(name, pullAddress, pubAddress, passphrase, DEFAULT_ENCRYPTION);
    }

    /**
     * {@link #register(String, String, String, String)} with the service's {@code encryption}, which must be
     * the one the service uses: CURVE with keys derived from the passphrase, or {@link Encryption#NONE}.
     * With a mismatch the ZeroMQ handshake never completes, and calls fail with
     * {@link ServiceUnavailableException} ("... never connected ... same encryption ...").
     */
    public ServiceRef register(String name, String pullAddress, String pubAddress, String passphrase,
                               Encryption encryption) {
        Checks.notBlank("name", name);
        Checks.notBlank("pullAddress", pullAddress);
        Checks.notBlank("pubAddress", pubAddress);
        Objects.requireNonNull(encryption, "encryption");
        Proof proof = new Proof(passphrase);
        ClientSecurity security = new ClientSecurity(encryption, CurveKeys.derive(passphrase));
        ensureOpen();
        Connections.requireBoundIfInproc(s.name(), name, pullAddress);
        Connections.requireBoundIfInproc(s.name(), name, pubAddress);
        synchronized (registrations) {
            return registerLocked(name, pullAddress, pubAddress, proof, security);
        }
    }

    private ServiceRef registerLocked(String name, String pullAddress, String pubAddress, Proof proof,
                                      ClientSecurity security) {
        ServiceEntry entry = services.computeIfAbsent(name, n -> new ServiceEntry(n, proof, security));
        if (!entry.proof.samePassphrase(proof)) {
            throw new IllegalArgumentException(s.name() + " - service " + name
                    + " is already registered with a different passphrase");
        }
        if (entry.security.encryption() != security.encryption()) {
            throw new IllegalArgumentException(s.name() + " - service " + name + " is already registered with encryption "
                    + entry.security.encryption() + ", not " + security.encryption());
        }
        for (ServiceEntry other : services.values()) {
            if (other != entry && other.instances.stream().anyMatch(i -> i.pullAddress.equals(pullAddress))) {
                throw new IllegalArgumentException(s.name() + " - " + pullAddress + " is already registered as service "
                        + other.name);
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        io.execute(() -> {
            try {
                if (io.isClosed()) {
                    throw new ServiceUnavailableException(s.name() + " - client is closed");
                }
                io.sender.register(entry, pullAddress, pubAddress);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            await(done, "register " + name);
        } catch (RuntimeException e) {
            if (entry.instances.isEmpty()) {
                services.remove(name, entry);
            }
            throw e;
        }
        return refs.computeIfAbsent(name, n -> new ServiceRef(this, n));
    }

    /** Removes a service: its sockets close and its pending calls fail with {@link ServiceUnavailableException}. */
    public boolean unregister(String name) {
        synchronized (registrations) {
            return unregisterLocked(name);
        }
    }

    private boolean unregisterLocked(String name) {
        DiscoveryWatcher watcher = watchers.remove(name);
        if (watcher != null) {
            watcher.close();
        }
        ServiceEntry entry = services.remove(name);
        refs.remove(name);
        if (entry == null) {
            return false;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        io.execute(() -> {
            if (!io.isClosed()) {
                io.sender.unregister(entry);
            }
            done.complete(null);
        });
        await(done, "unregister " + name);
        return true;
    }

    /**
     * Waits until an instance of service {@code name} is in the rotation (it answered a liveness ping, is not
     * stopping and can take a message), so a call made now is sent at once rather than held until an
     * instance answers. A call made before that is safe too: it waits for an instance within its deadline.
     * For start-up checks and tests. True once ready, false when {@code timeout} passed first; throws
     * {@link ServiceUnavailableException} when no such service is registered or the client is closed.
     * {@code timeout} bounds the wait for an instance, counted from when the client's sender thread has
     * looked at the rotation: a service already ready answers true with any timeout, however busy the machine
     * (a sender thread that has not looked within five close timeouts, or {@code timeout} if longer, answers false).
     */
    public boolean awaitReady(String name, Duration timeout) {
        Checks.positive("timeout", timeout);
        ensureOpen();
        ServiceEntry entry = services.get(name);
        if (entry == null) {
            throw new ServiceUnavailableException(s.name() + " - no service named '" + name
                    + "' is registered (registered: " + services.keySet() + ")");
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<Void> looked = new CompletableFuture<>();
        io.execute(() -> {
            try {
                entry.whenReady(ready);
            } finally {
                looked.complete(null);
            }
        });
        try {
            // the hop to the sender thread is not the caller's timeout: on a loaded machine it alone can take
            // longer than a short timeout, and "already ready" must still answer true
            looked.get(Math.max(timeout.toMillis(), s.closeTimeout().toMillis() * 5), TimeUnit.MILLISECONDS);
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException(s.name() + " - interrupted while waiting for " + name + " to be ready");
        } finally {
            if (!ready.isDone()) {
                io.execute(() -> entry.readyWaiters.remove(ready));
            }
        }
    }

    /** The registered service called {@code name}. */
    public Optional<ServiceRef> service(String name) {
        return Optional.ofNullable(refs.get(name));
    }

    /** The PULL addresses of the service's instances. */
    List<String> instances(String name) {
        ServiceEntry e = services.get(name);
        return e == null ? List.of() : e.instances.stream().map(i -> i.pullAddress).toList();
    }

    /** The registered entry of {@code service}, or the 503 a call to it would get. */
    ServiceEntry entry(String service) {
        ServiceEntry entry = services.get(Objects.requireNonNull(service, "service"));
        if (entry == null || closed.get()) {
            throw new ServiceUnavailableException(s.name() + " - " + (closed.get() ? "client is closed"
                    : "no service named '" + service + "' is registered (registered: " + services.keySet() + ")"));
        }
        return entry;
    }

    Settings settings() {
        return s;
    }

    /** Runs {@code command} on the sender thread after the commands queued before it (tests hold the thread so). */
    void onSenderThread(Runnable command) {
        io.execute(command);
    }

    /** Runs {@code command} on the reply receiver thread between two passes (tests hold the thread so). */
    void onReceiverThread(Runnable command) {
        io.receiver.execute(subs -> command.run());
    }

    /** How many times a run of callbacks held up by a blocking one got another virtual thread (tests). */
    long callbackHandOvers() {
        return io.receiver.callbackHandOvers();
    }

    // ---------------------------------------------------------------- calls

    /** Sync call with the default deadline. */
    public Reply call(String service, Request request) {
        return call(service, request, s.deadline());
    }

    /**
     * Sends {@code request} and blocks until its reply or {@code deadline}. Returns a successful (2xx/3xx)
     * reply; anything else throws its typed {@link ServiceException}. Safe from thousands of virtual threads.
     */
    public Reply call(String service, Request request, Duration deadline) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        Pending p = submit(service, request, deadline, CallMode.SYNC, future, null);
        try {
            return future.get(deadline.toMillis() + s.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            log.error("{} - the sender thread missed the deadline of a call to {}", s.name(), service);
            throw new DeadlineExceededException(s.name() + " - " + service + " - no reply to request "
                    + request.path() + " after " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            cancelRemote(p); // the worker's handler stops too
            Thread.currentThread().interrupt();
            throw new CancelledException(s.name() + " - interrupted while waiting for " + request.path());
        }
    }

    /** {@link #callAndHandle(String, Request, Duration, Class)} with the default deadline. */
    public <T> HandledReply<T> callAndHandle(String service, Request request, Class<T> resultType) {
        return callAndHandle(service, request, s.deadline(), resultType);
    }

    /**
     * A sync {@link #call(String, Request, Duration) call} whose successful reply also goes, on this thread,
     * through the response handler registered for its path and METHOD ({@link #onResponse}, {@link #mapResponse}):
     * returns both the reply and what the handler made of it. A failure throws as {@code call} does (error
     * handlers are for nowait requests); a handler's exception reaches the caller, and so does a
     * {@link ClassCastException} when a {@link ResponseFunction} returns something that is not a {@code resultType}.
     */
    public <T> HandledReply<T> callAndHandle(String service, Request request, Duration deadline, Class<T> resultType) {
        Objects.requireNonNull(resultType, "resultType");
        Reply reply = call(service, request, deadline);
        return HandledReply.run(dispatcher.responseHandler(request.path(), reply.method()), request, reply, resultType);
    }

    /** Async call with the default deadline. */
    public CompletableFuture<Reply> callAsync(String service, Request request) {
        return callAsync(service, request, s.deadline());
    }

    /**
     * Sends {@code request}; the future completes (on the callback executor) with a successful reply, or
     * exceptionally with a typed {@link ServiceException}, by {@code deadline}. Failures known at once (no
     * such service, client closed, too many calls in flight) fail the returned future too; only invalid
     * arguments throw. {@code cancel} on the future cancels the call on the worker too.
     */
    public CompletableFuture<Reply> callAsync(String service, Request request, Duration deadline) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        try {
            Pending p = submit(service, request, deadline, CallMode.ASYNC, future, null);
            future.whenComplete((r, t) -> {
                if (t instanceof java.util.concurrent.CancellationException) {
                    cancelRemote(p);
                }
            });
        } catch (ServiceException e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    /**
     * Sends {@code request} without waiting (nowait, at most once). Its reply goes to the response handler
     * registered for its path + METHOD, a later failure to the error handlers. Failures known at once (no
     * such service, client closed, too many calls in flight) throw their {@link ServiceException} here.
     * The handle cancels it, on the worker too.
     */
    public Cancellable send(String service, Request request) {
        Pending p = submit(service, request, s.nowaitTtl(), CallMode.NOWAIT, null, null);
        return () -> cancelRemote(p);
    }

    /**
     * Sends {@code request} asking for no reply at all (a cast, PROTOCOL.md section 19): the handler runs,
     * nothing is published, nothing waits. A failure to send it within the nowait TTL goes to the error handlers.
     */
    public void cast(String service, Request request) {
        submit(service, Targets.cast(request), s.nowaitTtl(), CallMode.CAST, null, null);
    }

    /** A sync call to one instance, named by its instance id or PULL address; no other instance takes it. */
    public Reply callInstance(String service, String instance, Request request, Duration deadline) {
        return targets.callInstance(service, instance, request, deadline);
    }

    /**
     * Calls every registered instance of {@code service} with one deadline for all and gathers each one's
     * outcome, failures included, in registration order.
     */
    public List<InstanceOutcome> fanout(String service, Request request, Duration deadline) {
        return targets.fanout(service, request, deadline);
    }

    /** Casts {@code request} to every registered instance of {@code service}. */
    public void castAll(String service, Request request) {
        targets.castAll(service, request);
    }

    private void cancelRemote(Pending p) {
        io.execute(() -> io.sender.cancel(p));
    }

    /**
     * Sends {@code request} as a cancellable call that asks for "started" and progress: {@code onInterim}
     * sees its interim (1xx) replies in order, on the receiver thread. For the task layer.
     */
    CallHandle start(String service, Request request, Duration deadline, Consumer<Reply> onInterim) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        Pending p = submit(service, request.withHeader("offload-notify", "started,progress"), deadline, CallMode.ASYNC,
                future, onInterim);
        return new CallHandle(future, () -> io.execute(() -> io.sender.cancel(p)));
    }

    /** A started call: its outcome and a way to cancel it. */
    record CallHandle(CompletableFuture<Reply> future, Runnable cancel) {
    }

    private Pending submit(String service, Request request, Duration deadline, CallMode mode,
                           CompletableFuture<Reply> future, Consumer<Reply> interim) {
        return submit(service, request, deadline, mode, future, interim, null);
    }

    /** Queues a call, to {@code target} only when it is not null. */
    Pending submit(String service, Request request, Duration deadline, CallMode mode,
                   CompletableFuture<Reply> future, Consumer<Reply> interim, Instance target) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(request, "request");
        checkDeadline("deadline", deadline);
        ServiceEntry entry = services.get(service);
        if (entry == null || closed.get()) {
            throw new ServiceUnavailableException(s.name() + " - " + (closed.get() ? "client is closed"
                    : "no service named '" + service + "' is registered (registered: " + services.keySet() + ")"));
        }
        int now = io.pendingGauge.incrementAndGet();
        if (now > s.maxPendingCalls()) {
            io.pendingGauge.decrementAndGet();
            throw new BusyException(s.name() + " - too many calls in flight (pending=" + (now - 1) + ", max="
                    + s.maxPendingCalls() + ")");
        }
        Request sent = withReplyLimit(request);
        ObservedCall observed = ObservedCall.NONE;
        if (s.observer() != ClientObserver.NONE) {
            Observing o = Observing.start(s.name(), s.observer(), service, sent);
            sent = o.request();
            observed = o.call();
        }
        Pending p = new Pending(entry, sent, mode, deadline.toMillis(), seq.incrementAndGet(), future, interim, observed);
        p.target = target;
        io.execute(() -> io.sender.enqueue(p));
        return p;
    }

    /** Announces this client's reply frame limit to the service when it is not the protocol's default. */
    private Request withReplyLimit(Request request) {
        return s.maxMessageBytes() == Wire.DEFAULT_MAX_REPLY_FRAME_BYTES ? request
                : request.withHeader(Wire.MAX_REPLY_BYTES, Integer.toString(s.maxMessageBytes()));
    }

    static Duration checkDeadline(String name, Duration value) {
        Checks.positive(name, value);
        if (value.compareTo(MAX_DEADLINE) > 0) {
            throw new IllegalArgumentException(name + " must be <= " + MAX_DEADLINE.toDays() + " days but was "
                    + value.toMillis() + " ms");
        }
        return value;
    }

    static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof ServiceException se) {
            // a fresh exception whose stack shows the caller, with the original as cause
            ServiceException copy = ServiceException.forStatus(se.status(), se.getMessage());
            copy.initCause(se);
            return copy.getClass() == se.getClass() ? copy : se;
        }
        return cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
    }

    // ---------------------------------------------------------------- handlers

    /**
     * Routes nowait replies whose path matches {@code pathRegex} (at its start) and whose METHOD is
     * {@code method} (services answer {@value Reply#DEFAULT_METHOD} unless a handler says otherwise) to
     * {@code handler}. The first matching registration wins.
     */
    public ServiceClient onResponse(String pathRegex, String method, ResponseHandler handler) {
        dispatcher.onResponse(pathRegex, method, handler);
        return this;
    }

    /** {@link #onResponse(String, String, ResponseHandler)} for METHOD {@value Reply#DEFAULT_METHOD}. */
    public ServiceClient onResponse(String pathRegex, ResponseHandler handler) {
        return onResponse(pathRegex, Reply.DEFAULT_METHOD, handler);
    }

    /**
     * Like {@link #onResponse(String, String, ResponseHandler)} for a handler that returns what it made of the
     * reply, which {@link #callAndHandle} gives to its caller. Shares the order of {@code onResponse}.
     */
    public <T> ServiceClient mapResponse(String pathRegex, String method, ResponseFunction<T> handler) {
        dispatcher.onResponse(pathRegex, method, handler);
        return this;
    }

    /**
     * Receives every nowait failure that no per-route error handler ({@link #onError(String, String,
     * ErrorHandler)}) took; every global handler runs, in registration order.
     */
    public ServiceClient onError(ErrorHandler handler) {
        dispatcher.onError(handler);
        return this;
    }

    /**
     * Receives the nowait failures of requests whose path matches {@code pathRegex} (at its start) and whose
     * METHOD is {@code method}. Per-route handlers are tried in registration order and the first match alone
     * runs; a failure none matches goes to the global {@link #onError(ErrorHandler)} handlers.
     */
    public ServiceClient onError(String pathRegex, String method, ErrorHandler handler) {
        dispatcher.onError(pathRegex, method, handler);
        return this;
    }

    /**
     * Subscribes to the notifications of registered service {@code service} whose topic starts with
     * {@code topicPrefix} (empty: every topic; at most 255 UTF-8 bytes). {@code handler} runs on the callback
     * executor, one notification at a time, in the order they arrived (PROTOCOL.md section 20: at most once; only
     * events published after an instance saw the subscription; gaps counted in {@link #notificationStats()}).
     * Close the returned subscription to stop. Throws {@link ServiceUnavailableException} when {@code service}
     * has no registered instance.
     */
    public Subscription subscribe(String service, String topicPrefix, NotificationHandler handler) {
        ensureOpen();
        if (s.maxMessageBytes() < ServiceServer.MAX_NOTIFICATION_BODY_BYTES) {
            // a frame above the SUB's limit ends the connection to that instance, replies included
            throw new IllegalStateException(s.name() + " - maxMessageBytes must be >= "
                    + ServiceServer.MAX_NOTIFICATION_BODY_BYTES + " to subscribe to notifications (a notification"
                    + " body may be that large) but was " + s.maxMessageBytes());
        }
        ServiceEntry entry = services.get(Objects.requireNonNull(service, "service"));
        if (entry == null) {
            throw new ServiceUnavailableException(s.name() + " - cannot subscribe to " + service
                    + ": it is not registered (register it first)");
        }
        return io.notifications.subscribe(entry, topicPrefix, handler);
    }

    public NotificationStats notificationStats() {
        return io.notifications.stats();
    }

    public ClientStats stats() {
        return io.stats(dispatcher.unhandled());
    }

    // ---------------------------------------------------------------- close

    /**
     * Fails every pending call with {@link ServiceUnavailableException} and closes the sockets. Idempotent;
     * returns within the close timeout (default {@link #DEFAULT_CLOSE_TIMEOUT}).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watchers.values().forEach(DiscoveryWatcher::close);
        io.stop();
        if (!io.awaitTermination(s.closeTimeout().toMillis())) {
            log.error("{} - sender thread did not end within {} ms; leaving it", s.name(), s.closeTimeout().toMillis());
        }
        if (ownedCallbacks != null) {
            ownedCallbacks.shutdown();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new ServiceUnavailableException(s.name() + " - client is closed");
        }
    }

    private void await(CompletableFuture<Void> done, String what) {
        try {
            done.get(s.closeTimeout().toMillis() * 5, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new ServiceUnavailableException(s.name() + " - sender thread did not answer '" + what + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException(s.name() + " - interrupted during '" + what + "'");
        }
    }

    @Override
    public String toString() {
        return "ServiceClient[" + s.name() + ", services=" + services.keySet() + "]";
    }

    /** Builds a {@link ServiceClient}; each option is checked when it is set. Sealed once built. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration nowaitTtl = DEFAULT_NOWAIT_TTL;
        private int maxPendingCalls = DEFAULT_MAX_PENDING_CALLS;
        private int sendHwm = DEFAULT_SEND_HWM;
        private int receiveHwm = DEFAULT_RECEIVE_HWM;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Duration reconnectInterval = DEFAULT_RECONNECT_INTERVAL;
        private Duration reconnectIntervalMax = DEFAULT_RECONNECT_INTERVAL_MAX;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration livenessInterval = DEFAULT_LIVENESS_INTERVAL;
        private Duration livenessTimeout = DEFAULT_LIVENESS_TIMEOUT;
        private Duration discoveryInterval = DEFAULT_DISCOVERY_INTERVAL;
        private Executor callbackExecutor;
        private ClientObserver observer = ClientObserver.NONE;
        private boolean built;

        private Builder() {}

        public Builder name(String name) {
            check();
            this.name = Checks.notBlank("name", name);
            return this;
        }

        /** Default deadline of {@code call} and {@code callAsync}. */
        public Builder deadline(Duration deadline) {
            check();
            this.deadline = checkDeadline("deadline", deadline);
            return this;
        }

        public Builder nowaitTtl(Duration ttl) {
            check();
            this.nowaitTtl = checkDeadline("nowaitTtl", ttl);
            return this;
        }

        public Builder maxPendingCalls(int max) {
            check();
            this.maxPendingCalls = Checks.positive("maxPendingCalls", max);
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

        public Builder maxMessageBytes(int bytes) {
            check();
            this.maxMessageBytes = Checks.positive("maxMessageBytes", bytes);
            return this;
        }

        public Builder reconnectInterval(Duration first, Duration max) {
            check();
            Checks.positive("reconnectInterval", first);
            Checks.positive("reconnectIntervalMax", max);
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("reconnectIntervalMax must be >= reconnectInterval ("
                        + first.toMillis() + " ms) but was " + max.toMillis() + " ms");
            }
            this.reconnectInterval = first;
            this.reconnectIntervalMax = max;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            check();
            this.handshakeTimeout = Checks.positive("handshakeTimeout", timeout);
            return this;
        }

        public Builder heartbeatInterval(Duration interval) {
            check();
            this.heartbeatInterval = Checks.positive("heartbeatInterval", interval);
            return this;
        }

        /**
         * Liveness pings: {@code interval} between pings to a quiet instance, and {@code timeout} of silence
         * after which it leaves the rotation (its calls in flight fail at once). The timeout must exceed the
         * interval.
         */
        public Builder liveness(Duration interval, Duration timeout) {
            check();
            Checks.positive("livenessInterval", interval);
            Checks.positive("livenessTimeout", timeout);
            if (timeout.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("livenessTimeout must be > livenessInterval ("
                        + interval.toMillis() + " ms) but was " + timeout.toMillis() + " ms");
            }
            this.livenessInterval = interval;
            this.livenessTimeout = timeout;
            return this;
        }

        /** How often a service registered with a {@link Discovery} is looked up again. */
        public Builder discoveryInterval(Duration interval) {
            check();
            this.discoveryInterval = Checks.positive("discoveryInterval", interval);
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            check();
            this.closeTimeout = Checks.positive("closeTimeout", timeout);
            return this;
        }

        /**
         * Where futures of {@code callAsync} complete and response/error handlers run: an executor given here
         * gets one task per callback. Default: the client's own virtual threads, where the callbacks of the
         * replies taken in one receiver pass start in order on one shared virtual thread, and the rest go on
         * on another when one blocks longer than {@code CallbackRuns.HOLD_NANOS} (about 1 ms, plus the
         * receiver's pass). {@code Runnable::run} runs them on the receiver thread: only for callbacks that
         * never block.
         */
        public Builder callbackExecutor(Executor executor) {
            check();
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Observes every call (metrics, trace propagation): see {@link ClientObserver}. Default
         * {@link ClientObserver#NONE}. {@code offload-micrometer}'s {@code OffloadObservations} makes one.
         */
        public Builder observer(ClientObserver observer) {
            check();
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public ServiceClient build() {
            check();
            built = true;
            return new ServiceClient(new Settings(name, deadline, nowaitTtl, maxPendingCalls, sendHwm, receiveHwm,
                    maxMessageBytes, reconnectInterval, reconnectIntervalMax, handshakeTimeout, heartbeatInterval,
                    closeTimeout, livenessInterval, livenessTimeout, discoveryInterval, observer), callbackExecutor);
        }

        private void check() {
            if (built) {
                throw new IllegalStateException("this builder already built a client; use a new builder");
            }
        }
    }
}
