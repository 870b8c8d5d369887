package dev.bindery.ui;

import dev.bindery.BinderyException;
import dev.bindery.access.SessionService.Session;
import dev.bindery.access.TokenService;
import dev.bindery.access.TokenService.CreateTokenRequest;
import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.signing.GpgKeys.KeyInfo;
import dev.bindery.signing.SigningService;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * Logging in and out of the web UI, and the account page: {@code /_login}, {@code /_logout},
 * {@code /_account} and its forms (a new API key, bearer tokens, the GPG key), and {@code /_follow},
 * the Follow buttons of package and subject pages. Paths start with
 * {@code _}, which no subject name may, so they never shadow a subject's page. Every change is a
 * form POST checked by {@link WebSessions} (same origin, CSRF token) and made by the same domain
 * services, with the same caller, as the REST API's calls. Pages showing secrets are not cached
 * and may not be framed.
 */
public final class AccountRoutes {

    private static final int MAX_TOKEN_DAYS = 3650;

    private final WebSessions sessions;
    private final SubjectService subjects;
    private final ContentService content;
    private final TokenService tokens;
    private final SigningService signing;
    private final ToIntFunction<BinderyException.Kind> statusOf;
    private final Clock clock;
    private final Templates templates = new Templates();

    /** @param statusOf the HTTP status of a domain failure, as the API answers it */
    public AccountRoutes(WebSessions sessions, SubjectService subjects, ContentService content, TokenService tokens,
                         SigningService signing, ToIntFunction<BinderyException.Kind> statusOf, Clock clock) {
        this.clock = clock;
        this.sessions = sessions;
        this.subjects = subjects;
        this.content = content;
        this.tokens = tokens;
        this.signing = signing;
        this.statusOf = statusOf;
    }

    /** Adds the routes; call before {@link UiRoutes#register}, whose {@code /{subject}} would take them. */
    public void register(JavalinConfig config) {
        var routes = config.routes;
        routes.get("/_login", guarded(this::loginPage));
        routes.post("/_login", guarded(this::logIn));
        routes.post("/_logout", guarded(this::logOut));
        routes.get("/_account", guarded(this::accountPage));
        routes.post("/_account/api-key", guarded(ctx -> change(ctx, this::regenerateApiKey)));
        routes.post("/_account/tokens", guarded(ctx -> change(ctx, this::createToken)));
        routes.post("/_account/tokens/{id}/revoke", guarded(ctx -> change(ctx, this::revokeToken)));
        routes.post("/_account/gpg/generate", guarded(ctx -> change(ctx, this::generateGpgKey)));
        routes.post("/_account/gpg/import", guarded(ctx -> change(ctx, this::importGpgKey)));
        routes.post("/_account/gpg/delete", guarded(ctx -> change(ctx, this::deleteGpgKey)));
        routes.post("/_follow", guarded(this::follow));
    }

    /** Never cached, never framed; a refused check or domain failure renders the error page. */
    private Handler guarded(Handler handler) {
        return ctx -> {
            ctx.header("Cache-Control", "no-store");
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Content-Security-Policy", "frame-ancestors 'none'");
            try {
                handler.handle(ctx);
            } catch (BinderyException e) {
                int status = statusOf.applyAsInt(e.kind());
                var layout = Layout.of(ctx, sessions.caller(ctx).orElse(Caller.ANONYMOUS), "Error " + status);
                templates.render(ctx, status, "error", layout, new Pages.ErrorPage(status, e.getMessage()));
            }
        };
    }

    // --- log-in and log-out -------------------------------------------------------------------

    void loginPage(Context ctx) {
        var next = safeNext(ctx.queryParam("next"));
        if (sessions.session(ctx).isPresent()) {
            ctx.redirect(next == null ? "/_account" : next, HttpStatus.SEE_OTHER);
            return;
        }
        renderLogin(ctx, 200, next, "", null);
    }

    void logIn(Context ctx) {
        sessions.checkLoginPost(ctx);
        var name = ctx.formParam("user");
        var next = safeNext(ctx.formParam("next"));
        try {
            var session = sessions.service().logIn(name, ctx.formParam("api_key"), sessions.clientIp(ctx));
            // A session already in this browser (another user's, say) ends: one user per browser.
            if (sessions.session(ctx).isPresent()) {
                sessions.end(ctx);
            }
            sessions.start(ctx, session);
            ctx.redirect(next == null ? "/" + session.caller().user().name() : next,
                    HttpStatus.SEE_OTHER);
        } catch (BinderyException e) {
            renderLogin(ctx, statusOf.applyAsInt(e.kind()), next, name == null ? "" : name.strip(), e.getMessage());
        }
    }

