package org.offload.client;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.offload.service.Progress;
import org.offload.service.Reply;
import org.offload.service.ServiceException;
import org.offload.service.internal.Checks;

/**
 * A snapshot of one task of a {@link TaskRegistry}: what {@link TaskRegistry#submit submit},
 * {@link TaskRegistry#get get} and {@link TaskRegistry#cancel cancel} return. It does not change; ask the
 * registry again for news.
 *
 * @param id              the task's id, a random UUID made by the client (the wire carries only the request id)
 * @param service         the service it was submitted to
 * @param path            the request's path
 * @param state           where it is
 * @param result          the successful reply; present exactly when {@code state} is {@code SUCCESS}
 * @param error           why it ended otherwise; present exactly when {@code state} is {@code FAILURE} (any
 *                        typed failure, e.g. 408 deadline, 500 handler failed) or {@code REVOKED} (the 499
 *                        {@code CancelledException})
 * @param submitted       when it was submitted
 * @param finished        when it ended; present exactly when {@code state} is done
 * @param cancelRequested when {@link TaskRegistry#cancel cancel} (or {@link TaskRegistry#close close}) first
 *                        asked for it to be cancelled; the state stays {@code PENDING} or {@code STARTED}
 *                        until the cancel is confirmed ({@code REVOKED}), unless the task ends otherwise first
 * @param progress        the latest progress its handler reported ({@code Call.progress}), in the order
 *                        reported; empty until the first report arrives. Kept once the task ends.
 */
public record Task(String id, String service, String path, TaskState state, Optional<Reply> result,
                   Optional<ServiceException> error, Instant submitted, Optional<Instant> finished,
                   Optional<Instant> cancelRequested, Optional<Progress> progress) {

    public Task {
        Checks.notBlank("id", id);
        Checks.notBlank("service", service);
        Checks.path(path);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(submitted, "submitted");
        Objects.requireNonNull(finished, "finished");
        Objects.requireNonNull(cancelRequested, "cancelRequested");
        Objects.requireNonNull(progress, "progress");
        requireExactly("result", result, state == TaskState.SUCCESS, state);
        requireExactly("error", error, state == TaskState.FAILURE || state == TaskState.REVOKED, state);
        requireExactly("finished", finished, state.isDone(), state);
        if (finished.isPresent() && finished.get().isBefore(submitted)) {
            throw new IllegalArgumentException("finished (" + finished.get() + ") must not be before submitted ("
                    + submitted + ")");
        }
    }

    /** A task without progress reports. */
    public Task(String id, String service, String path, TaskState state, Optional<Reply> result,
                Optional<ServiceException> error, Instant submitted, Optional<Instant> finished,
                Optional<Instant> cancelRequested) {
        this(id, service, path, state, result, error, submitted, finished, cancelRequested, Optional.empty());
    }

    /** A task nobody asked to cancel. */
    public Task(String id, String service, String path, TaskState state, Optional<Reply> result,
                Optional<ServiceException> error, Instant submitted, Optional<Instant> finished) {
        this(id, service, path, state, result, error, submitted, finished, Optional.empty());
    }

    /** True once the task ended: {@code SUCCESS}, {@code FAILURE} or {@code REVOKED}. */
    public boolean isDone() {
        return state.isDone();
    }

    private static void requireExactly(String name, Optional<?> value, boolean expected, TaskState state) {
        if (value.isPresent() != expected) {
            throw new IllegalArgumentException(name + " must be " + (expected ? "present" : "empty")
                    + " when state is " + state);
        }
    }
}
