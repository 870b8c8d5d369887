package dev.bindery.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.bindery.BinderyException;
import dev.bindery.content.FilePath;
import dev.bindery.content.Views.Page;
import dev.bindery.subject.Caller;
import dev.bindery.web.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.stream.Collectors;

/** Small helpers every route class uses: the caller, JSON bodies, flags and pagination. */
final class Http {

    static final String CALLER = "bindery.caller";

    private Http() {
    }

    static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        return caller == null ? Caller.ANONYMOUS : caller;
    }

    /** Parses the JSON body into {@code type}; a missing body or broken JSON is a 400 that says why. */
    static <T> T body(Context ctx, Class<T> type) {
        var text = ctx.body();
        if (text.isBlank()) {
            throw BinderyException.badRequest("Request body is missing; expected a JSON object");
        }
        return parse(text, type);
    }

    /** Like {@link #body}, but an empty body means {@code empty}. */
    static <T> T optionalBody(Context ctx, Class<T> type, T empty) {
        var text = ctx.body();
        return text.isBlank() ? empty : parse(text, type);
    }

    private static <T> T parse(String text, Class<T> type) {
        try (var parser = Json.MAPPER.createParser(text)) {
            T value = Json.MAPPER.readValue(parser, type);
            if (value == null) {
                // A bare "null" is valid JSON, but no object.
                throw BinderyException.badRequest("Request body must be a JSON object");
            }
            // readValue stops after the first value; what follows it must not be ignored silently.
            if (parser.nextToken() != null) {
                var location = parser.currentTokenLocation();
                throw BinderyException.badRequest("Malformed JSON at line " + location.getLineNr() + ", column "
                        + location.getColumnNr() + ": unexpected content after the JSON object");
            }
            return value;
        } catch (MismatchedInputException e) {
            var field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw BinderyException.badRequest(field.isEmpty()
                    ? "Request body must be a JSON object"
                    : "Field '" + field + "' has the wrong type: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            throw BinderyException.badRequest("Malformed JSON"
                    + (location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr())
                    + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Bintray's boolean parameters: {@code 1}/{@code true}/{@code yes} are true, anything else false. */
    static boolean flag(String value) {
        if (value == null) {
            return false;
        }
        var normalized = value.trim().toLowerCase(Locale.ROOT);
        return normalized.equals("1") || normalized.equals("true") || normalized.equals("yes");
    }

    static int startPos(Context ctx) {
        var value = ctx.queryParam("start_pos");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw BinderyException.badRequest("Query parameter 'start_pos' must be a number, not '" + value + "'");
        }
    }

    /** Sets Bintray's X-RangeLimit headers for one page of results. */
    static void rangeHeaders(Context ctx, Page<?> page) {
        ctx.header("X-RangeLimit-Total", String.valueOf(page.total()));
        ctx.header("X-RangeLimit-StartPos", String.valueOf(page.startPos()));
        ctx.header("X-RangeLimit-EndPos", String.valueOf(page.startPos() + Math.max(page.items().size(), 1) - 1));
    }

    /** The {@code <path>} parameter as a checked repository path. */
    static FilePath filePath(Context ctx) {
        return FilePath.of(ctx.pathParam("path"));
    }
}
