package org.offload.service;

/** No reply arrived before the call's deadline (408). */
public class DeadlineExceededException extends ServiceException {
    public DeadlineExceededException(String message) {
        super(Status.REQUEST_TIMEOUT, message);
    }
}
