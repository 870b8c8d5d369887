package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.RawHttp;
import dev.bindery.support.RawHttp.RawResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP Basic with user:apikey, sent as raw requests so the header goes out exactly as written:
 * credentials that are present but wrong or malformed are refused with 401 and a challenge, even
 * where anonymous access would have been allowed.
 */
class AuthenticationTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String PUBLIC_FILE = "/dl/gina/generic/pub/file.txt";
    private static final String PUBLIC_REPOSITORY = "/api/v1/repos/gina/generic";

    @BeforeAll
    static void seed() {
        server.createRepository("gina", "generic");
        server.createPackage("gina", "generic", "tool");
        server.publishFile("gina", "generic", "tool", "1.0", "pub/file.txt", "public content");
    }

    private static String basic(String credentials) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertChallenged(RawResponse response) {
        assertThat(response.status()).as("%s", response).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(response.message()).isNotBlank();
        assertThat(response.body()).doesNotContain("public content");
    }

    @Test
    void servesPublicResourcesToAnonymousCallers() {
        // when
        var download = RawHttp.request(server.port(), "GET " + PUBLIC_FILE + " HTTP/1.1");
        var repository = RawHttp.request(server.port(), "GET " + PUBLIC_REPOSITORY + " HTTP/1.1");
        // then
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("public content");
        assertThat(repository.status()).isEqualTo(200);
    }

    @Test
    void servesPublicResourcesWithRightCredentials() {
        // when
        var response = RawHttp.request(server.port(), "GET " + PUBLIC_FILE + " HTTP/1.1",
                basic("gina:" + server.apiKey("gina")));
        // then
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void refusesWrongApiKeyOnPublicDownload() {
        // given
        server.apiKey("walt");
        // when
        var response = RawHttp.request(server.port(), "GET " + PUBLIC_FILE + " HTTP/1.1", basic("walt:not-the-key"));
        // then
        assertChallenged(response);
    }

    @Test
    void refusesWrongApiKeyOnPublicApiResource() {
        // given
        server.apiKey("wendy");
        // when
        var response = RawHttp.request(server.port(), "GET " + PUBLIC_REPOSITORY + " HTTP/1.1",
                basic("wendy:not-the-key"));
        // then
        assertChallenged(response);
    }

    @Test
    void refusesAnotherUsersApiKey() {
        // given: two real users
        server.apiKey("xena");
        var yannsKey = server.apiKey("yann");
        // when
        var response = RawHttp.request(server.port(), "GET " + PUBLIC_FILE + " HTTP/1.1", basic("xena:" + yannsKey));
        // then
        assertChallenged(response);
    }

    @Test
    void refusesUnknownUser() {
        // when
        var response = RawHttp.request(server.port(), "HEAD " + PUBLIC_FILE + " HTTP/1.1", basic("nobody-here:key"));
        // then: HEAD has no body, but the status and challenge are there
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic realm=");
    }

    @Test
    void refusesWrongCredentialsOnUploadBeforeStoringAnything() {
        // given
        server.apiKey("vince");
        var body = "sneaky".getBytes(StandardCharsets.UTF_8);
        // when
        RawResponse response;
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content/gina/generic/tool/1.0/sneaky.txt?publish=1 HTTP/1.1",
                    basic("gina:guessed"), "Content-Length: " + body.length);
            connection.send(body);
            response = connection.response(Duration.ofSeconds(30));
        }
        // then
        assertChallenged(response);
        assertThat(server.as("gina").get("/dl/gina/generic/sneaky.txt").status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "Authorization: {0}")
    @ValueSource(strings = {
        "Basic !!!not-base64!!!",
        "Basic",
        "Basic ",
        "Basic Z2luYQ==",
        "Basic OmtleQ==",
        "Bearer abc.def.ghi",
        "Digest username=\"gina\"",
        "gina:key",
    })
    void refusesMalformedAuthorizationHeader(String authorization) {
        // when
        var download = RawHttp.request(server.port(), "GET " + PUBLIC_FILE + " HTTP/1.1", "Authorization: " + authorization);
        var api = RawHttp.request(server.port(), "GET " + PUBLIC_REPOSITORY + " HTTP/1.1", "Authorization: " + authorization);
        // then
        assertChallenged(download);
        assertChallenged(api);
    }
}
