package dev.bindery.ui;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Renders the templates of {@code src/main/jte}, which the build precompiled to classes (so the jar
 * needs no compiler). Every page template takes two parameters: {@code Layout layout} for the frame
 * every page shares, and {@code page}, the page's own record from {@link Pages}. Output is HTML
 * with {@code ${...}} escaped by jte for its context (text, attribute, URL). Thread-safe.
 */
final class Templates {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** Renders {@code pages/<name>.jte} into the response with {@code status}. */
    void render(Context ctx, int status, String name, Layout layout, Object page) {
        var output = new StringOutput(8192);
        engine.render("pages/" + name + ".jte", Map.of("layout", layout, "page", page), output);
        ctx.status(status).contentType("text/html; charset=utf-8").result(output.toString());
    }
}
