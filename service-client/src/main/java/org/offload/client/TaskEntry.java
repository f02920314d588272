package org.offload.client;

import java.time.Instant;
import java.util.Optional;
import org.offload.service.Progress;
import org.offload.service.Reply;
import org.offload.service.ServiceException;
import org.offload.service.Status;

/**
 * The mutable state of one task inside a {@link TaskRegistry}, guarded by its own lock. States only move
 * forward. Interim replies ("started", progress) arrive on the receiver thread in wire order, before the
 * final reply; a progress report that comes after the task ended otherwise (deadline, cancel) changes nothing.
 */
final class TaskEntry {
    final String id;
    final String service;
    final String path;
    final Instant submitted;
    private TaskState state = TaskState.PENDING;
    private Reply result;
    private ServiceException error;
    private Instant finished;
    private Instant cancelRequested;
    private Progress progress;
    /** How to cancel the call; dropped when the task ends, so a kept task does not hold its request. */
    private Runnable cancel;

    TaskEntry(String id, String service, String path, Instant submitted) {
        this.id = id;
        this.service = service;
        this.path = path;
        this.submitted = submitted;
    }

    /** Called once, before the entry is visible to other threads through the registry. */
    synchronized void attach(Runnable cancelCall) {
        if (!state.isDone()) {
            this.cancel = cancelCall;
        }
    }

    /** The service's 102 "started" arrived. */
    synchronized void started() {
        if (state == TaskState.PENDING) {
            state = TaskState.STARTED;
        }
    }

    /** A progress report arrived (receiver thread, in wire order): the handler runs, and this is how far it is. */
    synchronized void progress(Progress p) {
        if (state.isDone()) {
            return;
        }
        started();
        progress = p;
    }

    /**
     * Ends the task; false when it had already ended. {@code counted} runs first, under this entry's lock,
     * so whoever sees the final state through {@link #snapshot()} also sees the registry's counters updated.
     */
    synchronized boolean finish(Reply reply, ServiceException failure, Instant at, Runnable counted) {
        if (state.isDone()) {
            return false;
        }
        counted.run();
        state = failure == null ? TaskState.SUCCESS
                : failure.status() == Status.CANCELLED ? TaskState.REVOKED : TaskState.FAILURE;
        result = failure == null ? reply : null;
        error = failure;
        finished = at.isBefore(submitted) ? submitted : at;
        cancel = null;
        return true;
    }

    /**
     * Records the first cancel request of a task still running and returns what sends the cancel; null when
     * the task has ended or a cancel was already requested (one cancel message per task is enough).
     */
    synchronized Runnable requestCancel(Instant at) {
        if (state.isDone() || cancelRequested != null) {
            return null;
        }
        cancelRequested = at;
        return cancel;
    }

    synchronized Task snapshot() {
        return new Task(id, service, path, state, Optional.ofNullable(result), Optional.ofNullable(error), submitted,
                Optional.ofNullable(finished), Optional.ofNullable(cancelRequested), Optional.ofNullable(progress));
    }
}
