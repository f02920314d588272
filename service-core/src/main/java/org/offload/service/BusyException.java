package org.offload.service;

/** Rejected by backpressure: the worker queue or the client's in-flight limit is full (429). Retry later. */
public class BusyException extends ServiceException {
    public BusyException(String message) {
        super(Status.TOO_MANY_REQUESTS, message);
    }
}
