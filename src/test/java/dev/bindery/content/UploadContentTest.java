package dev.bindery.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Content Uploading & Publishing, "Upload Content": the three forms, publish, override and checksums. */
class UploadContentTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static void givenPackage(String owner, String pkg) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", pkg);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String versionFiles(String owner, String pkg, String version) {
        var response = server.as(owner).get("/api/v1/packages/" + owner + "/generic/" + pkg + "/versions/" + version
                + "/files?include_unpublished=1");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    @Test
    void uploadsWithPackageAndVersionInThePath() {
        // given
        givenPackage("paula", "tool");
        // when
        var response = server.as("paula").put("/api/v1/content/paula/generic/tool/1.0/bin/tool-1.0.txt", "hello");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("message").asText()).isEqualTo("success");
        var files = server.as("paula").get("/api/v1/packages/paula/generic/tool/versions/1.0/files?include_unpublished=1");
        assertThat(files.json()).hasSize(1);
        assertThat(files.json().get(0).get("path").asText()).isEqualTo("bin/tool-1.0.txt");
        assertThat(files.json().get(0).get("version").asText()).isEqualTo("1.0");
        assertThat(server.as("paula").get("/dl/paula/generic/bin/tool-1.0.txt").body()).isEqualTo("hello");
    }

    @Test
    void concurrentUploadsOfDifferentFilesCreateTheNewVersionOnce() throws Exception {
        // given
        givenPackage("conrad", "tool");
        var client = server.as("conrad");
        // when: eight files of a version that does not exist yet, all at once
        var statuses = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                int file = i;
                pool.submit(() -> statuses.add(client.put("/api/v1/content/conrad/generic/tool/2.0/f" + file + ".txt",
                        "content " + file).status()));
            }
        }
        // then
        assertThat(statuses).hasSize(8).containsOnly(201);
        assertThat(server.as("conrad").get("/api/v1/packages/conrad/generic/tool/versions/2.0/files?include_unpublished=1")
                .json()).hasSize(8);
    }

    @Test
    void uploadsWithPackageAndVersionAsHeaders() {
        // given
        givenPackage("hector", "tool");
        // when
        var response = server.as("hector").put("/api/v1/content/hector/generic/dist/tool.txt", "from headers",
                "X-Bintray-Package", "tool", "X-Bintray-Version", "2.0", "X-Bintray-Publish", "1");
        // then: the whole path is the file path, and the header published it
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.message()).isEqualTo("success");
        assertThat(versionFiles("hector", "tool", "2.0")).contains("\"path\":\"dist/tool.txt\"");
        var download = server.anonymous().get("/dl/hector/generic/dist/tool.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("from headers");
    }

    @Test
    void uploadsWithPackageAndVersionAsMatrixParameters() {
        // given
        givenPackage("mattie", "tool");
        // when
        var response = server.as("mattie").put(
                "/api/v1/content/mattie/generic/dist/tool.txt;bt_package=tool;bt_version=3.0;publish=1", "from matrix");
        // then: the parameters are not part of the stored path
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.message()).isEqualTo("success");
        assertThat(versionFiles("mattie", "tool", "3.0")).contains("\"path\":\"dist/tool.txt\"");
        var download = server.anonymous().get("/dl/mattie/generic/dist/tool.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("from matrix");
    }

    @Test
    void leavesUploadsUnpublishedUnlessAsked() {
        // given
        givenPackage("ulla", "tool");
        // when
        server.as("ulla").put("/api/v1/content/ulla/generic/tool/1.0/quiet.txt", "quiet");
        // then: only the publisher sees it
        assertThat(server.anonymous().get("/dl/ulla/generic/quiet.txt").status()).isEqualTo(404);
        assertThat(server.as("ulla").get("/dl/ulla/generic/quiet.txt").status()).isEqualTo(200);
    }

    @Test
    void publishesWithQueryParameter() {
        // given
        givenPackage("quinn", "tool");
        // when
        var response = server.as("quinn").put("/api/v1/content/quinn/generic/tool/1.0/loud.txt?publish=1", "loud");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(server.anonymous().get("/dl/quinn/generic/loud.txt").body()).isEqualTo("loud");
    }

    @Test
    void createsTheVersionOnFirstUpload() {
        // given
        givenPackage("vera", "tool");
        assertThat(server.as("vera").get("/api/v1/packages/vera/generic/tool/versions/4.2").status()).isEqualTo(404);
        // when
        var response = server.as("vera").put("/api/v1/content/vera/generic/tool/4.2/tool-4.2.txt", "v");
        // then
        assertThat(response.status()).isEqualTo(201);
        var version = server.as("vera").get("/api/v1/packages/vera/generic/tool/versions/4.2");
        assertThat(version.status()).isEqualTo(200);
        assertThat(version.json().get("name").asText()).isEqualTo("4.2");
    }

    @Test
    void rejectsUploadToUnknownPackage() {
        // given: a repository with no packages
        server.createRepository("nadia", "generic");
        // when
        var response = server.as("nadia").put("/api/v1/content/nadia/generic/nope/1.0/file.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("nope");
    }

    @Test
    void rejectsUploadToUnknownRepository() {
        // when
        var response = server.as("rory").put("/api/v1/content/rory/missing/tool/1.0/file.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("rory/missing");
    }

    @Test
    void rejectsUploadWithoutPackageAndVersion() {
        // given
        givenPackage("nico", "tool");
        // when: only a file name, no headers, no matrix parameters
        var response = server.as("nico").put("/api/v1/content/nico/generic/file.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("package");
    }

    @Test
    void rejectsAnonymousUpload() {
        // given
        givenPackage("anke", "tool");
        // when
        var response = server.anonymous().put("/api/v1/content/anke/generic/tool/1.0/file.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(response.message()).isNotBlank();
        assertThat(server.as("anke").get("/dl/anke/generic/file.txt").status()).isEqualTo(404);
    }

    @Test
    void rejectsUploadByUserWithoutPublishPermission() {
        // given: a public repository of olga, which bert can read
        givenPackage("olga", "tool");
        // when
        var response = server.as("bert").put("/api/v1/content/olga/generic/tool/1.0/file.txt?publish=1", "x");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("bert");
        assertThat(server.anonymous().get("/dl/olga/generic/file.txt").status()).isEqualTo(404);
    }

    @Test
    void hidesPrivateRepositoryFromUploadingOutsider() {
        // given
        server.createRepository("pia", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("pia", "secret", "tool");
        // when
        var response = server.as("otto").put("/api/v1/content/pia/secret/tool/1.0/file.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(404);
    }

    @Test
    void storesUploadWhoseChecksumMatches() throws Exception {
        // given
        givenPackage("carl", "tool");
        var body = "checked".getBytes(StandardCharsets.UTF_8);
        // when
        var response = server.as("carl").put("/api/v1/content/carl/generic/tool/1.0/checked.txt", body,
                "X-Checksum-Sha2", sha256(body));
        // then
        assertThat(response.status()).isEqualTo(201);
        var download = server.as("carl").get("/dl/carl/generic/checked.txt");
        assertThat(download.bytes()).isEqualTo(body);
        assertThat(download.header("X-Checksum-Sha256")).isEqualTo(sha256(body));
    }

    @Test
    void rejectsChecksumMismatchAndStoresNothing() throws Exception {
        // given
        givenPackage("chloe", "tool");
        var body = "tampered in transit".getBytes(StandardCharsets.UTF_8);
        var claimed = sha256("what the client meant".getBytes(StandardCharsets.UTF_8));
        // when
        var response = server.as("chloe").put("/api/v1/content/chloe/generic/tool/1.0/file.txt?publish=1", body,
                "X-Checksum-Sha2", claimed);
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains(claimed);
        assertThat(server.as("chloe").get("/dl/chloe/generic/file.txt").status()).isEqualTo(404);
        assertThat(server.as("chloe").get("/api/v1/packages/chloe/generic/tool/files?include_unpublished=1").json())
                .isEmpty();
        var actual = sha256(body);
        assertThat(server.dataDir().resolve("blobs/sha256").resolve(actual.substring(0, 2))
                .resolve(actual.substring(2, 4)).resolve(actual)).doesNotExist();
    }

    @Test
    void rejectsMalformedChecksumHeader() {
        // given
        givenPackage("mona", "tool");
        // when
        var response = server.as("mona").put("/api/v1/content/mona/generic/tool/1.0/file.txt", "x",
                "X-Checksum-Sha2", "not-a-sha");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("X-Checksum-Sha2");
    }

    @Test
    void refusesToReplacePublishedFileWithoutOverride() {
        // given
        givenPackage("ozzy", "tool");
        server.publishFile("ozzy", "generic", "tool", "1.0", "file.txt", "original");
        // when
        var response = server.as("ozzy").put("/api/v1/content/ozzy/generic/tool/1.0/file.txt?publish=1", "replacement");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains("file.txt");
        assertThat(server.anonymous().get("/dl/ozzy/generic/file.txt").body()).isEqualTo("original");
    }

    @Test
    void refusesToReplacePublishedFileWithOverrideZero() {
        // given
        givenPackage("zelda", "tool");
        server.publishFile("zelda", "generic", "tool", "1.0", "file.txt", "original");
        // when
        var response = server.as("zelda").put("/api/v1/content/zelda/generic/tool/1.0/file.txt?publish=1&override=0",
                "replacement");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(server.anonymous().get("/dl/zelda/generic/file.txt").body()).isEqualTo("original");
    }

    @ParameterizedTest(name = "override and publish as {0}")
    @ValueSource(strings = {"query", "header", "matrix"})
    void replacesPublishedFileWithOverride(String form) {
        // given
        var owner = "over" + form;
        givenPackage(owner, "tool");
        server.publishFile(owner, "generic", "tool", "1.0", "file.txt", "original");
        var path = "/api/v1/content/" + owner + "/generic/tool/1.0/file.txt";
        // when
        var response = switch (form) {
            case "query" -> server.as(owner).put(path + "?override=1&publish=1", "replacement");
            case "header" -> server.as(owner).put(path, "replacement", "X-Bintray-Override", "1",
                    "X-Bintray-Publish", "1");
            default -> server.as(owner).put(path + ";override=1;publish=1", "replacement");
        };
        // then
        assertThat(response.status()).isEqualTo(201);
        var download = server.anonymous().get("/dl/" + owner + "/generic/file.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("replacement");
    }

    @Test
    void overridingAPublishedFileWithoutPublishKeepsItServed() {
        // given
        givenPackage("ovid", "tool");
        server.publishFile("ovid", "generic", "tool", "1.0", "file.txt", "original");
        // when
        var response = server.as("ovid").put("/api/v1/content/ovid/generic/tool/1.0/file.txt?override=1", "replacement");
        // then: the new content is what everybody downloads, without a second publish
        assertThat(response.status()).isEqualTo(201);
        var download = server.anonymous().get("/dl/ovid/generic/file.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("replacement");
    }

    @Test
    void replacesUnpublishedFileWithoutOverride() {
        // given
        givenPackage("una", "tool");
        server.as("una").put("/api/v1/content/una/generic/tool/1.0/file.txt", "draft");
        // when
        var response = server.as("una").put("/api/v1/content/una/generic/tool/1.0/file.txt", "final");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(server.as("una").get("/dl/una/generic/file.txt").body()).isEqualTo("final");
        assertThat(server.as("una").get("/api/v1/packages/una/generic/tool/files?include_unpublished=1").json())
                .hasSize(1);
    }

    @Test
    void storesLargeUploadByteForByte() throws Exception {
        // given: more than the 1 MB Javalin would buffer
        givenPackage("lars", "tool");
        var body = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(body);
        var file = Files.createTempFile("bindery-upload", ".bin");
        try {
            Files.write(file, body);
            // when
            var response = server.as("lars").putFile("/api/v1/content/lars/generic/tool/1.0/big.bin?publish=1", file,
                    "X-Checksum-Sha2", sha256(body));
            // then
            assertThat(response.status()).isEqualTo(201);
            var download = server.anonymous().get("/dl/lars/generic/big.bin");
            assertThat(download.bytes()).isEqualTo(body);
        } finally {
            Files.deleteIfExists(file);
        }
    }
    @Test
    void keepsPlusSignsInPathsAndVersions() {
        // given: Debian names carry '+', which only forms decode as a space
        givenPackage("debby", "libstdc");
        // when
        var response = server.as("debby").put(
                "/api/v1/content/debby/generic/libstdc/1.0+dfsg/pool/libstdc++6_1.0+dfsg_amd64.deb?publish=1", "deb");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(versionFiles("debby", "libstdc", "1.0+dfsg"))
                .contains("\"path\":\"pool/libstdc++6_1.0+dfsg_amd64.deb\"");
        var download = server.anonymous().get("/dl/debby/generic/pool/libstdc++6_1.0+dfsg_amd64.deb");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("deb");
    }

    @Test
    void decodesPercentEncodedPathsTheSameWayForUploadAndDownload() {
        // given
        givenPackage("perc", "tool");
        // when
        var response = server.as("perc").put("/api/v1/content/perc/generic/tool/1.0/my%20docs/r%C3%A9sum%C3%A9.txt?publish=1",
                "cv");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(versionFiles("perc", "tool", "1.0")).contains("\"path\":\"my docs/r\u00e9sum\u00e9.txt\"");
        var download = server.anonymous().get("/dl/perc/generic/my%20docs/r%C3%A9sum%C3%A9.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("cv");
    }

    @Test
    void storesEmptyFile() {
        // given
        givenPackage("emma", "tool");
        // when
        var response = server.as("emma").put("/api/v1/content/emma/generic/tool/1.0/empty.txt?publish=1", new byte[0]);
        // then
        assertThat(response.status()).isEqualTo(201);
        var download = server.anonymous().get("/dl/emma/generic/empty.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.bytes()).isEmpty();
        assertThat(download.header("Content-Length")).isEqualTo("0");
    }

    @Test
    void storesChunkedUploadOfUnknownLength() {
        // given
        givenPackage("chuck", "tool");
        var body = new byte[200_000];
        new Random(7).nextBytes(body);
        // when: a streaming body is sent with Transfer-Encoding: chunked
        var response = server.as("chuck").send(server.as("chuck")
                .request("/api/v1/content/chuck/generic/tool/1.0/stream.bin?publish=1")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(server.anonymous().get("/dl/chuck/generic/stream.bin").bytes()).isEqualTo(body);
    }
}
