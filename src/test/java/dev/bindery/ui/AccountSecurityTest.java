package dev.bindery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.events.EventType;
import dev.bindery.events.StoredEvent;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import dev.bindery.support.MutableClock;
import dev.bindery.support.Response;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Log-in, sessions and CSRF over plain HTTP, where headers matter: the cookie's flags, forged and
 * cross-site posts, the outbox's log-in events, and the API called with a session.
 */
class AccountSecurityTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer clocked = BinderyServer.withClock(CLOCK);

    /** Behind a TLS-terminating proxy on this host. */
    @RegisterExtension
    static final BinderyServer proxied = new BinderyServer(config -> config.withTrustedProxies(List.of("127.0.0.1")));

    private static final Pattern CSRF_META = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">");
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** A browser-like client: keeps the cookies it is given, sends this site's Origin on posts. */
    static final class Visitor {
        final Map<String, String> cookies = new LinkedHashMap<>();
        private final BinderyServer on;
        private final Client client;

        Visitor() {
            this(server);
        }

        Visitor(BinderyServer on) {
            this.on = on;
            this.client = on.anonymous();
        }

        Response get(String path, String... headers) {
            return remember(client.send(withCookies(client.request(path, headers)).GET()));
        }

        Response post(String path, Map<String, String> form, String origin) {
            var body = form.entrySet().stream()
                    .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            var request = withCookies(client.request(path, "Content-Type", "application/x-www-form-urlencoded"));
            if (origin != null) {
                request.header("Origin", origin);
            }
            return remember(client.send(request.POST(HttpRequest.BodyPublishers.ofString(body))));
        }

        Response post(String path, Map<String, String> form) {
            return post(path, form, on.baseUrl());
        }

        Response api(String method, String path, String body, String... headers) {
            var request = withCookies(client.request(path, headers));
            return client.send(request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body)));
        }

        /** Logs in through the form as a browser would; returns the answer to the post. */
        Response logIn(String user, String apiKey) {
            var form = get("/_login");
            assertThat(form.status()).isEqualTo(200);
            return post("/_login", Map.of("csrf", field(form.body()), "user", user, "api_key", apiKey, "next", ""));
        }

        private HttpRequest.Builder withCookies(HttpRequest.Builder builder) {
            if (!cookies.isEmpty()) {
                builder.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("; ")));
            }
            return builder;
        }

        private Response remember(Response response) {
            for (var header : response.headers().allValues("set-cookie")) {
                var pair = header.substring(0, header.indexOf(';'));
                var name = pair.substring(0, pair.indexOf('='));
                var value = pair.substring(pair.indexOf('=') + 1);
                if (value.isEmpty()) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        }
    }

    static String field(String html) {
        var matcher = CSRF_FIELD.matcher(html);
        assertThat(matcher.find()).as("a csrf field in " + html).isTrue();
        return matcher.group(1);
    }

    static String metaToken(String html) {
        var matcher = CSRF_META.matcher(html);
        assertThat(matcher.find()).as("a csrf-token meta tag").isTrue();
        return matcher.group(1);
    }

    private static List<StoredEvent> eventsAfter(long seq) {
        return server.bindery().events().after(seq, 1000);
    }

    @Test
    void sessionCookieIsHttpOnlySameSiteAndNotSecureOverPlainHttp() {
        // given
        var visitor = new Visitor();
        // when
        var response = visitor.logIn("carol", server.apiKey("carol"));
        // then: redirected to the user's page with a session cookie
        assertThat(response.status()).as(response.toString()).isEqualTo(303);
        assertThat(response.header("Location")).isEqualTo("/carol");
        var cookie = response.headers().allValues("set-cookie").stream()
                .filter(value -> value.startsWith(WebSessions.COOKIE + "=")).findFirst().orElseThrow();
        assertThat(cookie).contains("; HttpOnly").contains("; SameSite=Lax").contains("; Path=/")
                .doesNotContain("Secure");
        assertThat(cookie.substring(WebSessions.COOKIE.length() + 1, cookie.indexOf(';'))).matches("[A-Za-z0-9_-]{43}");
        // and X-Forwarded-Proto from an address that is no trusted proxy does not make it Secure
        var forwarded = new Visitor().get("/_login", "X-Forwarded-Proto", "https");
        assertThat(forwarded.header("Set-Cookie")).startsWith(WebSessions.LOGIN_COOKIE + "=").contains("; HttpOnly")
                .doesNotContain("Secure");
    }

    @Test
    void logInWritesLoginSuccessAndWrongKeyWritesLoginFailureWithoutTheKey() {
        // given
        server.apiKey("dora");
        long start = server.bindery().events().latestSeq();
        // when: a wrong key, then the right one
        var wrong = new Visitor().logIn("dora", "not-the-key-0123456789");
        var right = new Visitor().logIn("dora", server.apiKey("dora"));
        // then
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong user name or API key");
        assertThat(wrong.headers().allValues("set-cookie")).noneMatch(value -> value.startsWith(WebSessions.COOKIE + "="));
        assertThat(right.status()).isEqualTo(303);
        var events = eventsAfter(start).stream().map(StoredEvent::event).toList();
        assertThat(events).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(EventType.LOGIN_FAILURE);
            assertThat(event.subject()).isEqualTo("dora");
            assertThat(event.ipAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(events).anySatisfy(event -> {
            assertThat(event.type()).isEqualTo(EventType.LOGIN_SUCCESS);
            assertThat(event.subject()).isEqualTo("dora");
            assertThat(event.ipAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(events.toString()).doesNotContain("not-the-key").doesNotContain(server.apiKey("dora"));
    }

    @Test
    void logInFormRefusesPostsWithoutItsCookieTokenOrFromAnotherSite() {
        // given: the form's token
        var visitor = new Visitor();
        var token = field(visitor.get("/_login").body());
        var key = server.apiKey("erin");
        // when: another site's form, a forged token, no Origin at all
        var foreign = visitor.post("/_login", Map.of("csrf", token, "user", "erin", "api_key", key),
                "https://evil.example.com");
        var forged = visitor.post("/_login", Map.of("csrf", "x".repeat(43), "user", "erin", "api_key", key));
        var noOrigin = visitor.post("/_login", Map.of("csrf", token, "user", "erin", "api_key", key), null);
        var noCookie = new Visitor().post("/_login", Map.of("csrf", token, "user", "erin", "api_key", key));
        // then: all refused, no session
        for (var response : List.of(foreign, forged, noOrigin, noCookie)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
            assertThat(response.headers().allValues("set-cookie"))
                    .noneMatch(value -> value.startsWith(WebSessions.COOKIE + "=") && !value.startsWith(WebSessions.COOKIE + "=;"));
        }
        assertThat(visitor.cookies).doesNotContainKey(WebSessions.COOKIE);
    }

    @Test
    void crossSiteOrForgedAccountPostsAreRefusedAndChangeNothing() {
        // given: a logged-in visitor
        var visitor = new Visitor();
        assertThat(visitor.logIn("fred", server.apiKey("fred")).status()).isEqualTo(303);
        var page = visitor.get("/_account");
        assertThat(page.status()).isEqualTo(200);
        var token = field(page.body());
        // when: token creation from another site (with the right token), with a wrong token, without one
        var foreign = visitor.post("/_account/tokens", Map.of("csrf", token, "name", "a", "scope", "admin"),
                "http://evil.example.com");
        var wrong = visitor.post("/_account/tokens", Map.of("csrf", "nope", "name", "b", "scope", "admin"));
        var missing = visitor.post("/_account/tokens", Map.of("name", "c", "scope", "admin"));
        var keyChange = visitor.post("/_account/api-key", Map.of("csrf", token), "http://evil.example.com");
        // then: refused with the error page, and fred has no tokens and the same key
        for (var response : List.of(foreign, wrong, missing, keyChange)) {
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
            assertThat(response.body()).contains("<h1>Error 403</h1>");
        }
        var tokens = server.as("fred").get("/api/v1/users/fred/tokens");
        assertThat(tokens.status()).isEqualTo(200);
        assertThat(tokens.json()).isEmpty();
        assertThat(server.as("fred").get("/api/v1/users/fred").status()).isEqualTo(200);
        // and the same post from this site with the token works
        var created = visitor.post("/_account/tokens", Map.of("csrf", token, "name", "ok", "scope", "read"));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(server.as("fred").get("/api/v1/users/fred/tokens").json()).hasSize(1);
    }

    @Test
    void accountPageRedirectsAnonymousVisitorsToLogIn() {
        var response = new Visitor().get("/_account");
        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("/_login?next=%2F_account");
    }

    @Test
    void logInRedirectsOnlyToPathsOfThisSite() {
        var visitor = new Visitor();
        var form = visitor.get("/_login?next=%2F%2Fevil.example.com");
        var response = visitor.post("/_login", Map.of("csrf", field(form.body()), "user", "gina",
                "api_key", server.apiKey("gina"), "next", "//evil.example.com"));
        assertThat(response.status()).isEqualTo(303);
        assertThat(response.header("Location")).isEqualTo("/gina");
    }

    @Test
    void apiAcceptsTheSessionForReadsAndForWritesOnlyWithTheCsrfHeader() {
        // given: a private repository and a logged-in owner
        server.createRepository("hank", "vault", "{\"type\": \"generic\", \"private\": true}");
        var visitor = new Visitor();
        assertThat(visitor.logIn("hank", server.apiKey("hank")).status()).isEqualTo(303);
        var csrf = metaToken(visitor.get("/hank").body());
        // when / then: a read with the session sees the private repository; anonymously it does not
        assertThat(visitor.api("GET", "/api/v1/repos/hank/vault", null).status()).isEqualTo(200);
        assertThat(server.anonymous().get("/api/v1/repos/hank/vault").status()).isIn(401, 404);
        // a write without the CSRF header is refused and changes nothing
        var refused = visitor.api("POST", "/api/v1/users/hank/tokens", "{\"name\": \"x\", \"scope\": \"read\"}",
                "Content-Type", "application/json");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.message()).contains("X-CSRF-Token");
        var wrong = visitor.api("POST", "/api/v1/users/hank/tokens", "{\"name\": \"x\", \"scope\": \"read\"}",
                "Content-Type", "application/json", "X-CSRF-Token", "wrong");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(server.as("hank").get("/api/v1/users/hank/tokens").json()).isEmpty();
        // with it, the write is made as the session's user
        var made = visitor.api("POST", "/api/v1/users/hank/tokens", "{\"name\": \"x\", \"scope\": \"read\"}",
                "Content-Type", "application/json", "X-CSRF-Token", csrf);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(server.as("hank").get("/api/v1/users/hank/tokens").json()).hasSize(1);
    }

    @Test
    void logOutEndsTheSessionEverywhere() {
        // given
        var visitor = new Visitor();
        assertThat(visitor.logIn("ivan", server.apiKey("ivan")).status()).isEqualTo(303);
        var session = visitor.cookies.get(WebSessions.COOKIE);
        var csrf = metaToken(visitor.get("/ivan").body());
        // when: a cross-site log-out is refused, a real one works
        assertThat(visitor.post("/_logout", Map.of("csrf", csrf), "http://evil.example.com").status()).isEqualTo(403);
        assertThat(visitor.get("/_account").status()).isEqualTo(200);
        var out = visitor.post("/_logout", Map.of("csrf", csrf));
        // then: the cookie is cleared, and the old session id no longer works, for pages or the API
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.headers().allValues("set-cookie")).anyMatch(value -> value.startsWith(WebSessions.COOKIE + "=;")
                && value.contains("Max-Age=0"));
        var replay = new Visitor();
        replay.cookies.put(WebSessions.COOKIE, session);
        assertThat(replay.get("/_account").status()).isEqualTo(302);
        assertThat(replay.api("GET", "/api/v1/users/ivan/tokens", null).status()).isEqualTo(401);
    }

    @Test
    void accessKeysCannotLogIn() {
        // given: an access key of jill's
        var created = server.as("jill").postJson("/api/v1/users/jill/access_keys",
                "{\"id\": \"web\", \"password\": \"secret-password-1\", \"api_only\": false}");
        assertThat(created.status()).as(created.toString()).isIn(200, 201);
        // when
        var response = new Visitor().logIn("web@jill", "secret-password-1");
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.body()).contains("Access keys cannot log in");
    }

    @Test
    void unknownSessionCookieIsAnonymous() {
        var visitor = new Visitor();
        visitor.cookies.put(WebSessions.COOKIE, "x".repeat(43));
        assertThat(visitor.get("/_account").status()).isEqualTo(302);
        assertThat(visitor.api("GET", "/api/v1/repos/hank", null).status()).isIn(200, 404);
    }

    @Test
    void sessionEndsAfterTwelveIdleHoursAndAfterSevenDaysWhateverTheUse() {
        // given: a session used every 11 hours
        var visitor = new Visitor(clocked);
        assertThat(visitor.logIn("kim", clocked.apiKey("kim")).status()).isEqualTo(303);
        for (int i = 0; i < 15; i++) {
            CLOCK.advance(Duration.ofHours(11));
            assertThat(visitor.get("/_account").status()).as("after " + (i + 1) * 11 + " hours").isEqualTo(200);
        }
        // when: 7 days have passed since the log-in (15 x 11 h = 165 h; 3 more make 168)
        CLOCK.advance(Duration.ofHours(3));
        // then
        assertThat(visitor.get("/_account").status()).isEqualTo(302);
        // and a fresh session ends after 12 idle hours
        var idle = new Visitor(clocked);
        assertThat(idle.logIn("kim", clocked.apiKey("kim")).status()).isEqualTo(303);
        CLOCK.advance(Duration.ofHours(12));
        assertThat(idle.get("/_account").status()).isEqualTo(302);
    }

    @Test
    void repeatedFailedLogInsAreThrottledEvenWithTheRightKeyAfterwards() {
        // given: the per-name limit of failures for lou
        var key = clocked.apiKey("lou");
        var visitor = new Visitor(clocked);
        for (int i = 0; i <= dev.bindery.access.SessionService.FAILURES_PER_NAME; i++) {
            assertThat(visitor.logIn("lou", "wrong-" + i).status()).isEqualTo(401);
        }
        // when / then: refused, even with the right key
        var throttled = visitor.logIn("lou", key);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.body()).contains("Too many failed log-ins");
        // and after the window, the right key works again
        CLOCK.advance(Duration.ofMinutes(11));
        assertThat(visitor.logIn("lou", key).status()).isEqualTo(303);
    }

    @Test
    void cookiesAreSecureWhenATrustedProxySaysTheClientUsedHttps() {
        // given: a log-in form fetched through the proxy over https
        var visitor = new Visitor(proxied);
        var form = visitor.get("/_login", "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9");
        assertThat(form.header("Set-Cookie")).startsWith(WebSessions.LOGIN_COOKIE + "=").contains("; Secure");
        long start = proxied.bindery().events().latestSeq();
        // when
        var response = visitor.client.send(visitor.withCookies(visitor.client.request("/_login",
                        "Content-Type", "application/x-www-form-urlencoded", "Origin", proxied.baseUrl(),
                        "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9"))
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + field(form.body()) + "&user=mia&api_key="
                        + proxied.apiKey("mia"))));
        // then: a Secure session cookie, and the event has the client's address, not the proxy's
        assertThat(response.status()).as(response.toString()).isEqualTo(303);
        assertThat(response.headers().allValues("set-cookie"))
                .anyMatch(value -> value.startsWith(WebSessions.COOKIE + "=") && value.contains("; Secure")
                        && value.contains("; HttpOnly") && value.contains("; SameSite=Lax"));
        var success = proxied.bindery().events().after(start, 100).stream().map(StoredEvent::event)
                .filter(event -> event.type() == EventType.LOGIN_SUCCESS).findFirst().orElseThrow();
        assertThat(success.ipAddress()).isEqualTo("203.0.113.9");
    }

    @Test
    void newApiKeyEndsTheUsersOtherSessionsButNotTheOneThatAskedForIt() {
        // given: nora logged in twice (say, her laptop and a stolen key's session)
        var key = server.apiKey("nora");
        var laptop = new Visitor();
        var other = new Visitor();
        assertThat(laptop.logIn("nora", key).status()).isEqualTo(303);
        assertThat(other.logIn("nora", key).status()).isEqualTo(303);
        var csrf = field(laptop.get("/_account").body());
        // when
        var changed = laptop.post("/_account/api-key", Map.of("csrf", csrf));
        // then
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body()).contains("id=\"secret-value\"");
        assertThat(laptop.get("/_account").status()).isEqualTo(200);
        assertThat(other.get("/_account").status()).isEqualTo(302);
        assertThat(other.api("GET", "/api/v1/users/nora/tokens", null).status()).isEqualTo(401);
    }
}