    private void renderLogin(Context ctx, int status, String next, String userName, String error) {
        var token = sessions.loginToken(ctx);
        templates.render(ctx, status, "login", Layout.of(ctx, Caller.ANONYMOUS, "Log in"),
                new AccountPages.Login(token, next == null ? "" : next, userName, error));
    }

    void logOut(Context ctx) {
        WebSessions.checkOrigin(ctx);
        var session = sessions.session(ctx);
        if (session.isPresent()) {
            sessions.checkFormPost(ctx, session.get());
        }
        sessions.end(ctx);
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    /**
     * {@code next} if it is a path on this site (one leading slash, no scheme, no backslash, no
     * control characters), else null: an open redirect would hand the freshly logged-in user to anyone.
     */
    static String safeNext(String next) {
        if (next == null || next.isEmpty() || next.length() > 2000 || !next.startsWith("/")
                || next.startsWith("//") || next.indexOf('\\') >= 0 || next.startsWith("/_log")) {
            return null;
        }
        for (int i = 0; i < next.length(); i++) {
            if (next.charAt(i) < 0x20 || next.charAt(i) == 0x7f) {
                return null;
            }
        }
        return next;
    }

    // --- following ---------------------------------------------------------------------------------

    /**
     * The Follow and Unfollow buttons of package and subject pages (and the account page's list):
     * fields {@code subject}, with {@code repo} and {@code package} for a package, {@code action}
     * ({@code follow} or {@code unfollow}) and {@code next}, the page to return to.
     */
    void follow(Context ctx) {
        WebSessions.checkOrigin(ctx);
        var session = sessions.session(ctx)
                .orElseThrow(() -> BinderyException.unauthorized("Log in to follow packages and their owners"));
        sessions.checkFormPost(ctx, session);
        var caller = caller(ctx, session);
        var action = ctx.formParam("action");
        if (!"follow".equals(action) && !"unfollow".equals(action)) {
            throw BinderyException.badRequest("The action must be 'follow' or 'unfollow'");
        }
        boolean follow = action.equals("follow");
        var subject = formField(ctx, "subject");
        var repo = ctx.formParam("repo");
        String page;
        if (repo == null || repo.isBlank()) {
            if (follow) {
                subjects.follow(caller, subject);
            } else {
                subjects.unfollow(caller, subject);
            }
            page = Links.subject(subject);
        } else {
            var ref = new PackageRef(subject, repo, formField(ctx, "package"));
            if (follow) {
                content.follow(caller, ref);
            } else {
                content.unfollow(caller, ref);
            }
            page = Links.pkg(ref);
        }
        var next = safeNext(ctx.formParam("next"));
        ctx.redirect(next == null ? page : next, HttpStatus.SEE_OTHER);
    }

    private static String formField(Context ctx, String name) {
        var value = ctx.formParam(name);
        if (value == null || value.isBlank()) {
            throw BinderyException.badRequest("The form field '" + name + "' is required");
        }
        return value;
    }

    // --- the account page ---------------------------------------------------------------------

    void accountPage(Context ctx) {
        var session = sessions.session(ctx);
        if (session.isEmpty()) {
            ctx.redirect("/_login?next=" + URLEncoder.encode("/_account", StandardCharsets.UTF_8));
            return;
        }
        renderAccount(ctx, 200, session.get(), null, null, null, null);
    }

    /** What an account form does; returns the page to show. */
    @FunctionalInterface
    private interface Change {
        Outcome apply(Context ctx, Session session);
    }

    /** A change's result: a notice, and a secret shown this once (or null). */
    private record Outcome(String notice, String secret, String secretWhat) {
        static Outcome notice(String notice) {
            return new Outcome(notice, null, null);
        }
    }

    /**
     * Checks the post (same origin, the session's CSRF token), then makes the change and renders the
     * account page with its outcome; a domain failure renders the page with the API's status and message.
     */
    private void change(Context ctx, Change change) {
        WebSessions.checkOrigin(ctx);
        var session = sessions.session(ctx)
                .orElseThrow(() -> BinderyException.unauthorized("Log in to change your account"));
        sessions.checkFormPost(ctx, session);
        Outcome outcome;
        try {
            outcome = change.apply(ctx, session);
        } catch (BinderyException e) {
            renderAccount(ctx, statusOf.applyAsInt(e.kind()), session, null, e.getMessage(), null, null);
            return;
        }
        renderAccount(ctx, 200, session, outcome.notice(), null, outcome.secret(), outcome.secretWhat());
    }

    private Outcome regenerateApiKey(Context ctx, Session session) {
        var user = session.caller().user();
        var key = subjects.regenerateApiKey(caller(ctx, session), user.name());
        // Whoever logged in with the old key elsewhere is logged out; this browser stays in.
        sessions.service().keyReplaced(user, session);
        return new Outcome("A new API key replaces the old one, which no longer works.", key, "Your new API key");
    }

    private Outcome createToken(Context ctx, Session session) {
        var days = ctx.formParam("expires_days");
        Long expiry = null;
        if (days != null && !days.isBlank()) {
            long count;
            try {
                count = Long.parseLong(days.strip());
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count < 1 || count > MAX_TOKEN_DAYS) {
                throw BinderyException.badRequest("Expiry must be a whole number of days from 1 to " + MAX_TOKEN_DAYS
                        + ", or empty for never");
            }
            expiry = clock.millis() + Duration.ofDays(count).toMillis();
        }
        var scope = ctx.formParam("scope");
        var created = tokens.create(caller(ctx, session), session.caller().user().name(),
                new CreateTokenRequest(ctx.formParam("name"), expiry,
                        scope == null ? null : scope.toLowerCase(Locale.ROOT)));
        return new Outcome("Token '" + created.stored().name() + "' created.", created.token(),
                "Your new token '" + created.stored().name() + "'");
    }

    private Outcome revokeToken(Context ctx, Session session) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw BinderyException.notFound("Token '" + ctx.pathParam("id") + "' was not found");
        }
        var user = session.caller().user().name();
        var name = tokens.get(caller(ctx, session), user, id).name();
        tokens.revoke(caller(ctx, session), user, id);
        return Outcome.notice("Token '" + name + "' revoked.");
    }

    private Outcome generateGpgKey(Context ctx, Session session) {
        var key = signing.generateKey(caller(ctx, session), session.caller().user().name(),
                passphrase(ctx.formParam("passphrase")));
        return Outcome.notice("Generated GPG key " + key.fingerprint() + ".");
    }

    private Outcome importGpgKey(Context ctx, Session session) {
        var armored = ctx.formParam("private_key");
        if (armored == null || armored.isBlank()) {
            throw BinderyException.badRequest("Paste an ASCII-armored OpenPGP private key");
        }
        var key = signing.importKey(caller(ctx, session), session.caller().user().name(), armored,
                passphrase(ctx.formParam("passphrase")));
        return Outcome.notice("Imported GPG key " + key.fingerprint() + ".");
    }

    private Outcome deleteGpgKey(Context ctx, Session session) {
        signing.deleteKey(caller(ctx, session), session.caller().user().name());
        return Outcome.notice("GPG key deleted.");
    }

    private static char[] passphrase(String text) {
        return text == null || text.isEmpty() ? null : text.toCharArray();
    }

    private Caller caller(Context ctx, Session session) {
        return session.caller().at(sessions.clientIp(ctx));
    }

    private void renderAccount(Context ctx, int status, Session session, String notice, String error, String secret,
                               String secretWhat) {
        var caller = caller(ctx, session);
        var user = subjects.user(caller.user().name());
        KeyInfo key = null;
        String publicKey = null;
        try {
            key = signing.key(caller, user.name());
            publicKey = signing.publicKey(user);
        } catch (BinderyException e) {
            if (e.kind() != BinderyException.Kind.NOT_FOUND) {
                throw e;
            }
        }
        templates.render(ctx, status, "account", Layout.of(ctx, caller, "Account"),
                new AccountPages.Account(user, session.csrfToken(), tokens.list(caller, user.name()), key, publicKey,
                        content.followedPackages(caller), subjects.followed(caller), notice, error, secret, secretWhat));
    }
}
