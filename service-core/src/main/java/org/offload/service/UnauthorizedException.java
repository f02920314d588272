package org.offload.service;

/** The passphrase proof was missing, wrong or outside the replay window (401), or access was refused (403). */
public class UnauthorizedException extends ServiceException {
    public UnauthorizedException(String message) {
        super(Status.UNAUTHORIZED, message);
    }

    public UnauthorizedException(int status, String message) {
        super(status, message);
    }
}
