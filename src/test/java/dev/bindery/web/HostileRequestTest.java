package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.RawHttp;
import dev.bindery.support.RawHttp.RawResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests no well-behaved client sends, written by hand on a socket so nothing tidies them:
 * traversal in every spelling, doubled slashes, oversized headers, clients that hang up mid-upload,
 * and two uploads racing for one path.
 */
class HostileRequestTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String SECRET = "TOP-SECRET-CONTENT";

    /**
     * trent owns a public repository "generic" with pub/file.txt and a private one, "vault", with
     * secret.txt; the traversal tests try to reach the latter through the former.
     */
    @BeforeAll
    static void seed() {
        server.createRepository("trent", "generic");
        server.createPackage("trent", "generic", "tool");
        server.publishFile("trent", "generic", "tool", "1.0", "pub/file.txt", "public content");
        server.createRepository("trent", "vault", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("trent", "vault", "tool");
        server.publishFile("trent", "vault", "tool", "1.0", "secret.txt", SECRET);
    }

    private static String basic(String user) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + server.apiKey(user)).getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefusedAsBadRequest(RawResponse response) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.message()).isNotBlank();
        assertThat(response.body()).doesNotContain(SECRET);
    }

    // Suffixes after /dl/trent/generic/ (or the content API's equivalent) that try to climb out.
    private static final String[] TRAVERSALS = {
        "../vault/secret.txt",
        "pub/../../vault/secret.txt",
        "/..//vault/secret.txt",
        "%2e%2e/vault/secret.txt",
        "%2E%2e/vault/secret.txt",
        ".%2e/vault/secret.txt",
        "%2e%2e%2fvault%2fsecret.txt",
        "..%2fvault%2fsecret.txt",
        "..%2Fvault%2Fsecret.txt",
        "..%5cvault%5csecret.txt",
        "..\\vault\\secret.txt",
        "pub/file.txt%00.png",
        "..;/vault/secret.txt",
        "pub/..;/..;/vault/secret.txt",
        "..%3b/vault/secret.txt",
    };

    static Stream<String> traversals() {
        return Arrays.stream(TRAVERSALS);
    }

    // --- traversal ----------------------------------------------------------------------------

    @ParameterizedTest(name = "GET /dl/trent/generic/{0}")
    @MethodSource("traversals")
    void refusesTraversalInDownloadPath(String traversal) {
        // when: even the owner, who could read the vault, gets no file through a traversal
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic/" + traversal + " HTTP/1.1",
                basic("trent"));
        // then
        assertRefusedAsBadRequest(response);
    }

    @ParameterizedTest(name = "GET /dl/{0}")
    @ValueSource(strings = {
        "trent/../trent/vault/secret.txt",
        "trent/generic/../../trent/vault/secret.txt",
        "../dl/trent/vault/secret.txt",
        "trent/%2e%2e/trent/vault/secret.txt",
        "trent/..;/trent/vault/secret.txt",
    })
    void refusesTraversalAcrossSubjectAndRepositorySegments(String path) {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/" + path + " HTTP/1.1");
        // then
        assertRefusedAsBadRequest(response);
    }

    @ParameterizedTest(name = "DELETE /api/v1/content/{0}")
    @ValueSource(strings = {
        "trent/../trent/vault/secret.txt",
        "../content/trent/vault/secret.txt",
        "trent/generic/../../trent/vault/secret.txt",
        "trent/%2e%2e/trent/vault/secret.txt",
        "trent/..%3b/trent/vault/secret.txt",
    })
    void refusesTraversalAcrossSubjectAndRepositorySegmentsOfTheContentApi(String path) {
        // when
        var response = RawHttp.request(server.port(), "DELETE /api/v1/content/" + path + " HTTP/1.1", basic("trent"));
        // then
        assertRefusedAsBadRequest(response);
        assertThat(server.as("trent").get("/dl/trent/vault/secret.txt").body()).isEqualTo(SECRET);
    }

    @ParameterizedTest(name = "PUT /api/v1/content/trent/generic/tool/1.0/{0}")
    @MethodSource("traversals")
    void refusesTraversalInUploadPath(String traversal) {
        // given
        var body = "planted".getBytes(StandardCharsets.UTF_8);
        var before = trentsFiles();
        // when
        RawResponse response;
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content/trent/generic/tool/1.0/" + traversal + "?publish=1 HTTP/1.1",
                    basic("trent"), "Content-Length: " + body.length);
            connection.send(body);
            response = connection.response(Duration.ofSeconds(30));
        }
        // then: refused, and the secret is untouched
        assertRefusedAsBadRequest(response);
        assertThat(server.as("trent").get("/dl/trent/vault/secret.txt").body()).isEqualTo(SECRET);
        assertThat(trentsFiles()).isEqualTo(before);
    }

    /** Every file of trent's two repositories, published or not, with its checksum. */
    private static List<String> trentsFiles() {
        var files = new ArrayList<String>();
        for (var repo : List.of("generic", "vault")) {
            var response = server.as("trent").get("/api/v1/packages/trent/" + repo + "/tool/files?include_unpublished=1");
            assertThat(response.status()).isEqualTo(200);
            response.json().forEach(file -> files.add(repo + ":" + file.get("path").asText() + ":"
                    + file.get("sha256").asText()));
        }
        return files.stream().sorted().toList();
    }

    @ParameterizedTest(name = "DELETE /api/v1/content/trent/generic/{0}")
    @MethodSource("traversals")
    void refusesTraversalInDeletePath(String traversal) {
        // when
        var response = RawHttp.request(server.port(), "DELETE /api/v1/content/trent/generic/" + traversal + " HTTP/1.1",
                basic("trent"));
        // then
        assertRefusedAsBadRequest(response);
        assertThat(server.as("trent").get("/dl/trent/vault/secret.txt").body()).isEqualTo(SECRET);
        assertThat(server.anonymous().get("/dl/trent/generic/pub/file.txt").status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "GET /dl/trent/generic/{0}")
    @ValueSource(strings = {"%252e%252e/vault/secret.txt", "%252fvault%252fsecret.txt", "pub%2500/file.txt"})
    void neverServesAnotherFileForDoubleEncoding(String path) {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic/" + path + " HTTP/1.1", basic("trent"));
        // then: whatever it is, it is not the secret and not a crash
        assertThat(response.status()).isIn(400, 404);
        assertThat(response.message()).isNotBlank();
        assertThat(response.body()).doesNotContain(SECRET);
    }

    @ParameterizedTest(name = "{0} /dl/trent/generic/pub/file.txt")
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS"})
    void answersOtherMethodsOnDownloadsWith405(String method) {
        // when
        var response = RawHttp.request(server.port(), method + " /dl/trent/generic/pub/file.txt HTTP/1.1",
                basic("trent"), "Content-Length: 0");
        // then
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.message()).contains(method);
        assertThat(server.anonymous().get("/dl/trent/generic/pub/file.txt").status()).isEqualTo(200);
    }

    // --- liberal in what is harmless ----------------------------------------------------------

    @Test
    void acceptsDoubledSlashesInDownloadPath() {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic//pub//file.txt HTTP/1.1");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("public content");
    }

    @Test
    void acceptsDoubledSlashesInUploadPath() {
        // given
        server.createRepository("slasher", "generic");
        server.createPackage("slasher", "generic", "tool");
        var body = "slashes".getBytes(StandardCharsets.UTF_8);
        // when
        RawResponse response;
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content//slasher/generic//tool/1.0//docs//slashes.txt?publish=1 HTTP/1.1",
                    basic("slasher"), "Content-Length: " + body.length);
            connection.send(body);
            response = connection.response(Duration.ofSeconds(30));
        }
        // then: stored under the folded path
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        assertThat(server.anonymous().get("/dl/slasher/generic/docs/slashes.txt").body()).isEqualTo("slashes");
    }

    // --- oversized requests -------------------------------------------------------------------

    @Test
    void answersHugeHeaderWithJsonError() {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic/pub/file.txt HTTP/1.1",
                "X-Padding: " + "a".repeat(64 * 1024));
        // then
        assertThat(response.status()).isIn(431, 400);
        assertThat(response.message()).isNotBlank();
        assertThat(server.anonymous().get("/health").status()).isEqualTo(200);
    }

    @Test
    void answersHugeUriWithJsonError() {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic/" + "a/".repeat(40 * 1024) + "x HTTP/1.1");
        // then
        assertThat(response.status()).isIn(414, 431, 400);
        assertThat(response.message()).isNotBlank();
    }

    @Test
    void answersGarbageRequestLineWithJsonError() {
        // when
        var response = RawHttp.request(server.port(), "GET /dl/trent/generic/pub file.txt HTTP/1.1 extra");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Length: abc", "Content-Length: -1", "Content-Length: 5\r\nContent-Length: 7",
        "Transfer-Encoding: chunked\r\nContent-Length: 5", "Transfer-Encoding: gzip"})
    void answersBrokenFramingOfUploadWithJsonError(String framing) {
        // when
        RawResponse response;
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content/trent/generic/tool/1.0/framed.txt?publish=1 HTTP/1.1",
                    basic("trent"), framing);
            connection.send("hello".getBytes(StandardCharsets.UTF_8));
            response = connection.response(Duration.ofSeconds(30));
        }
        // then
        assertThat(response.status()).isIn(400, 411, 501);
        assertThat(response.message()).isNotBlank();
        assertThat(server.as("trent").get("/dl/trent/generic/framed.txt").status()).isEqualTo(404);
    }

    // --- interrupted and racing uploads -------------------------------------------------------

    @Test
    void forgetsUploadWhoseClientHangsUp() {
        // given
        server.createRepository("hangup", "generic");
        server.createPackage("hangup", "generic", "tool");
        var megabyte = new byte[1024 * 1024];
        Arrays.fill(megabyte, (byte) 'x');
        var tmp = server.dataDir().resolve("blobs/tmp");
        // when: 10 MB announced, 1 MB sent, then the connection is dropped
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content/hangup/generic/tool/1.0/partial.bin?publish=1 HTTP/1.1",
                    basic("hangup"), "Content-Length: " + 10 * megabyte.length);
            connection.send(megabyte);
            awaitTrue(() -> !isEmpty(tmp), Duration.ofSeconds(10), "the upload being written to " + tmp);
        }
        // then: no temporary file is left once the server notices
        awaitTrue(() -> isEmpty(tmp), Duration.ofSeconds(10), "no leftovers in " + tmp);
        assertThat(server.as("hangup").get("/dl/hangup/generic/partial.bin").status()).isEqualTo(404);
        assertThat(server.as("hangup").get("/api/v1/packages/hangup/generic/tool/files?include_unpublished=1").json())
                .isEmpty();
        // and the path is free again
        awaitTrue(() -> server.as("hangup").put("/api/v1/content/hangup/generic/tool/1.0/partial.bin?publish=1",
                "complete").status() == 201, Duration.ofSeconds(10), "a later upload to the same path succeeds");
        assertThat(server.anonymous().get("/dl/hangup/generic/partial.bin").body()).isEqualTo("complete");
    }

    @Test
    void forgetsExplodedUploadWhoseClientHangsUp() {
        // given
        server.createRepository("hangzip", "generic");
        server.createPackage("hangzip", "generic", "tool");
        var megabyte = new byte[1024 * 1024];
        var scratch = server.dataDir().resolve("scratch");
        var tmp = server.dataDir().resolve("blobs/tmp");
        // when
        try (var connection = RawHttp.connect(server.port())) {
            connection.sendHead("PUT /api/v1/content/hangzip/generic/tool/1.0/bundle.zip?publish=1 HTTP/1.1",
                    basic("hangzip"), "X-Bintray-Explode: 1", "Content-Length: " + 10 * megabyte.length);
            connection.send(megabyte);
            awaitTrue(() -> !isEmpty(scratch), Duration.ofSeconds(10), "the archive being written to " + scratch);
        }
        // then
        awaitTrue(() -> isEmpty(scratch) && isEmpty(tmp), Duration.ofSeconds(10), "no leftovers in " + scratch);
        assertThat(server.as("hangzip").get("/api/v1/packages/hangzip/generic/tool/files?include_unpublished=1").json())
                .isEmpty();
    }

    @Test
    void letsOneOfTwoConcurrentUploadsToTheSamePathWin() throws Exception {
        // given: two bodies of 256 KiB, each sent in slow pieces so the uploads overlap
        server.createRepository("racer", "generic");
        server.createPackage("racer", "generic", "tool");
        var bodies = List.of(filled(256 * 1024, (byte) 'A'), filled(256 * 1024, (byte) 'B'));
        var request = "PUT /api/v1/content/racer/generic/tool/1.0/raced.bin HTTP/1.1";
        // when
        var uploads = new ArrayList<CompletableFuture<RawResponse>>();
        for (var body : bodies) {
            uploads.add(CompletableFuture.supplyAsync(() -> {
                try (var connection = RawHttp.connect(server.port())) {
                    connection.sendHead(request, basic("racer"), "Content-Length: " + body.length);
                    for (int offset = 0; offset < body.length; offset += 16 * 1024) {
                        if (!connection.trySend(Arrays.copyOfRange(body, offset, offset + 16 * 1024))
                                || connection.answered()) {
                            break;
                        }
                        sleep(40);
                    }
                    return connection.response(Duration.ofSeconds(30));
                }
            }, command -> Thread.ofVirtual().start(command)));
            sleep(100);
        }
        var responses = uploads.stream().map(CompletableFuture::join).toList();
        // then
        assertThat(responses).extracting(RawResponse::status).containsExactlyInAnyOrder(201, 409);
        var loser = responses.stream().filter(response -> response.status() == 409).findFirst().orElseThrow();
        assertThat(loser.message()).contains("raced.bin");
        var winner = bodies.get(responses.get(0).status() == 201 ? 0 : 1);
        var stored = server.as("racer").get("/dl/racer/generic/raced.bin");
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.bytes()).isEqualTo(winner);
    }

    private static byte[] filled(int size, byte value) {
        var bytes = new byte[size];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static boolean isEmpty(Path directory) {
        if (!Files.isDirectory(directory)) {
            return true;
        }
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
