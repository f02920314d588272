package org.offload.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.offload.service.BadRequestException;
import org.offload.service.BusyException;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.NotFoundException;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route of the web front end: a path (or pattern: the whole path must match) and the HTTP methods it
 * answers. Another path is answered 404, another method 405 with {@code Allow}.
 * A {@link ServiceException} becomes a JSON error with the HTTP status of {@link #httpStatus}.
 */
abstract class Route implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Route.class);

    private final String context;
    private final Pattern path;
    private final List<String> methods;

    /** A route for exactly the path {@code context} (a trailing '/' allowed). */
    Route(String context, String... methods) {
        this(context, Pattern.compile(Pattern.quote(context) + "/?"), methods);
    }

    /** A route for the paths below {@code context} that match {@code path}, e.g. {@code /v2/task/([^/]+)/?}. */
    Route(String context, Pattern path, String... methods) {
        this.context = context;
        this.path = path;
        this.methods = List.of(methods);
    }

    /** The path prefix this route is registered under in the HTTP server. */
    final String context() {
        return context;
    }

    /** Answers one request whose path and method this route accepts. */
    abstract WebResponse serve(WebRequest request) throws IOException;

    @Override
    public final void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange).send(exchange);
        } catch (IOException e) {
            log.debug("web - could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    e.toString());
        }
    }

    private WebResponse respond(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        Matcher match = path.matcher(exchange.getRequestURI().getPath());
        if (!match.matches()) {
            return WebResponse.error(404, "no route for " + exchange.getRequestURI().getPath());
        }
        if (!methods.contains(method)) {
            return WebResponse.error(405, method + " is not allowed on " + exchange.getRequestURI().getPath()
                    + " (allowed: " + String.join(", ", methods) + ")").withHeader("Allow", String.join(", ", methods));
        }
        try {
            return serve(WebRequest.of(method, exchange.getRequestURI(), match));
        } catch (ServiceException e) {
            return WebResponse.error(httpStatus(e), e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.error("web - {} {} failed", method, exchange.getRequestURI().getPath(), e);
            return WebResponse.error(500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The HTTP status for a failed service call: invalid input 400, no such route or thing 404, the worker
     * is gone, stopping, busy or the call was cancelled 503, too slow 504, anything else the worker did
     * wrong (handler failure, wrong passphrase, protocol) 502.
     */
    static int httpStatus(ServiceException e) {
        return switch (e) {
            case BadRequestException bad -> 400;
            case NotFoundException notFound -> 404;
            case ServiceUnavailableException gone -> 503;
            case BusyException busy -> 503;
            case CancelledException cancelled -> 503;
            case DeadlineExceededException slow -> 504;
            default -> 502;
        };
    }
}
