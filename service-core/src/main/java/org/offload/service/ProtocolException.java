package org.offload.service;

/** A message broke the wire protocol: truncated, oversized, garbage (400) or of an unknown version (505). */
public class ProtocolException extends ServiceException {
    public ProtocolException(String message) {
        super(Status.BAD_REQUEST, message);
    }

    public ProtocolException(int status, String message) {
        super(status, message);
    }
}
