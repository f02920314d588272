package org.offload.service;

/** The remote handler failed (500), or the service answered with another error status. */
public class RemoteException extends ServiceException {
    public RemoteException(int status, String message) {
        super(status, message);
    }
}
