package org.offload.service;

/** The HTTP-like status codes Offload uses on the wire (see PROTOCOL.md). */
public final class Status {
    /** Interim reply: the handler started (sent only when the request asks for it). */
    public static final int STARTED = 102;
    /** Interim reply: the handler reported progress (sent only when the request asks for it). */
    public static final int PROGRESS = 110;
    public static final int OK = 200;
    public static final int CREATED = 201;
    public static final int ACCEPTED = 202;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int FORBIDDEN = 403;
    public static final int NOT_FOUND = 404;
    public static final int METHOD_NOT_ALLOWED = 405;
    /** The path and METHOD have routes, but none of a version compatible with the one the request asked for. */
    public static final int NO_COMPATIBLE_VERSION = 406;
    public static final int REQUEST_TIMEOUT = 408;
    public static final int PAYLOAD_TOO_LARGE = 413;
    public static final int TOO_MANY_REQUESTS = 429;
    /** The call was cancelled (nginx's "client closed request"). */
    public static final int CANCELLED = 499;
    public static final int INTERNAL_ERROR = 500;
    public static final int SERVICE_UNAVAILABLE = 503;
    public static final int VERSION_NOT_SUPPORTED = 505;

    private Status() {}

    /** True for 1xx: an interim reply that does not end a call. */
    public static boolean isInterim(int status) {
        return status >= 100 && status < 200;
    }

    /** True for 2xx and 3xx. */
    public static boolean isSuccess(int status) {
        return status >= 200 && status < 400;
    }

    /** A short reason phrase for the status. */
    public static String reason(int status) {
        return switch (status) {
            case STARTED -> "Started";
            case PROGRESS -> "Progress";
            case OK -> "OK";
            case CREATED -> "Created";
            case ACCEPTED -> "Accepted";
            case BAD_REQUEST -> "Bad Request";
            case UNAUTHORIZED -> "Unauthorized";
            case FORBIDDEN -> "Forbidden";
            case NOT_FOUND -> "Not Found";
            case METHOD_NOT_ALLOWED -> "Method Not Allowed";
            case NO_COMPATIBLE_VERSION -> "No Compatible Version";
            case REQUEST_TIMEOUT -> "Request Timeout";
            case PAYLOAD_TOO_LARGE -> "Payload Too Large";
            case TOO_MANY_REQUESTS -> "Busy";
            case CANCELLED -> "Cancelled";
            case INTERNAL_ERROR -> "Internal Error";
            case SERVICE_UNAVAILABLE -> "Service Unavailable";
            case VERSION_NOT_SUPPORTED -> "Protocol Version Not Supported";
            default -> "Status " + status;
        };
    }
}
