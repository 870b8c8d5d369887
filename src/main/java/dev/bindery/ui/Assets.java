package dev.bindery.ui;

import dev.bindery.BinderyException;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the UI's files from the jar: its own under {@code /assets/} (from {@code ui/assets/} in
 * the resources) and those of WebJar dependencies under {@code /webjars/<name>/<version>/<file>}
 * (from {@code META-INF/resources/webjars/}). Routes rather than Javalin's static files, which
 * answer only after every route, so the {@code /:subject/...} pages would shadow them.
 */
final class Assets {

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("woff", "font/woff"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    private final String root;

    private Assets(String root) {
        this.root = root;
    }

    static Assets own() {
        return new Assets("/ui/assets/");
    }

    static Assets webjars() {
        return new Assets("/META-INF/resources/webjars/");
    }

    /** Answers the file at the {@code <path>} parameter, or 404 for anything else. */
    void serve(Context ctx) throws java.io.IOException {
        var path = ctx.pathParam("path");
        var dot = path.lastIndexOf('.');
        var type = dot < 0 ? null : TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
        var resource = type == null || !safe(path) ? null : Assets.class.getResource(root + path);
        if (resource == null) {
            throw BinderyException.notFound("File '" + ctx.path() + "' was not found");
        }
        ctx.contentType(type).header("Cache-Control", "public, max-age=3600")
                .result(resource.openStream());
    }

    /** No empty, '.' or '..' segments and nothing that is not a plain file name character. */
    private static boolean safe(String path) {
        if (!path.matches("[A-Za-z0-9._@+/-]+")) {
            return false;
        }
        for (var segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
