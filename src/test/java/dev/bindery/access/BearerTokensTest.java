package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import dev.bindery.support.RawHttp;
import dev.bindery.support.Response;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bearer tokens (SourceForge's pre-negotiated tokens): created, listed and revoked by their user,
 * accepted as {@code Authorization: Bearer} and as the {@code access_token} parameter on the API
 * and on downloads, capped at their scope, refused once expired or revoked.
 */
class BearerTokensTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(CLOCK);

    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";
    private static final String FILE = "/dl/tara/vault/secret/file.txt";
    private static final String REPOSITORY = "/api/v1/repos/tara/vault";
    private static final String TOKENS = "/api/v1/users/tara/tokens";

    @BeforeAll
    static void seed() {
        server.createRepository("tara", "vault", PRIVATE);
        server.createPackage("tara", "vault", "tool");
        server.publishFile("tara", "vault", "tool", "1.0", "secret/file.txt", "secret content");
    }

    private static JsonNode createToken(String name, String scope) {
        var response = server.as("tara").postJson(TOKENS, "{\"name\": \"" + name + "\", \"scope\": \"" + scope + "\"}");
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return response.json();
    }

    private static Response getWithBearer(String path, String token) {
        return server.anonymous().get(path, "Authorization", "Bearer " + token);
    }

    private static String param(String token) {
        return URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    @Test
    void createsListsAndRevokesTokensShowingTheSecretOnce() {
        // when
        var created = createToken("ci", "read");
        // then: the token is shown with its details
        var token = created.get("token").asText();
        assertThat(token).startsWith("bdt_").hasSizeGreaterThanOrEqualTo(4 + 27);
        assertThat(created.get("id").asLong()).isPositive();
        assertThat(created.get("name").asText()).isEqualTo("ci");
        assertThat(created.get("scope").asText()).isEqualTo("read");
        assertThat(created.get("expiry").isNull()).isTrue();
        assertThat(created.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        long id = created.get("id").asLong();

        // when: listed and fetched
        var list = server.as("tara").get(TOKENS);
        var one = server.as("tara").get(TOKENS + "/" + id);
        // then: without the secret
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(token);
        assertThat(list.json().findValues("name")).extracting(JsonNode::asText).contains("ci");
        for (var entry : list.json()) {
            assertThat(entry.has("token")).isFalse();
            assertThat(entry.has("last_used")).isTrue();
        }
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("name").asText()).isEqualTo("ci");
        assertThat(one.body()).doesNotContain(token);

        // when: revoked
        var deleted = server.as("tara").delete(TOKENS + "/" + id);
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.message()).isEqualTo("success");
        assertThat(server.as("tara").get(TOKENS + "/" + id).status()).isEqualTo(404);
        assertThat(server.as("tara").delete(TOKENS + "/" + id).status()).isEqualTo(404);
    }

    @Test
    void refusesBadTokenRequests() {
        // when / then
        assertThat(server.as("tara").postJson(TOKENS, "{\"scope\": \"read\"}").status()).isEqualTo(400);
        assertThat(server.as("tara").postJson(TOKENS, "{\"name\": \"x\"}").status()).isEqualTo(400);
        assertThat(server.as("tara").postJson(TOKENS, "{\"name\": \"x\", \"scope\": \"root\"}").status())
                .isEqualTo(400);
        assertThat(server.as("tara").postJson(TOKENS, "{\"name\": \"x\", \"scope\": \"read\", \"expiry\": "
                + (CLOCK.millis() - 1000) + "}").status()).isEqualTo(400);
        createToken("twice", "read");
        assertThat(server.as("tara").postJson(TOKENS, "{\"name\": \"twice\", \"scope\": \"read\"}").status())
                .isEqualTo(409);
    }

    @Test
    void onlyTheUserOrASiteAdminManagesTheirTokens() {
        // given
        server.apiKey("tara");
        var readToken = createToken("reader-manages", "read").get("token").asText();
        var adminToken = createToken("admin-manages", "admin").get("token").asText();
        // when / then
        assertThat(server.anonymous().get(TOKENS).status()).isEqualTo(401);
        assertThat(server.as("mallory").get(TOKENS).status()).isEqualTo(403);
        assertThat(server.as("mallory").postJson(TOKENS, "{\"name\": \"m\", \"scope\": \"admin\"}").status())
                .isEqualTo(403);
        assertThat(server.as("admin").get(TOKENS).status()).isEqualTo(200);
        assertThat(getWithBearer(TOKENS, readToken).status()).isEqualTo(403);
        assertThat(getWithBearer(TOKENS, adminToken).status()).isEqualTo(200);
    }

    @Test
    void bearerHeaderOpensPrivateRepositoryOnApiAndDownloads() {
        // given
        var token = createToken("header", "read").get("token").asText();
        // when
        var anonymousApi = server.anonymous().get(REPOSITORY);
        var anonymousDownload = server.anonymous().get(FILE);
        var api = getWithBearer(REPOSITORY, token);
        var download = getWithBearer(FILE, token);
        // then
        assertThat(anonymousApi.status()).isEqualTo(401);
        assertThat(anonymousDownload.status()).isEqualTo(401);
        assertThat(api.status()).as("%s", api).isEqualTo(200);
        assertThat(download.status()).as("%s", download).isEqualTo(200);
        assertThat(download.body()).isEqualTo("secret content");
    }

    @Test
    void accessTokenParameterOpensPrivateRepositoryOnApiAndDownloads() {
        // given
        var token = createToken("param", "publish").get("token").asText();
        // when
        var api = server.anonymous().get(REPOSITORY + "?access_token=" + param(token));
        var download = server.anonymous().get(FILE + "?access_token=" + param(token));
        var form = server.anonymous().send(server.anonymous().request("/api/v1/calc_metadata/tara/vault",
                        "Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("access_token=" + param(token))));
        var formWrong = server.anonymous().send(server.anonymous().request("/api/v1/calc_metadata/tara/vault",
                        "Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("access_token=bdt_wrong")));
        // then
        assertThat(api.status()).as("%s", api).isEqualTo(200);
        assertThat(download.status()).as("%s", download).isEqualTo(200);
        assertThat(download.body()).isEqualTo("secret content");
        // Bindery's POST calls take JSON: a form body gets past authentication, then is refused as no JSON.
        assertThat(form.status()).as("%s", form).isEqualTo(400);
        assertThat(form.message()).contains("JSON");
        assertThat(formWrong.status()).isEqualTo(401);
    }

    @Test
    void refusesUnknownTokensAndTwoCredentialsAtOnce() {
        // given
        var token = createToken("both", "read").get("token").asText();
        // when
        var unknownApi = getWithBearer(REPOSITORY, "bdt_not-a-token");
        var unknownDownload = server.anonymous().get(FILE + "?access_token=bdt_not-a-token");
        var both = server.as("tara").get(REPOSITORY + "?access_token=" + param(token));
        // then
        assertThat(unknownApi.status()).isEqualTo(401);
        assertThat(unknownDownload.status()).isEqualTo(401);
        assertThat(unknownDownload.body()).doesNotContain("secret content");
        assertThat(both.status()).isEqualTo(400);
    }

    @Test
    void readScopedTokenDownloadsButCannotUpload() {
        // given
        var read = createToken("read-only", "read").get("token").asText();
        var publish = createToken("publisher", "publish").get("token").asText();
        var upload = "/api/v1/content/tara/vault/tool/1.1/new.txt";
        // when
        var download = getWithBearer(FILE, read);
        var refused = server.anonymous().put(upload, "new", "Authorization", "Bearer " + read);
        var allowed = server.anonymous().put(upload, "new", "Authorization", "Bearer " + publish);
        // then
        assertThat(download.status()).isEqualTo(200);
        assertThat(refused.status()).as("%s", refused).isEqualTo(403);
        assertThat(allowed.status()).as("%s", allowed).isEqualTo(201);
    }

    @Test
    void scopeCapsAdministrationOutsideRepositoryPermissionsToo() {
        // given
        var read = createToken("read-admin", "read").get("token").asText();
        var publish = createToken("publish-admin", "publish").get("token").asText();
        var admin = createToken("admin-admin", "admin").get("token").asText();
        var body = "{\"type\": \"generic\"}";
        // when / then: creating a repository needs admin rights on the subject
        assertThat(server.anonymous().send(server.anonymous().request("/api/v1/repos/tara/by-read",
                "Authorization", "Bearer " + read, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).status()).isEqualTo(403);
        assertThat(server.anonymous().send(server.anonymous().request("/api/v1/repos/tara/by-publish",
                "Authorization", "Bearer " + publish, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).status()).isEqualTo(403);
        assertThat(server.anonymous().send(server.anonymous().request("/api/v1/repos/tara/by-admin",
                "Authorization", "Bearer " + admin, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).status()).isEqualTo(201);
    }

    @Test
    void expiredTokenIsRefused() {
        // given: a token valid for an hour, used once (so its caller is cached)
        long expiry = CLOCK.millis() + Duration.ofHours(1).toMillis();
        var created = server.as("tara").postJson(TOKENS, "{\"name\": \"short\", \"scope\": \"read\", \"expiry\": "
                + expiry + "}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("expiry").asLong()).isEqualTo(expiry);
        var token = created.json().get("token").asText();
        assertThat(getWithBearer(FILE, token).status()).isEqualTo(200);
        // when: the hour passes
        CLOCK.advance(Duration.ofHours(2));
        // then
        assertThat(getWithBearer(FILE, token).status()).isEqualTo(401);
        assertThat(getWithBearer(REPOSITORY, token).status()).isEqualTo(401);
        assertThat(server.anonymous().get(REPOSITORY + "?access_token=" + param(token)).status()).isEqualTo(401);
    }

    @Test
    void revokedTokenIsRefusedImmediately() {
        // given: a token in use
        var created = createToken("revoked", "admin");
        var token = created.get("token").asText();
        assertThat(getWithBearer(REPOSITORY, token).status()).isEqualTo(200);
        assertThat(getWithBearer(FILE, token).status()).isEqualTo(200);
        // when
        assertThat(server.as("tara").delete(TOKENS + "/" + created.get("id").asLong()).status()).isEqualTo(200);
        // then: the very next requests
        var api = RawHttp.request(server.port(), "GET " + REPOSITORY + " HTTP/1.1", "Authorization: Bearer " + token);
        var download = RawHttp.request(server.port(), "GET " + FILE + " HTTP/1.1", "Authorization: Bearer " + token);
        assertThat(api.status()).isEqualTo(401);
        assertThat(download.status()).isEqualTo(401);
        assertThat(download.body()).doesNotContain("secret content");
    }

    @Test
    void recordsWhenATokenWasLastUsed() throws InterruptedException {
        // given
        var created = createToken("tracked", "read");
        var path = TOKENS + "/" + created.get("id").asLong();
        assertThat(server.as("tara").get(path).json().get("last_used").isNull()).isTrue();
        // when
        assertThat(getWithBearer(FILE, created.get("token").asText()).status()).isEqualTo(200);
        // then: written by the next flush
        JsonNode lastUsed = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            lastUsed = server.as("tara").get(path).json().get("last_used");
            if (!lastUsed.isNull()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(lastUsed).isNotNull();
        assertThat(lastUsed.isNull()).as("last_used after the flush").isFalse();
        assertThat(lastUsed.asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }
}
