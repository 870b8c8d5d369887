package dev.bindery.download;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * "Download Content": {@code GET/HEAD /dl/:subject/:repo/:file_path} with access rules, byte ranges
 * and conditional requests, for small files (served from memory) and files above 64 KiB (served
 * from a memory mapping).
 */
class DownloadContentTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String TEXT = "0123456789abcdefghij";
    private static final int LARGE_SIZE = 300 * 1024 + 7;

    private static void givenPublished(String owner, String path, byte[] content) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
        var response = server.as(owner).put("/api/v1/content/" + owner + "/generic/tool/1.0/" + path + "?publish=1",
                content);
        assertThat(response.status()).isEqualTo(201);
    }

    private static void givenPublished(String owner, String path, String content) {
        givenPublished(owner, path, content.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] largeContent(long seed) {
        var bytes = new byte[LARGE_SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha1(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    }

    // --- access -------------------------------------------------------------------------------

    @Test
    void servesPublicFileToAnonymousCaller() throws Exception {
        // given
        givenPublished("ada", "docs/readme.txt", TEXT);
        // when
        var response = server.anonymous().get("/dl/ada/generic/docs/readme.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TEXT);
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(TEXT.length()));
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        assertThat(response.header("ETag")).isEqualTo("\"" + sha1(TEXT.getBytes(StandardCharsets.UTF_8)) + "\"");
        assertThat(response.header("Accept-Ranges")).isEqualTo("bytes");
        assertThat(response.header("Last-Modified")).isNotBlank();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "tool-1.0.jar, application/java-archive",
        "tool-1.0.pom, application/xml",
        "index.json, application/json",
        "bundle.tar.gz, application/gzip",
        "tool_1.0_amd64.deb, application/vnd.debian.binary-package",
        "tool-1.0.rpm, application/x-rpm",
        "tool.jar.asc, application/pgp-signature",
        "LICENSE, application/octet-stream",
        "data.unknownext, application/octet-stream"
    })
    void labelsContentTypeByExtension(String name, String contentType) {
        // given
        var owner = "ct" + Integer.toHexString(name.hashCode());
        givenPublished(owner, "files/" + name, "content");
        // when
        var response = server.anonymous().get("/dl/" + owner + "/generic/files/" + name);
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith(contentType);
    }

    @Test
    void answersMissingFileAndRepositoryWith404() {
        // given
        givenPublished("mia", "there.txt", "here");
        // when
        var missingFile = server.anonymous().get("/dl/mia/generic/not-there.txt");
        var missingRepository = server.anonymous().get("/dl/mia/nothing/there.txt");
        var missingSubject = server.anonymous().get("/dl/nobody-at-all/generic/there.txt");
        // then
        assertThat(missingFile.status()).isEqualTo(404);
        assertThat(missingFile.message()).contains("not-there.txt");
        assertThat(missingRepository.status()).isEqualTo(404);
        assertThat(missingSubject.status()).isEqualTo(404);
    }

    @Test
    void asksAnonymousCallerOfPrivateRepositoryToAuthenticate() {
        // given
        server.createRepository("pam", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("pam", "secret", "tool");
        server.publishFile("pam", "secret", "tool", "1.0", "secret.txt", "classified");
        // when
        var get = server.anonymous().get("/dl/pam/secret/secret.txt");
        var head = server.anonymous().head("/dl/pam/secret/secret.txt");
        // then
        assertThat(get.status()).isEqualTo(401);
        assertThat(get.header("WWW-Authenticate")).startsWith("Basic realm=");
        assertThat(get.body()).doesNotContain("classified");
        assertThat(get.message()).isNotBlank();
        assertThat(head.status()).isEqualTo(401);
        assertThat(head.header("WWW-Authenticate")).startsWith("Basic realm=");
    }

    @Test
    void servesPrivateFileToOwnerWithBasicCredentials() {
        // given
        server.createRepository("perry", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("perry", "secret", "tool");
        server.publishFile("perry", "secret", "tool", "1.0", "secret.txt", "classified");
        // when
        var response = server.as("perry").get("/dl/perry/secret/secret.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("classified");
    }

    @Test
    void hidesPrivateFileFromAuthenticatedOutsider() {
        // given
        server.createRepository("pippa", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("pippa", "secret", "tool");
        server.publishFile("pippa", "secret", "tool", "1.0", "secret.txt", "classified");
        // when
        var response = server.as("snoop").get("/dl/pippa/secret/secret.txt");
        // then: as if it did not exist
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("classified");
        assertThat(response.header("WWW-Authenticate")).isNull();
    }

    @Test
    void servesUnpublishedFileOnlyToPublisher() {
        // given
        server.createRepository("ulf", "generic");
        server.createPackage("ulf", "generic", "tool");
        server.as("ulf").put("/api/v1/content/ulf/generic/tool/1.0/draft.txt", "draft");
        // when
        var anonymous = server.anonymous().get("/dl/ulf/generic/draft.txt");
        var outsider = server.as("ursula").get("/dl/ulf/generic/draft.txt");
        var owner = server.as("ulf").get("/dl/ulf/generic/draft.txt");
        // then
        assertThat(anonymous.status()).isEqualTo(404);
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(owner.status()).isEqualTo(200);
        assertThat(owner.body()).isEqualTo("draft");
    }

    // --- HEAD ---------------------------------------------------------------------------------

    @Test
    void answersHeadWithHeadersAndNoBody() throws Exception {
        // given
        givenPublished("hanna", "readme.txt", TEXT);
        // when
        var response = server.anonymous().head("/dl/hanna/generic/readme.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bytes()).isEmpty();
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(TEXT.length()));
        assertThat(response.header("Content-Type")).startsWith("text/plain");
        assertThat(response.header("ETag")).isEqualTo("\"" + sha1(TEXT.getBytes(StandardCharsets.UTF_8)) + "\"");
    }

    @Test
    void answersHeadOfMissingFileWith404() {
        // given
        givenPublished("hugo", "readme.txt", TEXT);
        // when
        var response = server.anonymous().head("/dl/hugo/generic/missing.txt");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.bytes()).isEmpty();
    }

    // --- ranges -------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bytes=2-5, 2, 5",
        "bytes=0-0, 0, 0",
        "bytes=-3, 17, 19",
        "bytes=15-, 15, 19",
        "bytes=10-1000, 10, 19",
        "bytes=-1000, 0, 19"
    })
    void servesSingleRangeOfSmallFile(String range, int first, int last) {
        // given
        var owner = "rs" + Integer.toHexString(range.hashCode());
        givenPublished(owner, "readme.txt", TEXT);
        // when
        var response = server.anonymous().get("/dl/" + owner + "/generic/readme.txt", "Range", range);
        // then
        assertThat(response.status()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(TEXT.substring(first, last + 1));
        assertThat(response.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + TEXT.length());
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(last - first + 1));
    }

    @Test
    void answersUnsatisfiableRangeWith416() {
        // given
        givenPublished("ursa", "readme.txt", TEXT);
        // when
        var response = server.anonymous().get("/dl/ursa/generic/readme.txt", "Range", "bytes=20-");
        // then
        assertThat(response.status()).isEqualTo(416);
        assertThat(response.header("Content-Range")).isEqualTo("bytes */" + TEXT.length());
        assertThat(response.message()).contains("bytes=20-");
    }

    @Test
    void answersMultipleRangesWithWholeFile() {
        // given
        givenPublished("multi", "readme.txt", TEXT);
        // when
        var response = server.anonymous().get("/dl/multi/generic/readme.txt", "Range", "bytes=0-1,5-6");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TEXT);
        assertThat(response.header("Content-Range")).isNull();
    }

    @Test
    void ignoresMalformedRange() {
        // given
        givenPublished("mal", "readme.txt", TEXT);
        // when
        var response = server.anonymous().get("/dl/mal/generic/readme.txt", "Range", "bytes=x-y");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TEXT);
    }

    @Test
    void answersRangeOfHeadWithoutBody() {
        // given
        givenPublished("hera", "readme.txt", TEXT);
        // when
        var response = server.anonymous().head("/dl/hera/generic/readme.txt", "Range", "bytes=2-5");
        // then
        assertThat(response.status()).isEqualTo(206);
        assertThat(response.bytes()).isEmpty();
        assertThat(response.header("Content-Range")).isEqualTo("bytes 2-5/" + TEXT.length());
        assertThat(response.header("Content-Length")).isEqualTo("4");
    }

    // --- conditional requests -----------------------------------------------------------------

    @Test
    void answersIfNoneMatchWithSameETagWith304() {
        // given
        givenPublished("ines", "readme.txt", TEXT);
        var etag = server.anonymous().head("/dl/ines/generic/readme.txt").header("ETag");
        // when
        var same = server.anonymous().get("/dl/ines/generic/readme.txt", "If-None-Match", etag);
        var listed = server.anonymous().get("/dl/ines/generic/readme.txt", "If-None-Match", "\"other\", " + etag);
        var other = server.anonymous().get("/dl/ines/generic/readme.txt", "If-None-Match", "\"0000\"");
        // then
        assertThat(same.status()).isEqualTo(304);
        assertThat(same.bytes()).isEmpty();
        assertThat(same.header("ETag")).isEqualTo(etag);
        assertThat(listed.status()).isEqualTo(304);
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(TEXT);
    }

    @Test
    void answersIfModifiedSinceWith304WhenUnchanged() {
        // given
        givenPublished("iris", "readme.txt", TEXT);
        var lastModified = server.anonymous().head("/dl/iris/generic/readme.txt").header("Last-Modified");
        // when
        var unchanged = server.anonymous().get("/dl/iris/generic/readme.txt", "If-Modified-Since", lastModified);
        var older = server.anonymous().get("/dl/iris/generic/readme.txt", "If-Modified-Since",
                "Mon, 01 Jan 2001 00:00:00 GMT");
        // then
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.bytes()).isEmpty();
        assertThat(older.status()).isEqualTo(200);
        assertThat(older.body()).isEqualTo(TEXT);
    }

    @Test
    void ifNoneMatchWinsOverIfModifiedSince() {
        // given
        givenPublished("ivo", "readme.txt", TEXT);
        var lastModified = server.anonymous().head("/dl/ivo/generic/readme.txt").header("Last-Modified");
        // when: the date says unchanged, the tag says changed
        var response = server.anonymous().get("/dl/ivo/generic/readme.txt", "If-None-Match", "\"stale\"",
                "If-Modified-Since", lastModified);
        // then
        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void servesRangeWhenIfRangeMatches() {
        // given
        givenPublished("rita", "readme.txt", TEXT);
        var head = server.anonymous().head("/dl/rita/generic/readme.txt");
        // when
        var byTag = server.anonymous().get("/dl/rita/generic/readme.txt", "Range", "bytes=0-3",
                "If-Range", head.header("ETag"));
        var byDate = server.anonymous().get("/dl/rita/generic/readme.txt", "Range", "bytes=0-3",
                "If-Range", head.header("Last-Modified"));
        // then
        assertThat(byTag.status()).isEqualTo(206);
        assertThat(byTag.body()).isEqualTo("0123");
        assertThat(byDate.status()).isEqualTo(206);
    }

    @Test
    void servesWholeFileWhenIfRangeDoesNotMatch() {
        // given
        givenPublished("rolf", "readme.txt", TEXT);
        // when
        var byTag = server.anonymous().get("/dl/rolf/generic/readme.txt", "Range", "bytes=0-3",
                "If-Range", "\"0123456789012345678901234567890123456789\"");
        var byDate = server.anonymous().get("/dl/rolf/generic/readme.txt", "Range", "bytes=0-3",
                "If-Range", "Mon, 01 Jan 2001 00:00:00 GMT");
        // then
        assertThat(byTag.status()).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(TEXT);
        assertThat(byTag.header("Content-Range")).isNull();
        assertThat(byDate.status()).isEqualTo(200);
        assertThat(byDate.body()).isEqualTo(TEXT);
    }

    // --- files above 64 KiB (memory-mapped) ---------------------------------------------------

    @Test
    void servesLargeFileWhole() throws Exception {
        // given
        var content = largeContent(1);
        givenPublished("lara", "big/blob.bin", content);
        // when: twice, the second from the cached mapping
        var first = server.anonymous().get("/dl/lara/generic/big/blob.bin");
        var second = server.anonymous().get("/dl/lara/generic/big/blob.bin");
        // then
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bytes()).isEqualTo(content);
        assertThat(first.header("Content-Length")).isEqualTo(String.valueOf(LARGE_SIZE));
        assertThat(first.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(first.header("ETag")).isEqualTo("\"" + sha1(content) + "\"");
        assertThat(second.bytes()).isEqualTo(content);
    }

    @Test
    void answersHeadOfLargeFileWithoutBody() {
        // given
        givenPublished("lena", "blob.bin", largeContent(2));
        // when
        var response = server.anonymous().head("/dl/lena/generic/blob.bin");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bytes()).isEmpty();
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(LARGE_SIZE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bytes=65000-70000, 65000, 70000",
        "bytes=0-65535, 0, 65535",
        "bytes=65536-65536, 65536, 65536",
        "bytes=100000-, 100000, 307206",
        "bytes=-70000, 237207, 307206",
        "bytes=1-307206, 1, 307206"
    })
    void servesRangesOfLargeFile(String range, int first, int last) {
        // given
        var owner = "rl" + Integer.toHexString(range.hashCode());
        var content = largeContent(3);
        givenPublished(owner, "blob.bin", content);
        // when
        var response = server.anonymous().get("/dl/" + owner + "/generic/blob.bin", "Range", range);
        // then
        assertThat(response.status()).isEqualTo(206);
        assertThat(response.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + LARGE_SIZE);
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(last - first + 1));
        assertThat(response.bytes()).isEqualTo(Arrays.copyOfRange(content, first, last + 1));
    }

    @Test
    void answersMultipleRangesOfLargeFileWithWholeFile() {
        // given
        var content = largeContent(4);
        givenPublished("lmulti", "blob.bin", content);
        // when
        var response = server.anonymous().get("/dl/lmulti/generic/blob.bin", "Range", "bytes=0-10,70000-80000");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bytes()).isEqualTo(content);
    }

    @Test
    void answersUnsatisfiableRangeOfLargeFileWith416() {
        // given
        givenPublished("lunsat", "blob.bin", largeContent(5));
        // when
        var response = server.anonymous().get("/dl/lunsat/generic/blob.bin", "Range", "bytes=" + LARGE_SIZE + "-");
        // then
        assertThat(response.status()).isEqualTo(416);
        assertThat(response.header("Content-Range")).isEqualTo("bytes */" + LARGE_SIZE);
    }

    @Test
    void answersConditionalRequestForLargeFileWith304() {
        // given
        givenPublished("lcond", "blob.bin", largeContent(6));
        var etag = server.anonymous().head("/dl/lcond/generic/blob.bin").header("ETag");
        // when
        var response = server.anonymous().get("/dl/lcond/generic/blob.bin", "If-None-Match", etag);
        // then
        assertThat(response.status()).isEqualTo(304);
        assertThat(response.bytes()).isEmpty();
    }

    @Test
    void servesPrivateLargeFileOnlyWithCredentials() {
        // given
        var content = largeContent(7);
        server.createRepository("lpriv", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("lpriv", "secret", "tool");
        assertThat(server.as("lpriv").put("/api/v1/content/lpriv/secret/tool/1.0/blob.bin?publish=1", content).status())
                .isEqualTo(201);
        // when
        var anonymous = server.anonymous().get("/dl/lpriv/secret/blob.bin", "Range", "bytes=70000-70010");
        var owner = server.as("lpriv").get("/dl/lpriv/secret/blob.bin", "Range", "bytes=70000-70010");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(owner.status()).isEqualTo(206);
        assertThat(owner.bytes()).isEqualTo(Arrays.copyOfRange(content, 70000, 70011));
    }

    @Test
    void servesReplacedFileWithNewBytes() {
        // given: a large file served once (and so mapped), then overridden
        givenPublished("rhea", "blob.bin", largeContent(8));
        assertThat(server.anonymous().get("/dl/rhea/generic/blob.bin").status()).isEqualTo(200);
        var replacement = largeContent(9);
        assertThat(server.as("rhea").put("/api/v1/content/rhea/generic/tool/1.0/blob.bin?override=1&publish=1",
                replacement).status()).isEqualTo(201);
        // when
        var response = server.anonymous().get("/dl/rhea/generic/blob.bin");
        // then
        assertThat(response.bytes()).isEqualTo(replacement);
    }
}
