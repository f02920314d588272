package org.offload.service;

/** A service instance could not start: an address is in use or invalid, or the context failed (503). */
public class ServiceStartException extends ServiceException {
    public ServiceStartException(String message, Throwable cause) {
        super(Status.SERVICE_UNAVAILABLE, message, cause);
    }
}
