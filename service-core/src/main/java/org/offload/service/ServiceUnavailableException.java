package org.offload.service;

/** No instance could take the request (none connected, service stopping, or client closed) (503). */
public class ServiceUnavailableException extends ServiceException {
    public ServiceUnavailableException(String message) {
        super(Status.SERVICE_UNAVAILABLE, message);
    }

    public ServiceUnavailableException(String message, Throwable cause) {
        super(Status.SERVICE_UNAVAILABLE, message, cause);
    }
}
