package org.offload.service;

/**
 * Handles one request on a worker thread and returns the reply. Throw a {@link ServiceException} subtype to
 * answer with its status and message; any other exception answers 500 without details (unless the server
 * was built with {@code exposeErrorDetails(true)}).
 */
@FunctionalInterface
public interface Handler {
    Reply handle(Call call) throws Exception;
}
