package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.bindery.Config;
import dev.bindery.subject.ApiKeys;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * URL Signing, downloads through signed URLs (tampering, expiry, revocation, encryption, callbacks)
 * and Dynamic Download, end to end.
 */
class SignedUrlTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();
    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";
    private static final String SIGN = "/api/v1/signed_url/sue/vault/tool-1.0.zip";

    /** Receives the callback mails; started before the server, which is configured with its port. */
    private static final GreenMail SMTP = startSmtp();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(CLOCK).withPrivateCallbacks(true)
            .withSmtp(new Config.Smtp("127.0.0.1", SMTP.getSmtp().getPort(), "bindery@example.org")));

    /** A server with the default configuration: callbacks to private addresses refused. */
    @RegisterExtension
    static final BinderyServer strict = new BinderyServer();

    private static HttpServer receiver;
    private static final BlockingQueue<Map<String, String>> CALLS = new ArrayBlockingQueue<>(16);

    @BeforeAll
    static void seed() throws Exception {
        server.createRepository("sue", "vault", PRIVATE);
        server.createPackage("sue", "vault", "tool");
        server.publishFile("sue", "vault", "tool", "1.0", "tool-1.0.zip", "version one");
        server.publishFile("sue", "vault", "tool", "2.0", "tool-2.0.zip", "version two");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            CALLS.add(Map.of("method", exchange.getRequestMethod(),
                    "query", String.valueOf(exchange.getRequestURI().getRawQuery()),
                    "hmac", String.valueOf(exchange.getRequestHeaders().getFirst("X-Bintray-Callback-Hmac")),
                    "body", body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    private static GreenMail startSmtp() {
        var smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    @AfterAll
    static void stopReceivers() {
        if (receiver != null) {
            receiver.stop(0);
        }
        SMTP.stop();
    }

    /** The path and query of a URL the server answered with. */
    private static String pathOf(String url) {
        var uri = URI.create(url);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String sign(String json) {
        var response = server.as("sue").postJson(SIGN, json);
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        return response.json().get("url").asText();
    }

    @Test
    void signedUrlDownloadsAnonymouslyFromPrivateRepository() {
        // given
        var url = sign("{}");
        // when
        var download = server.anonymous().get(pathOf(url));
        var unsigned = server.anonymous().get("/dl/sue/vault/tool-1.0.zip");
        // then
        assertThat(url).startsWith(server.baseUrl() + "/dl/sue/vault/tool-1.0.zip?expiry=").contains("&signature=");
        long expiry = Long.parseLong(url.replaceAll(".*expiry=(\\d+).*", "$1"));
        assertThat(expiry).isEqualTo(CLOCK.millis() + Duration.ofHours(24).toMillis());
        assertThat(download.status()).as("%s", download).isEqualTo(200);
        assertThat(download.body()).isEqualTo("version one");
        assertThat(unsigned.status()).isEqualTo(401);
    }

    @Test
    void signedUrlOpensOnlyItsOwnFile() {
        // given
        var url = pathOf(sign("{}"));
        // when: the signature of tool-1.0.zip on another file of the same repository
        var other = server.anonymous().get(url.replace("tool-1.0.zip", "tool-2.0.zip"));
        var otherRepository = server.anonymous().get(url.replace("/vault/", "/other/"));
        // then
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.message()).contains("Signed URL is not valid");
        assertThat(otherRepository.status()).isEqualTo(403);
    }

    @Test
    void refusesTamperedExpirySignatureAndCallbackParameters() {
        // given
        var url = pathOf(sign("{\"callback_id\": \"cb1\", \"callback_url\": \"http://127.0.0.1:9/hook\","
                + " \"callback_method\": \"put\"}"));
        assertThat(url).contains("callback_id=cb1").contains("callback_method=PUT");
        var expiry = url.replaceAll(".*expiry=(\\d+).*", "$1");
        var signature = url.replaceAll(".*signature=([^&]+).*", "$1");
        var flipped = (signature.charAt(5) == 'A' ? "B" : "A");
        var tampered = List.of(
                url.replace("expiry=" + expiry, "expiry=" + (Long.parseLong(expiry) + 1000)),
                url.replace("signature=" + signature, "signature=" + signature.substring(0, 5) + flipped
                        + signature.substring(6)),
                url.replace("callback_id=cb1", "callback_id=cb2"),
                url.replace("callback_method=PUT", "callback_method=GET"),
                url.replace("callback_url=", "callback_url=x"),
                url.replace("&callback_id=cb1", ""),
                url + "&callback_email=eve%40example.com",
                url.replace("signature=", "signature=" + signature + "&signature="));
        // when / then
        assertThat(server.anonymous().get(url).status()).isEqualTo(200);
        for (var path : tampered) {
            var response = server.anonymous().get(path);
            assertThat(response.status()).as("%s -> %s", path, response).isEqualTo(403);
            assertThat(response.message()).contains("Signed URL");
        }
    }

    @Test
    void expiredUrlIsRefused() {
        // given
        var url = pathOf(sign("{\"valid_for_secs\": 60}"));
        assertThat(server.anonymous().get(url).status()).isEqualTo(200);
        // when
        CLOCK.advance(Duration.ofSeconds(61));
        var response = server.anonymous().get(url);
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("expired");
    }

    @Test
    void rejectsInvalidSigningRequests() {
        // when
        var both = server.as("sue").postJson(SIGN, "{\"expiry\": " + (CLOCK.millis() + 60_000) + ", \"valid_for_secs\": 30}");
        var past = server.as("sue").postJson(SIGN, "{\"expiry\": " + (CLOCK.millis() - 1) + "}");
        var method = server.as("sue").postJson(SIGN, "{\"callback_method\": \"DELETE\"}");
        var scheme = server.as("sue").postJson(SIGN, "{\"callback_url\": \"ftp://127.0.0.1/x\"}");
        var emailWithoutId = server.as("sue").postJson(SIGN, "{\"callback_email\": \"a@example.com\"}");
        var missingFile = server.as("sue").postJson("/api/v1/signed_url/sue/vault/nope.zip", "{}");
        // then
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.message()).contains("mutually exclusive");
        assertThat(past.status()).isEqualTo(400);
        assertThat(method.status()).isEqualTo(400);
        assertThat(method.message()).contains("callback_method");
        assertThat(scheme.status()).isEqualTo(400);
        assertThat(emailWithoutId.status()).isEqualTo(400);
        assertThat(missingFile.status()).isEqualTo(404);
    }

    @Test
    void onlyPublishersSign() {
        // given
        server.createRepository("pia", "open");
        server.createPackage("pia", "open", "tool");
        server.publishFile("pia", "open", "tool", "1.0", "a.txt", "a");
        // when
        var anonymous = server.anonymous().postJson(SIGN, "{}");
        var outsiderPrivate = server.as("otto").postJson(SIGN, "{}");
        var outsiderPublic = server.as("otto").postJson("/api/v1/signed_url/pia/open/a.txt", "{}");
        var owner = server.as("pia").postJson("/api/v1/signed_url/pia/open/a.txt", "{}");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsiderPrivate.status()).isEqualTo(404);
        assertThat(outsiderPublic.status()).isEqualTo(403);
        assertThat(owner.status()).isEqualTo(200);
    }

    @Test
    void regeneratingTheKeyRevokesOutstandingUrls() {
        // given
        server.createRepository("ray", "vault", PRIVATE);
        server.createPackage("ray", "vault", "tool");
        server.publishFile("ray", "vault", "tool", "1.0", "t.bin", "ray's");
        var old = pathOf(server.as("ray").postJson("/api/v1/signed_url/ray/vault/t.bin", "{}").json().get("url").asText());
        assertThat(server.anonymous().get(old).status()).isEqualTo(200);
        // when
        var outsider = server.as("otto").post("/api/v1/subjects/ray/keypair");
        var regenerated = server.as("ray").post("/api/v1/subjects/ray/keypair");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(regenerated.status()).isEqualTo(201);
        assertThat(regenerated.message()).isEqualTo("success");
        assertThat(server.anonymous().get(old).status()).isEqualTo(403);
        var fresh = pathOf(server.as("ray").postJson("/api/v1/signed_url/ray/vault/t.bin", "{}").json().get("url").asText());
        assertThat(server.anonymous().get(fresh).body()).isEqualTo("ray's");
    }

    @Test
    void encryptsTheParametersWithAGeneratedSecret() throws Exception {
        // when
        var response = server.as("sue").postJson(SIGN + "?encrypt=true", "{\"callback_id\": \"enc1\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var secret = response.header("X-Bintray-Secret");
        assertThat(secret).isNotBlank();
        var url = pathOf(response.json().get("url").asText());
        assertThat(url).matches("/dl/sue/vault/tool-1\\.0\\.zip\\?expiry=\\d+&id=[A-Za-z0-9_-]+&signature=[A-Za-z0-9_-]+")
                .doesNotContain("enc1");
        assertThat(decrypt(url, secret)).startsWith("expiry=").contains("&callback_id=enc1");
        assertThat(server.anonymous().get(url).body()).isEqualTo("version one");
        var tampered = url.replaceAll("&id=([A-Za-z0-9_-])", "&id=" + (url.contains("&id=A") ? "B" : "A"));
        assertThat(server.anonymous().get(tampered).status()).isEqualTo(403);
    }

    @Test
    void encryptsWithTheGivenSecret() throws Exception {
        // when
        var response = server.as("sue").postJson(SIGN + "?encrypt=true",
                "{\"secret\": \"correct horse\", \"callback_id\": \"enc2\", \"callback_email\": \"ops@example.com\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-Bintray-Secret")).isEqualTo("correct horse");
        var url = pathOf(response.json().get("url").asText());
        assertThat(decrypt(url, "correct horse")).contains("&callback_id=enc2")
                .contains("&callback_email=ops%40example.com");
        assertThat(server.anonymous().get(url).status()).isEqualTo(200);
        var unencrypted = server.as("sue").postJson(SIGN, "{\"secret\": \"ignored\"}");
        assertThat(unencrypted.header("X-Bintray-Secret")).isNull();
    }

    /** The documented format: id = base64url(IV1 | wrapped key (48) | IV2 | AES-256-CBC(SHA-256(secret), query)). */
    private static String decrypt(String url, String secret) throws Exception {
        var id = url.replaceAll(".*&id=([^&]+).*", "$1");
        var bytes = Base64.getUrlDecoder().decode(id);
        var key = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        var cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new IvParameterSpec(Arrays.copyOfRange(bytes, 64, 80)));
        return new String(cipher.doFinal(Arrays.copyOfRange(bytes, 80, bytes.length)), StandardCharsets.UTF_8);
    }

    @Test
    void callsTheCallbackUrlAndLogsTheCallbackId() throws Exception {
        // given
        CALLS.clear();
        var hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?id=%callback_id";
        var url = pathOf(sign("{\"callback_id\": \"user254\", \"callback_url\": \"" + hook + "\"}"));
        long before = server.bindery().analytics().recorded();
        // when
        var download = server.anonymous().get(url, "X-Forwarded-For", "198.51.100.7");
        // then
        assertThat(download.status()).isEqualTo(200);
        var call = CALLS.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("callback made").isNotNull();
        assertThat(call.get("method")).isEqualTo("POST");
        assertThat(call.get("query")).isEqualTo("id=user254");
        // Base64 HMAC-MD5 of subject/repo/file_path, keyed by the hex SHA-256 of sue's API key
        var mac = javax.crypto.Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(ApiKeys.hash(server.apiKey("sue")).getBytes(StandardCharsets.UTF_8), "HmacMD5"));
        var expectedHmac = Base64.getEncoder().encodeToString(
                mac.doFinal("sue/vault/tool-1.0.zip".getBytes(StandardCharsets.UTF_8)));
        assertThat(call.get("hmac")).isEqualTo(expectedHmac);
        var payload = new ObjectMapper().readTree(call.get("body"));
        assertThat(payload.get("subject").asText()).isEqualTo("sue");
        assertThat(payload.get("repo").asText()).isEqualTo("vault");
        assertThat(payload.get("package").asText()).isEqualTo("tool");
        assertThat(payload.get("version").asText()).isEqualTo("1.0");
        assertThat(payload.get("file_path").asText()).isEqualTo("tool-1.0.zip");
        assertThat(payload.get("callback_id").asText()).isEqualTo("user254");
        assertThat(payload.get("ip_address").asText()).isNotBlank();
        server.awaitAnalytics(before + 1);
        assertThat(logLines()).anyMatch(line -> line.contains(" - anonymous:user254 [")
                && line.contains("GET /sue/vault/tool-1.0.zip"));
    }

    @Test
    void callsWithTheGivenMethodWithoutBody() throws Exception {
        // given
        CALLS.clear();
        var hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/get";
        var url = pathOf(sign("{\"callback_id\": \"g1\", \"callback_url\": \"" + hook + "\", \"callback_method\": \"GET\"}"));
        // when
        assertThat(server.anonymous().get(url).status()).isEqualTo(200);
        // then
        var call = CALLS.poll(10, TimeUnit.SECONDS);
        assertThat(call).isNotNull();
        assertThat(call.get("method")).isEqualTo("GET");
        assertThat(call.get("body")).isEmpty();
    }

    @Test
    void mailsTheCallbackEmailAfterTheDownload() throws Exception {
        // given
        var url = pathOf(sign("{\"callback_id\": \"mail1\", \"callback_email\": \"buyer@example.com\"}"));
        // when
        assertThat(server.anonymous().get(url).status()).isEqualTo(200);
        // then
        jakarta.mail.internet.MimeMessage mail = null;
        for (long deadline = System.nanoTime() + 10_000_000_000L; mail == null && System.nanoTime() < deadline; ) {
            mail = Arrays.stream(SMTP.getReceivedMessages())
                    .filter(message -> GreenMailUtil.getBody(message).contains("mail1"))
                    .findFirst().orElse(null);
            Thread.sleep(20);
        }
        assertThat(mail).as("mail received").isNotNull();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("buyer@example.com");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("bindery@example.org");
        assertThat(mail.getSubject()).contains("sue/vault/tool-1.0.zip").contains("mail1");
        assertThat(GreenMailUtil.getBody(mail)).contains("callback_id: mail1").contains("file_path: tool-1.0.zip");
    }

    /** Every line of the package's download logs. */
    private static List<String> logLines() throws Exception {
        var files = server.as("sue").get("/api/v1/packages/sue/vault/tool/logs").json();
        var lines = new java.util.ArrayList<String>();
        for (var file : files) {
            var bytes = server.as("sue").get("/api/v1/packages/sue/vault/tool/logs/" + file.get("name").asText()).bytes();
            try (var in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            }
        }
        return lines;
    }

    @Test
    void refusesCallbacksIntoPrivateNetworksByDefault() {
        // given
        strict.createRepository("sam", "vault", PRIVATE);
        strict.createPackage("sam", "vault", "tool");
        strict.publishFile("sam", "vault", "tool", "1.0", "t.bin", "x");
        // when
        var loopback = strict.as("sam").postJson("/api/v1/signed_url/sam/vault/t.bin",
                "{\"callback_url\": \"http://127.0.0.1:8080/hook\"}");
        var linkLocal = strict.as("sam").postJson("/api/v1/signed_url/sam/vault/t.bin",
                "{\"callback_url\": \"http://169.254.169.254/latest/meta-data\"}");
        var privateNet = strict.as("sam").postJson("/api/v1/signed_url/sam/vault/t.bin",
                "{\"callback_url\": \"https://10.1.2.3/hook\"}");
        // then
        assertThat(loopback.status()).isEqualTo(400);
        assertThat(loopback.message()).contains("callback_url");
        assertThat(linkLocal.status()).isEqualTo(400);
        assertThat(privateNet.status()).isEqualTo(400);
    }

    @Test
    void dynamicDownloadRedirectsToAShortLivedSignedUrlOfTheLatestVersion() {
        // when
        var byQuery = server.as("sue").get("/api/v1/content/sue/vault/tool-$latest.zip?bt_package=tool");
        var byHeader = server.as("sue").get("/api/v1/content/sue/vault/tool-$latest.zip", "X-Bintray-Package", "tool");
        var byMatrix = server.as("sue").get("/api/v1/content/sue/vault/tool-$latest.zip;bt_package=tool");
        var fixed = server.as("sue").get("/api/v1/content/sue/vault/tool-1.0.zip");
        var withoutPackage = server.as("sue").get("/api/v1/content/sue/vault/tool-$latest.zip");
        var anonymous = server.anonymous().get("/api/v1/content/sue/vault/tool-$latest.zip?bt_package=tool");
        // then
        for (var response : List.of(byQuery, byHeader, byMatrix)) {
            assertThat(response.status()).as("%s", response).isEqualTo(302);
            var location = response.header("Location");
            assertThat(location).startsWith(server.baseUrl() + "/dl/sue/vault/tool-2.0.zip?expiry=");
            long expiry = Long.parseLong(location.replaceAll(".*expiry=(\\d+).*", "$1"));
            assertThat(expiry).isEqualTo(CLOCK.millis() + 15_000);
            assertThat(server.anonymous().get(pathOf(location)).body()).isEqualTo("version two");
        }
        assertThat(fixed.status()).isEqualTo(302);
        assertThat(server.anonymous().get(pathOf(fixed.header("Location"))).body()).isEqualTo("version one");
        assertThat(withoutPackage.status()).isEqualTo(400);
        assertThat(anonymous.status()).isEqualTo(401);
        // and the upload on the same path still works
        var upload = server.as("sue").put("/api/v1/content/sue/vault/tool/3.0/tool-3.0.zip", "three");
        assertThat(upload.status()).isEqualTo(201);
    }

    @Test
    void dynamicDownloadUrlExpiresAfterFifteenSeconds() {
        // given
        var location = server.as("sue").get("/api/v1/content/sue/vault/tool-1.0.zip").header("Location");
        // when
        CLOCK.advance(Duration.ofSeconds(16));
        // then
        assertThat(server.anonymous().get(pathOf(location)).status()).isEqualTo(403);
    }
}
