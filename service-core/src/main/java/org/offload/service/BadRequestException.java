package org.offload.service;

/** The request was malformed or invalid (400), or too large (413). */
public class BadRequestException extends ServiceException {
    public BadRequestException(String message) {
        super(Status.BAD_REQUEST, message);
    }

    public BadRequestException(int status, String message) {
        super(status, message);
    }
}
