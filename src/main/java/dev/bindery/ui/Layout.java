package dev.bindery.ui;

import dev.bindery.subject.Caller;
import io.javalin.http.Context;

/**
 * What the frame around every page (layout.jte) needs: the page title, who is looking, the search
 * box's text and this server's address as the client used it (for snippets and absolute links).
 *
 * @param baseUrl scheme, host and port of the request, without a trailing slash
 * @param query     the search box's current text, or empty
 * @param csrfToken the session's CSRF token for the header's log-out form and scripts, or null without a session
 * @param path      the page's path and query, where logging in returns to
 */
public record Layout(String title, Caller caller, String baseUrl, String query, String csrfToken, String path) {

    public Layout(String title, Caller caller, String baseUrl, String query) {
        this(title, caller, baseUrl, query, null, "/");
    }

    static Layout of(Context ctx, Caller caller, String title) {
        var query = ctx.queryParam("q");
        var path = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        return new Layout(title, caller, baseUrl(ctx), query == null ? "" : query,
                caller.isAnonymous() ? null : WebSessions.csrfToken(ctx), path);
    }

    /** Where the header's "Log in" link goes: the log-in page, returning here. */
    public String loginUrl() {
        return path.startsWith("/_login") ? "/_login"
                : "/_login?next=" + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The user's name for the header, or null for anonymous callers. */
    public String userName() {
        return caller.user() == null ? null : caller.user().name();
    }

    static String baseUrl(Context ctx) {
        var host = ctx.host();
        // HTTP/1.0 clients may send no Host; the page still renders, with a placeholder host.
        return ctx.scheme() + "://" + (host == null || host.isBlank() ? "localhost" : host);
    }
}
