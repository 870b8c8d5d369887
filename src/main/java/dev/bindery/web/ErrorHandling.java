package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.web.json.Json;
import dev.bindery.web.json.MessageJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into responses: a status and {@code {"message": "..."}},
 * for domain errors, Javalin's own 404/405/413, and errors Jetty raises before Javalin sees the
 * request (bad URIs, oversized headers). Unexpected exceptions are logged once with method, path
 * and stack, and answer 500 without details.
 */
final class ErrorHandling {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandling.class);
    static final String WWW_AUTHENTICATE = "Basic realm=\"Bindery\"";

    private ErrorHandling() {
    }

    static void register(RoutesConfig routes) {
        routes.exception(BinderyException.class, (e, ctx) -> respond(ctx, status(e.kind()), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(), describe(ctx, e)));
        routes.exception(Exception.class, (e, ctx) -> {
            String where;
            try {
                where = ctx.method() + " " + ctx.path();
            } catch (RuntimeException recycled) {
                // The exchange is over (a stream whose client left, a server stopping): nobody to answer.
                LOG.debug("Error after the response was done", e);
                return;
            }
            LOG.error("Unexpected error on {}", where, e);
            respond(ctx, 500, "Internal server error");
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null) {
                respond(ctx, 404, "Resource '" + ctx.path() + "' was not found");
            }
        });
        routes.error(405, ctx -> respond(ctx, 405, "Method " + ctx.method() + " is not allowed on '" + ctx.path() + "'"));
    }

    static int status(BinderyException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case TIMEOUT -> 408;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case TOO_MANY_REQUESTS -> 429;
        };
    }

    static void respond(Context ctx, int status, String message) {
        ctx.status(status);
        // Not for the web UI's scripts (they say X-Requested-With): the browser would prompt for a password.
        if (status == 401 && !"XMLHttpRequest".equalsIgnoreCase(ctx.header("X-Requested-With"))) {
            ctx.header("WWW-Authenticate", WWW_AUTHENTICATE);
        }
        ctx.json(new MessageJson(message));
    }

    private static String describe(Context ctx, HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> "Request body is too large";
            case 404 -> "Resource '" + ctx.path() + "' was not found";
            case 405 -> "Method " + ctx.method() + " is not allowed on '" + ctx.path() + "'";
            default -> e.getMessage() == null || e.getMessage().isBlank()
                    ? "Request failed with status " + e.getStatus() : e.getMessage();
        };
    }

    /** Jetty's error handler, for requests Jetty refuses before routing: the same JSON shape. */
    static final class JettyErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object cause = request.getAttribute(ERROR_MESSAGE);
            String message = switch (status) {
                case 400 -> "Bad request" + (cause == null ? "" : ": " + cause);
                case 413 -> "Request body is too large";
                case 414 -> "Request URI is too long";
                case 431 -> "Request headers are too large";
                default -> status >= 500 ? "Internal server error" : "Request failed with status " + status;
            };
            try {
                var body = Json.MAPPER.writeValueAsBytes(new MessageJson(message));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(body), callback);
            } catch (IOException e) {
                callback.failed(e);
            }
            return true;
        }
    }

}
