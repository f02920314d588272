package org.offload.client;

import org.offload.service.Request;
import org.offload.service.ServiceException;

/**
 * Receives the failure of a nowait request ({@link ServiceClient#send}): an error reply, or no reply before
 * the nowait time-to-live, or no instance to take it. Runs on the callback executor.
 */
@FunctionalInterface
public interface ErrorHandler {
    void onError(String service, Request request, ServiceException error);
}
