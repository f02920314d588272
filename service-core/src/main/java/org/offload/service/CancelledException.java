package org.offload.service;

/** The call was cancelled before it completed (499). */
public class CancelledException extends ServiceException {
    public CancelledException(String message) {
        super(Status.CANCELLED, message);
    }
}
