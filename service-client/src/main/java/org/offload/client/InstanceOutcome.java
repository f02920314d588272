package org.offload.client;

import java.util.Objects;
import java.util.Optional;
import org.offload.service.Reply;
import org.offload.service.ServiceException;

/**
 * What one instance answered to a fanout call: its successful reply, or the typed failure.
 *
 * @param instanceId  the instance id its pong gave ({@code ""} if it never answered one)
 * @param pullAddress the instance's PULL address
 */
public record InstanceOutcome(String instanceId, String pullAddress, Optional<Reply> reply,
                              Optional<ServiceException> failure) {
    public InstanceOutcome {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(pullAddress, "pullAddress");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(failure, "failure");
        if (reply.isPresent() == failure.isPresent()) {
            throw new IllegalArgumentException("an outcome has either a reply or a failure");
        }
    }

    public boolean isSuccess() {
        return reply.isPresent();
    }
}
