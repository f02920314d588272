package org.offload.client;

import org.offload.service.Reply;
import org.offload.service.Request;

/** Receives the successful reply to a nowait request ({@link ServiceClient#send}), on the callback executor. */
@FunctionalInterface
public interface ResponseHandler {
    void onResponse(Request request, Reply reply);
}
