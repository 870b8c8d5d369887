package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.access.Authenticator;
import dev.bindery.access.RateLimiter;
import dev.bindery.subject.Caller;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;

/**
 * What runs before every API call: refusing encoded traversal in the raw URI,
 * authenticating the caller, and charging Bintray's rate limit for calls on other subjects'
 * resources.
 *
 * <p>A call with neither an {@code Authorization} header nor an {@code access_token} but with the web
 * UI's session cookie is made as the session's user (see {@link dev.bindery.ui.WebSessions}): GET,
 * HEAD and the statistics page's read-only calls as is, any other call only with the session's CSRF
 * token in {@code X-CSRF-Token} (else 403). So the UI's own scripts call the API as the logged-in
 * user, and no other site can make a logged-in browser change anything.
 */
final class Gate {

    // API paths whose second segment names the subject that owns the resource.
    private static final Set<String> SUBJECT_PATHS = Set.of("repos", "packages", "content", "users", "orgs",
            "file_package", "file_version", "file_metadata", "maven", "calc_metadata", "gpg", "signed_url",
            "webhooks", "stream", "products", "usage", "subjects", "repository",
            "file_eula");

    /**
     * The read-only calls the web UI's statistics page makes from the browser: statistics, log files,
     * live feeds and the usage CSV export. These accept the UI's session whatever their method (the
     * statistics POST queries only read); every other call needs the session's CSRF token for methods
     * other than GET and HEAD (see {@link dev.bindery.ui.WebSessions#apiCaller}).
     */
    private static final java.util.regex.Pattern SESSION_READABLE = java.util.regex.Pattern.compile(
            "/api/v1/(?:packages/[^/]+/[^/]+/[^/]+/(?:(?:versions/[^/]+/)?stats/[^/]+|logs(?:/[^/]+)?|live_feed)"
                    + "|repos/[^/]+/[^/]+/(?:stats/total_downloads|live_feed)|usage_data/[^/]+)");

    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final ClientAddress clientAddress;
    /** The web UI's session cookie and CSRF token. */
    private final dev.bindery.ui.WebSessions webSessions;

    /**
     * @param webSessions the UI's sessions, for calls without API credentials: GET, HEAD and the
     *                    {@link #SESSION_READABLE} calls as is, other methods with the session's CSRF
     *                    token in {@code X-CSRF-Token}
     */
    Gate(Authenticator authenticator, RateLimiter rateLimiter, ClientAddress clientAddress,
         dev.bindery.ui.WebSessions webSessions) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.clientAddress = clientAddress;
        this.webSessions = webSessions;
    }

    void apiCall(Context ctx) {
        checkRawUri(ctx.req().getRequestURI());
        var caller = authenticate(ctx);
        chargeRateLimit(ctx, caller);
    }

    private Caller authenticate(Context ctx) {
        var authorization = AccessTokenParam.authorization(ctx.header("Authorization"), accessToken(ctx));
        var address = clientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
        var noCredentials = authorization == null || authorization.isBlank();
        Caller caller;
        if (!noCredentials) {
            caller = authenticator.authenticate(authorization, address).at(address);
        } else if (ctx.cookie(dev.bindery.ui.WebSessions.COOKIE) == null) {
            caller = Caller.ANONYMOUS.at(address);
        } else {
            // The web UI's session: GET/HEAD and the read-only statistics calls as is, anything
            // else only with the session's CSRF token in X-CSRF-Token (403 without it).
            caller = webSessions.apiCaller(ctx, sessionReadable(ctx)).orElse(Caller.ANONYMOUS).at(address);
        }
        ctx.attribute(Http.CALLER, caller);
        return caller;
    }

    /**
     * Whether a web UI session may stand in for credentials: a GET (or a statistics POST, which only
     * reads) of the statistics page's calls. All of them only read, so a forged cross-site request
     * changes nothing, and without CORS headers no other site can read the answers; other calls that
     * change something need the session's CSRF token, so no form on another site can act with a session.
     */
    private static boolean sessionReadable(Context ctx) {
        var method = ctx.method();
        var path = ctx.path().replaceAll("/{2,}", "/");
        var get = method == io.javalin.http.HandlerType.GET || method == io.javalin.http.HandlerType.HEAD;
        var statsPost = method == io.javalin.http.HandlerType.POST && path.contains("/stats/");
        return (get || statsPost) && SESSION_READABLE.matcher(path).matches();
    }

    /** A bearer token in the {@code access_token} query parameter, or form parameter of a form POST; else null. */
    private static String accessToken(Context ctx) {
        var token = AccessTokenParam.fromQuery(ctx.queryString());
        var contentType = ctx.contentType();
        if (token == null && ctx.method() == io.javalin.http.HandlerType.POST && contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            token = ctx.formParam(AccessTokenParam.NAME);
        }
        return token;
    }

    /**
     * Encoded slashes, backslashes and NULs would change what a path means after decoding; no real
     * client needs them, so they are refused before routing. Downloads check the same.
     */
    static void checkRawUri(String rawPath) {
        var raw = rawPath.toLowerCase(Locale.ROOT);
        if (raw.contains("%2f") || raw.contains("%5c") || raw.contains("%00") || raw.indexOf('\\') >= 0) {
            throw BinderyException.badRequest("Path must not contain encoded slashes, backslashes or NUL characters");
        }
    }

    private void chargeRateLimit(Context ctx, Caller caller) {
        if (caller.isSiteAdmin()) {
            return;
        }
        var subject = subjectOf(ctx.path());
        if ((subject != null && caller.belongsToName(subject)) || (!caller.isAnonymous() && ownData(ctx.path()))) {
            return;
        }
        var who = caller.isAnonymous() ? "ip:" + ctx.ip() : "user:" + caller.name();
        var allowance = rateLimiter.charge(who);
        ctx.header("X-RateLimit-Limit", String.valueOf(allowance.limit()));
        ctx.header("X-RateLimit-Remaining", String.valueOf(allowance.remaining()));
        if (allowance.exceeded()) {
            throw BinderyException.tooManyRequests("API rate limit exceeded: " + allowance.limit()
                    + " calls on resources of other subjects; try again later");
        }
    }

    /** The subject a path's resource belongs to, or null for searches and the like. */
    static String subjectOf(String path) {
        var rest = path.substring(path.indexOf("/api/v1/") + "/api/v1/".length());
        var segments = rest.split("/+");
        if (segments.length >= 3 && segments[0].equals("usage")
                && (segments[1].equals("package_usage") || segments[1].equals("business_unit_usage"))) {
            return segments[2];
        }
        if (segments.length >= 2 && SUBJECT_PATHS.contains(segments[0])) {
            return segments[1];
        }
        return null;
    }

    /** Calls about the caller's own account, never charged: the usage-data export has limits of its own. */
    private static boolean ownData(String path) {
        return path.contains("/api/v1/usage_data/");
    }
}
