package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import dev.bindery.support.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Access keys: Create, Get, Update and Delete Access Key, authentication as {@code key@subject},
 * and what is checked on every request (expiry, CIDRs, the existence check).
 */
class AccessKeysTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();

    // The existence-check receiver listens on 127.0.0.1, a private address: allowed here.
    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(CLOCK).withPrivateCallbacks(true));

    private static final String PUBLIC_REPOSITORY = "/api/v1/repos/ann/open";

    private static HttpServer receiver;
    private static final AtomicInteger receiverStatus = new AtomicInteger(200);
    private static final List<String> receiverCalls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void seed() throws IOException {
        server.createRepository("ann", "open");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            receiverCalls.add(exchange.getRequestURI().getRawPath());
            exchange.sendResponseHeaders(receiverStatus.get(), -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private static Client ann() {
        return server.as("ann");
    }

    /** Creates a key of ann and answers its password. */
    private static String createKey(String json) {
        var response = ann().postJson("/api/v1/users/ann/access_keys", json);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return response.json().get("password").asText();
    }

    private static Client key(String keyId, String password) {
        return server.withCredentials(keyId + "@ann", password);
    }

    @Test
    void createsKeyWithGeneratedPassword() {
        // when
        var response = ann().postJson("/api/v1/users/ann/access_keys", "{\"id\": \"gen\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("username").asText()).isEqualTo("gen@ann");
        var password = response.json().get("password").asText();
        assertThat(password).matches("[0-9a-f]{40}");
        assertThat(key("gen", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        assertThat(key("gen", "wrong").get(PUBLIC_REPOSITORY).status()).isEqualTo(401);
    }

    @Test
    void readsKeysWithoutTheirPasswords() {
        // given
        var password = createKey("{\"id\": \"shown\", \"password\": \"chosen-secret\", \"expiry\": 7956915742000,"
                + " \"white_cids\": [\"127.0.0.0/8\", \"::1/128\"], \"black_cidrs\": [\"10.0.0.0/8\"],"
                + " \"api_only\": false, \"existence_check\": {\"url\": \"http://127.0.0.1:9/u/:username\","
                + " \"cache_for_secs\": 120}}");
        // when
        var list = ann().get("/api/v1/users/ann/access_keys");
        var one = ann().get("/api/v1/users/ann/access_keys/shown");
        // then
        assertThat(password).isEqualTo("chosen-secret");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("access_keys").toString()).contains("\"shown\"");
        assertThat(one.status()).isEqualTo(200);
        var json = one.json();
        assertThat(json.get("id").asText()).isEqualTo("shown");
        assertThat(json.get("username").asText()).isEqualTo("shown@ann");
        assertThat(json.get("expiry").asLong()).isEqualTo(7956915742000L);
        assertThat(json.get("white_cidrs").toString()).isEqualTo("[\"127.0.0.0/8\",\"::1/128\"]");
        assertThat(json.get("black_cidrs").toString()).isEqualTo("[\"10.0.0.0/8\"]");
        assertThat(json.get("api_only").asBoolean()).isFalse();
        assertThat(json.get("existence_check").get("url").asText()).isEqualTo("http://127.0.0.1:9/u/:username");
        assertThat(json.get("existence_check").get("cache_for_secs").asInt()).isEqualTo(120);
        assertThat(json.has("password")).isFalse();
        assertThat(one.body()).doesNotContain("chosen-secret");
    }

    @Test
    void refusesDuplicatesAndBadInput() {
        // given
        createKey("{\"id\": \"dup\"}");
        // when / then
        assertThat(ann().postJson("/api/v1/users/ann/access_keys", "{\"id\": \"dup\"}").status()).isEqualTo(409);
        var badCidr = ann().postJson("/api/v1/users/ann/access_keys",
                "{\"id\": \"bad1\", \"white_cidrs\": [\"193.5.0.1/92\"]}");
        assertThat(badCidr.status()).isEqualTo(400);
        assertThat(badCidr.message()).contains("193.5.0.1/92");
        var shortCache = ann().postJson("/api/v1/users/ann/access_keys",
                "{\"id\": \"bad2\", \"existence_check\": {\"url\": \"http://127.0.0.1:1/x\", \"cache_for_secs\": 59}}");
        assertThat(shortCache.status()).isEqualTo(400);
        assertThat(shortCache.message()).contains("cache_for_secs");
        assertThat(ann().postJson("/api/v1/users/ann/access_keys", "{\"id\": \"no:colon\"}").status()).isEqualTo(400);
        assertThat(ann().postJson("/api/v1/users/ann/access_keys", "{}").status()).isEqualTo(400);
        assertThat(ann().get("/api/v1/users/ann/access_keys/bad1").status()).isEqualTo(404);
    }

    @Test
    void onlySubjectAdminsManageKeys() {
        // given
        server.createOrg("annco", "ann");
        server.apiKey("mallory");
        // when
        var byOrgAdmin = ann().postJson("/api/v1/orgs/annco/access_keys", "{\"id\": \"orgkey\"}");
        var byOutsider = server.as("mallory").get("/api/v1/orgs/annco/access_keys");
        var byAnonymous = server.anonymous().get("/api/v1/users/ann/access_keys");
        var outsiderCreates = server.as("mallory").postJson("/api/v1/users/ann/access_keys", "{\"id\": \"evil\"}");
        // then
        assertThat(byOrgAdmin.status()).isEqualTo(201);
        assertThat(byOrgAdmin.json().get("username").asText()).isEqualTo("orgkey@annco");
        assertThat(server.withCredentials("orgkey@annco", byOrgAdmin.json().get("password").asText())
                .get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        assertThat(byOutsider.status()).isEqualTo(403);
        assertThat(byAnonymous.status()).isEqualTo(401);
        assertThat(outsiderCreates.status()).isEqualTo(403);
        // a key cannot manage keys either
        var orgKey = server.withCredentials("orgkey@annco", byOrgAdmin.json().get("password").asText());
        assertThat(orgKey.get("/api/v1/orgs/annco/access_keys").status()).isEqualTo(403);
    }

    @Test
    void patchChangesOnlyWhatItGivesAndRegeneratesEmptyPassword() {
        // given
        var old = createKey("{\"id\": \"patched\", \"black_cidrs\": [\"10.0.0.0/8\"]}");
        assertThat(key("patched", old).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        // when: an expiry only
        var expiryOnly = ann().patchJson("/api/v1/users/ann/access_keys/patched", "{\"expiry\": 7956915742000}");
        // then
        assertThat(expiryOnly.status()).isEqualTo(200);
        assertThat(expiryOnly.json().has("password")).isFalse();
        assertThat(expiryOnly.json().get("username").asText()).isEqualTo("patched@ann");
        assertThat(expiryOnly.json().get("expiry").asLong()).isEqualTo(7956915742000L);
        assertThat(expiryOnly.json().get("black_cidrs").toString()).isEqualTo("[\"10.0.0.0/8\"]");
        assertThat(expiryOnly.json().get("api_only").asBoolean()).isTrue();
        assertThat(key("patched", old).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);

        // when: an empty password
        var regenerated = ann().patchJson("/api/v1/users/ann/access_keys/patched", "{\"password\": \"\"}");
        // then
        assertThat(regenerated.status()).isEqualTo(200);
        var fresh = regenerated.json().get("password").asText();
        assertThat(fresh).matches("[0-9a-f]{40}").isNotEqualTo(old);
        assertThat(key("patched", old).get(PUBLIC_REPOSITORY).status()).isEqualTo(401);
        assertThat(key("patched", fresh).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        assertThat(ann().patchJson("/api/v1/users/ann/access_keys/patched",
                "{\"white_cidrs\": [\"nope\"]}").status()).isEqualTo(400);
    }

    @Test
    void deletedKeyIsRefusedAtOnce() {
        // given: a key just used, so its credential is cached
        var password = createKey("{\"id\": \"doomed\"}");
        assertThat(key("doomed", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        // when
        var deleted = ann().delete("/api/v1/users/ann/access_keys/doomed");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("success");
        assertThat(key("doomed", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(401);
        assertThat(ann().get("/api/v1/users/ann/access_keys/doomed").status()).isEqualTo(404);
        assertThat(ann().delete("/api/v1/users/ann/access_keys/doomed").status()).isEqualTo(404);
    }

    @Test
    void expiredKeyIsRefusedAtOnce() {
        // given: a key valid for an hour, just used
        long expiry = CLOCK.millis() + Duration.ofHours(1).toMillis();
        var password = createKey("{\"id\": \"shortlived\", \"expiry\": " + expiry + "}");
        assertThat(key("shortlived", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        // when
        CLOCK.advance(Duration.ofHours(2));
        var response = key("shortlived", password).get(PUBLIC_REPOSITORY);
        // then
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.message()).contains("expired");
    }

    @Test
    void clientOutsideTheCidrsIsForbidden() {
        // given: keys for loopback clients and for elsewhere (tests connect from 127.0.0.1 or ::1)
        var local = createKey("{\"id\": \"local\", \"white_cidrs\": [\"127.0.0.0/8\", \"::1/128\"]}");
        var remote = createKey("{\"id\": \"remote\", \"white_cidrs\": [\"203.0.113.0/24\", \"2001:db8::/32\"]}");
        var blocked = createKey("{\"id\": \"blocked\", \"black_cidrs\": [\"127.0.0.1/32\", \"::1/128\"]}");
        // then
        assertThat(key("local", local).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
        assertThat(key("remote", remote).get(PUBLIC_REPOSITORY).status()).isEqualTo(403);
        assertThat(key("blocked", blocked).get(PUBLIC_REPOSITORY).status()).isEqualTo(403);
        // and a change of the list counts at once, cached credential or not
        assertThat(ann().patchJson("/api/v1/users/ann/access_keys/local",
                "{\"white_cidrs\": [\"203.0.113.0/24\"]}").status()).isEqualTo(200);
        assertThat(key("local", local).get(PUBLIC_REPOSITORY).status()).isEqualTo(403);
    }

    @Test
    void existenceCheckKeepsOrRemovesTheKey() {
        // given: a key whose existence is checked at most every 60 seconds
        var url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/exists/:username/:password";
        var password = createKey("{\"id\": \"checked\", \"password\": \"p@ss word+secret\","
                + " \"existence_check\": {\"url\": \"" + url + "\", \"cache_for_secs\": 60}}");
        receiverStatus.set(200);
        receiverCalls.clear();
        var originalErr = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(originalErr, captured), true, StandardCharsets.UTF_8));
        try {
            // when: first use, then again within the period
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
            // then: one call, tokens URL-encoded
            assertThat(receiverCalls).containsExactly("/exists/checked%40ann/p%40ss+word%2Bsecret");

            // when: the callback fails after the period
            receiverStatus.set(500);
            CLOCK.advance(Duration.ofSeconds(61));
            // then: the key is kept
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
            assertThat(receiverCalls).hasSize(2);
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
            assertThat(receiverCalls).hasSize(2);

            // when: the identity is gone, after the period
            receiverStatus.set(404);
            CLOCK.advance(Duration.ofSeconds(30));
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(200);
            assertThat(receiverCalls).hasSize(2);
            CLOCK.advance(Duration.ofSeconds(31));
            // then: the key is deleted
            assertThat(key("checked", password).get(PUBLIC_REPOSITORY).status()).isEqualTo(401);
            assertThat(receiverCalls).hasSize(3);
            assertThat(ann().get("/api/v1/users/ann/access_keys/checked").status()).isEqualTo(404);
        } finally {
            System.setErr(originalErr);
        }
        // and the server logged the failure, never the password
        var log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("checked@ann");
        assertThat(log).doesNotContain("p@ss word+secret").doesNotContain("p%40ss+word%2Bsecret")
                .doesNotContain("p%40ss");
    }

    @Test
    void refusesExistenceCheckUrlThatIsNotHttp() {
        // when
        var response = ann().postJson("/api/v1/users/ann/access_keys",
                "{\"id\": \"badurl\", \"existence_check\": {\"url\": \"ftp://example.com/x\", \"cache_for_secs\": 60}}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("existence_check.url");
    }

    /** Writes to two streams: the real stderr and a capture. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
