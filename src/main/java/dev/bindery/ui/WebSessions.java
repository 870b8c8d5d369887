package dev.bindery.ui;

import dev.bindery.BinderyException;
import dev.bindery.access.SessionService;
import dev.bindery.access.SessionService.Session;
import dev.bindery.subject.Caller;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The web UI's session cookie and its CSRF defences, for the pages and for the API.
 *
 * <ul>
 *   <li>The cookie {@value #COOKIE} holds the session's secret id: {@code HttpOnly},
 *       {@code SameSite=Lax}, {@code Path=/}, and {@code Secure} when the request came over https
 *       (directly, or through a trusted proxy saying so in {@code X-Forwarded-Proto}).</li>
 *   <li>Every form POST of the UI carries the session's CSRF token in the field {@value #CSRF_FIELD}
 *       and must come from this origin ({@code Origin}, else {@code Referer}, naming this host);
 *       the log-in form, before any session, carries the random value of the cookie
 *       {@value #LOGIN_COOKIE} instead (double submit), so nobody can log a victim in as themselves.</li>
 *   <li>The API ({@link #apiCaller}) takes a session's caller when a request carries no other
 *       credentials: for GET and HEAD as is, for other methods only with the session's CSRF token
 *       in the header {@value #CSRF_HEADER}, which a cross-site form or image cannot send.</li>
 * </ul>
 *
 * Pages find the token for their forms and scripts with {@link #csrfToken}. Thread-safe.
 */
public final class WebSessions implements UiCaller.SessionLookup {

    public static final String COOKIE = "bindery_session";
    public static final String LOGIN_COOKIE = "bindery_login";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "csrf";
    private static final String ATTRIBUTE = "bindery.ui.session";
    private static final long LOGIN_COOKIE_SECONDS = 3600;

    private final SessionService sessions;
    private final Function<Context, String> clientIp;
    private final Predicate<Context> https;

    /**
     * @param clientIp the client's address as the API sees it (trusted proxies honoured)
     * @param https    whether the client reached this server over https
     */
    public WebSessions(SessionService sessions, Function<Context, String> clientIp, Predicate<Context> https) {
        this.sessions = sessions;
        this.clientIp = clientIp;
        this.https = https;
    }

    SessionService service() {
        return sessions;
    }

    String clientIp(Context ctx) {
        return clientIp.apply(ctx);
    }

    /** The request's live session, looked up once per request. */
    Optional<Session> session(Context ctx) {
        Optional<Session> cached = ctx.attribute(ATTRIBUTE);
        if (cached == null) {
            cached = sessions.session(ctx.cookie(COOKIE));
            ctx.attribute(ATTRIBUTE, cached);
        }
        return cached;
    }

    @Override
    public Optional<Caller> caller(Context ctx) {
        return session(ctx).map(session -> session.caller().at(clientIp(ctx)));
    }

    /** The CSRF token of the request's session, for forms and the {@code csrf-token} meta tag; null without one. */
    static String csrfToken(Context ctx) {
        Optional<Session> session = ctx.attribute(ATTRIBUTE);
        return session == null ? null : session.map(Session::csrfToken).orElse(null);
    }

    /**
     * The caller of an API request without credentials of its own, from its session cookie; empty
     * when it has no live session.
     *
     * @param readOnly whether the call only reads whatever its method (the statistics page's POST
     *                 queries): then, like GET and HEAD, it needs no CSRF token
     * @throws BinderyException forbidden for a method other than GET and HEAD without the session's
     *                          CSRF token in {@value #CSRF_HEADER}, unless {@code readOnly}
     */
    public Optional<Caller> apiCaller(Context ctx, boolean readOnly) {
        if (ctx.cookie(COOKIE) == null) {
            return Optional.empty();
        }
        var session = session(ctx);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        var method = ctx.method();
        if (method != HandlerType.GET && method != HandlerType.HEAD && !readOnly
                && !SessionService.csrfMatches(session.get(), ctx.header(CSRF_HEADER))) {
            throw BinderyException.forbidden("A call with the web UI's session needs its CSRF token in the "
                    + CSRF_HEADER + " header");
        }
        return Optional.of(session.get().caller().at(clientIp(ctx)));
    }

    /** Starts the session in the browser: sets its cookie and drops the log-in form's. */
    void start(Context ctx, SessionService.NewSession session) {
        setCookie(ctx, COOKIE, session.id(), SessionService.ABSOLUTE.toSeconds());
        setCookie(ctx, LOGIN_COOKIE, "", 0);
        ctx.attribute(ATTRIBUTE, sessions.session(session.id()));
    }

    /** Ends the request's session, here and in the browser. */
    void end(Context ctx) {
        sessions.logOut(ctx.cookie(COOKIE));
        setCookie(ctx, COOKIE, "", 0);
        ctx.attribute(ATTRIBUTE, Optional.empty());
    }

    /** The log-in form's token: the {@value #LOGIN_COOKIE} cookie's value, set now if the browser has none. */
    String loginToken(Context ctx) {
        var token = ctx.cookie(LOGIN_COOKIE);
        if (token == null || !token.matches("[A-Za-z0-9_-]{43}")) {
            token = SessionService.newId();
            setCookie(ctx, LOGIN_COOKIE, token, LOGIN_COOKIE_SECONDS);
        }
        return token;
    }

    /** Refuses (403) a log-in post that is cross-site or whose form token is not its cookie's. */
    void checkLoginPost(Context ctx) {
        checkOrigin(ctx);
        var cookie = ctx.cookie(LOGIN_COOKIE);
        if (cookie == null || !equal(cookie, ctx.formParam(CSRF_FIELD))) {
            throw BinderyException.forbidden(
                    "The log-in form expired or came from another site; reload it and try again");
        }
    }

    /** Refuses (403) a form post that is cross-site or lacks the session's CSRF token. */
    void checkFormPost(Context ctx, Session session) {
        checkOrigin(ctx);
        if (!SessionService.csrfMatches(session, ctx.formParam(CSRF_FIELD))) {
            throw BinderyException.forbidden(
                    "The form expired or came from another site; reload the page and try again");
        }
    }

    /**
     * Refuses (403) a post whose {@code Origin} (or, without one, {@code Referer}) is not this host,
     * or which has neither: every browser sends one of them with a form post.
     */
    static void checkOrigin(Context ctx) {
        var origin = ctx.header("Origin");
        var source = origin != null ? origin : ctx.header("Referer");
        String authority = null;
        if (source != null && !source.equals("null")) {
            try {
                authority = URI.create(source.strip()).getRawAuthority();
            } catch (IllegalArgumentException e) {
                authority = null;
            }
        }
        var host = ctx.header("Host");
        if (authority == null || host == null || !authority.equalsIgnoreCase(host.strip())) {
            throw BinderyException.forbidden("Cross-site form posts are refused");
        }
    }

    private void setCookie(Context ctx, String name, String value, long maxAgeSeconds) {
        ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (https.test(ctx) ? "; Secure" : ""));
    }

    private static boolean equal(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
