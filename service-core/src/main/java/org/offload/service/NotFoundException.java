package org.offload.service;

/** No route matched the path (404), or the path matched but not the METHOD (405). */
public class NotFoundException extends ServiceException {
    public NotFoundException(String message) {
        super(Status.NOT_FOUND, message);
    }

    public NotFoundException(int status, String message) {
        super(status, message);
    }
}
