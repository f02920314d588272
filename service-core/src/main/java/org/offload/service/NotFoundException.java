package org.offload.service;

/**
 * No route matched the path (404), the path matched but not the METHOD (405), or no route of the path and
 * METHOD has a version compatible with the one asked for (406).
 */
public class NotFoundException extends ServiceException {
    public NotFoundException(String message) {
        super(Status.NOT_FOUND, message);
    }

    public NotFoundException(int status, String message) {
        super(status, message);
    }
}
