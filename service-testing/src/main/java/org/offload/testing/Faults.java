package org.offload.testing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.internal.Checks;

/**
 * Faults injected into one test service's handler path: every route's handler is wrapped, so a fault acts on
 * a real request that came over the service's sockets, on a worker thread, and its effect reaches the client
 * as a real reply (or none). Rules are tried in the order they were added; the first that matches a call and
 * has calls left acts on it, and only that one. Thread-safe: add and remove rules while calls run.
 *
 * <pre>{@code
 * faults.on("^/x$").next(2).answer(503);                  // the next 2 calls to /x answer 503
 * faults.on("^/y$").delay(Duration.ofMillis(200));        // every call to /y, 200 ms late
 * faults.onAny().next(1).drop();                          // the next call gets no reply
 * }</pre>
 *
 * <p>An injected error says the request ran (it has no {@code offload-not-run} header), so the client does
 * not try it on another instance. A dropped call holds its worker, as a hung handler would, until the call is
 * cancelled or the kit closes (after its clients, so the late 504 reaches nobody): a service needs a worker
 * more than the calls it drops in one test. Closing the kit ends every delay and drop at once.
 */
public final class Faults {
    private final List<Fault> rules = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    Faults() {}

    /** Rules for calls whose path matches {@code pathRegex} at its start (as routes match), any METHOD. */
    public Rule on(String pathRegex) {
        Objects.requireNonNull(pathRegex, "pathRegex");
        try {
            return new Rule(Pattern.compile(pathRegex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pathRegex '" + pathRegex + "' is not a valid regex: "
                    + e.getDescription(), e);
        }
    }

    /** Rules for every call. */
    public Rule onAny() {
        return on("");
    }

    /** Removes every rule; calls already delayed or dropped stay so. */
    public void clear() {
        rules.clear();
    }

    /** The rules added and not removed, in the order they are tried (spent ones included). */
    public List<Fault> rules() {
        return List.copyOf(rules);
    }

    Handler wrap(Handler handler) {
        Objects.requireNonNull(handler, "handler");
        return call -> handle(call, handler);
    }

    private Reply handle(Call call, Handler handler) throws Exception {
        for (Fault fault : rules) {
            if (fault.claim(call)) {
                return fault.action().act(call, handler, released);
            }
        }
        return handler.handle(call);
    }

    /** Ends every delay and drop under way and to come: the kit is closing. */
    void release() {
        released.countDown();
    }

    void remove(Fault fault) {
        rules.remove(fault);
    }

    /** What to do to the calls a rule matches, and how many; set it up, then end with the fault itself. */
    public final class Rule {
        private final Pattern path;
        private Optional<String> method = Optional.empty();
        private long count = Fault.EVERY_CALL;

        private Rule(Pattern path) {
            this.path = path;
        }

        /** Only calls with this METHOD. */
        public Rule method(String method) {
            this.method = Optional.of(Checks.method(method));
            return this;
        }

        /** Only the next {@code calls} matching calls (default: every matching call, until removed). */
        public Rule next(int calls) {
            this.count = Checks.positive("calls", calls);
            return this;
        }

        /** The call runs its handler {@code delay} late (the delay counts against the call's deadline). */
        public Fault delay(Duration delay) {
            return add(new FaultAction.Delay(Checks.positive("delay", delay)));
        }

        /** The call never runs its handler and gets no reply (the caller sees its deadline pass). */
        public Fault drop() {
            return add(new FaultAction.Drop());
        }

        /** The call never runs its handler and is answered {@code status} with the message "injected fault". */
        public Fault answer(int status) {
            return answer(status, FaultAction.Answer.DEFAULT_MESSAGE);
        }

        /** The call never runs its handler and is answered {@code status} with {@code message}. */
        public Fault answer(int status, String message) {
            return add(new FaultAction.Answer(status, message));
        }

        private Fault add(FaultAction action) {
            Fault fault = new Fault(Faults.this, path, method, count, action);
            rules.add(fault);
            return fault;
        }
    }
}
