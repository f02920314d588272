package org.offload.client;

import java.util.Objects;
import java.util.Optional;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * What {@link ServiceClient#callAndHandle} returns: the reply, and what the matching response handler made
 * of it (brubeck's {@code (response, handler_response)} pair).
 *
 * @param reply   the successful reply
 * @param handled true when a response handler matched the reply's path and METHOD and ran
 * @param result  what that handler returned: present only for a {@link ResponseFunction} that returned a value
 * @param <T>     the result's type
 */
public record HandledReply<T>(Reply reply, boolean handled, Optional<T> result) {
    public HandledReply {
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(result, "result");
        if (result.isPresent() && !handled) {
            throw new IllegalArgumentException("result must be empty when no handler ran");
        }
    }

    /** Runs {@code handler} (may be null: none matched) on {@code reply} and checks its result's type. */
    static <T> HandledReply<T> run(ResponseHandler handler, Request request, Reply reply, Class<T> type) {
        if (handler == null) {
            return new HandledReply<>(reply, false, Optional.empty());
        }
        if (!(handler instanceof ResponseFunction<?> f)) {
            handler.onResponse(request, reply);
            return new HandledReply<>(reply, true, Optional.empty());
        }
        Object result = f.apply(request, reply);
        if (result != null && !type.isInstance(result)) {
            throw new ClassCastException("the response handler for " + request.path() + " returned a "
                    + result.getClass().getName() + ", not a " + type.getName());
        }
        return new HandledReply<>(reply, true, Optional.ofNullable(type.cast(result)));
    }
}
