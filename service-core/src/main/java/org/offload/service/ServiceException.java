package org.offload.service;

/**
 * The root of Offload's failures. Every failure carries an HTTP-like {@link #status()} so callers can act
 * on it, and a message that says what happened and in which state. Handlers may throw any subtype: the
 * caller then receives that status and message.
 */
public class ServiceException extends RuntimeException {
    private final int status;

    public ServiceException(int status, String message) {
        super(message);
        this.status = checkStatus(status);
    }

    public ServiceException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = checkStatus(status);
    }

    private static int checkStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be in 100..999 but was " + status);
        }
        return status;
    }

    /** The HTTP-like status code, e.g. 404. */
    public int status() {
        return status;
    }

    /** The typed exception for an error status received from a service. */
    public static ServiceException forStatus(int status, String message) {
        return switch (status) {
            case Status.BAD_REQUEST, Status.PAYLOAD_TOO_LARGE -> new BadRequestException(status, message);
            case Status.UNAUTHORIZED, Status.FORBIDDEN -> new UnauthorizedException(status, message);
            case Status.NOT_FOUND, Status.METHOD_NOT_ALLOWED, Status.NO_COMPATIBLE_VERSION -> new NotFoundException(status, message);
            case Status.REQUEST_TIMEOUT -> new DeadlineExceededException(message);
            case Status.TOO_MANY_REQUESTS -> new BusyException(message);
            case Status.CANCELLED -> new CancelledException(message);
            case Status.SERVICE_UNAVAILABLE -> new ServiceUnavailableException(message);
            case Status.VERSION_NOT_SUPPORTED -> new ProtocolException(status, message);
            default -> new RemoteException(status, message);
        };
    }
}
