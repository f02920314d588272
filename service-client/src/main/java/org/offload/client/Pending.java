package org.offload.client;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.offload.service.Reply;
import org.offload.service.Request;

/** One call between submit and its outcome. Fields other than the final ones belong to the I/O thread. */
final class Pending {
    final ServiceEntry service;
    final Request request;
    final CallMode mode;
    final long timeoutMs;
    final long deadlineNanos;
    final long seq;
    final CompletableFuture<Reply> future;
    final Consumer<Reply> interim;

    long requestId;
    Instance instance;
    boolean done;
    boolean cancelRequested;

    Pending(ServiceEntry service, Request request, CallMode mode, long timeoutMs, long seq,
            CompletableFuture<Reply> future, Consumer<Reply> interim) {
        this.service = service;
        this.request = request;
        this.mode = mode;
        this.timeoutMs = timeoutMs;
        this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
        this.seq = seq;
        this.future = future;
        this.interim = interim;
    }

    boolean sent() {
        return instance != null;
    }
}
