package dev.bindery.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Upload Content with X-Bintray-Explode: archives unpacked into the folder they are uploaded to. */
class ExplodeArchiveTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static void givenPackage(String owner) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
    }

    private static Map<String, byte[]> entries(String... namesAndContents) {
        var entries = new LinkedHashMap<String, byte[]>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            entries.put(namesAndContents[i], namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return entries;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var entry : entries.entrySet()) {
                // preserveAbsolutePath: write names exactly as given, leading slash included
                var header = new TarArchiveEntry(entry.getKey(), true);
                header.setSize(entry.getValue().length);
                tar.putArchiveEntry(header);
                tar.write(entry.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] archive(String format, Map<String, byte[]> entries) throws IOException {
        return format.equals("zip") ? zip(entries) : tarGz(entries);
    }

    private static Response explode(String owner, String path, byte[] archive) {
        return server.as(owner).put("/api/v1/content/" + owner + "/generic/tool/1.0/" + path + "?publish=1", archive,
                "X-Bintray-Explode", "1");
    }

    private static List<String> storedPaths(String owner) {
        var files = server.as(owner).get("/api/v1/packages/" + owner + "/generic/tool/files?include_unpublished=1");
        assertThat(files.status()).isEqualTo(200);
        return StreamSupport.stream(files.json().spliterator(), false)
                .map(file -> file.get("path").asText())
                .sorted()
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zip", "tar.gz"})
    void unpacksArchiveIntoItsFolder(String format) throws IOException {
        // given
        var owner = "ex" + format.replace(".", "");
        givenPackage(owner);
        var archive = archive(format, entries("readme.txt", "read me", "bin/tool.sh", "#!/bin/sh", "lib/deep/x.jar", "jar"));
        // when
        var response = explode(owner, "dist/1.0/bundle." + format, archive);
        // then: the entries sit next to where the archive would have been
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.message()).isEqualTo("success");
        assertThat(storedPaths(owner)).containsExactly("dist/1.0/bin/tool.sh", "dist/1.0/lib/deep/x.jar",
                "dist/1.0/readme.txt");
        assertThat(server.anonymous().get("/dl/" + owner + "/generic/dist/1.0/bin/tool.sh").body()).isEqualTo("#!/bin/sh");
        assertThat(server.anonymous().get("/dl/" + owner + "/generic/dist/1.0/lib/deep/x.jar").body()).isEqualTo("jar");
    }

    @Test
    void unpacksArchiveUploadedWithHeadersOnly() throws IOException {
        // given
        givenPackage("hilde");
        // when
        var response = server.as("hilde").put("/api/v1/content/hilde/generic/site/site.tgz", tarGz(
                        entries("index.html", "<html/>")),
                "X-Bintray-Package", "tool", "X-Bintray-Version", "2.0", "X-Bintray-Explode", "1", "X-Bintray-Publish", "1");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(storedPaths("hilde")).containsExactly("site/index.html");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../evil", "/evil", "a/../../evil", "..\\evil"})
    void refusesZipSlipAndStoresNothingFromTheArchive(String evilName) throws IOException {
        // given: a harmless entry first, so a partial explode would show
        var owner = "slip" + Integer.toHexString(evilName.hashCode());
        givenPackage(owner);
        var archive = zip(entries("good.txt", "fine", evilName, "pwned"));
        // when
        var response = explode(owner, "dist/bundle.zip", archive);
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).startsWith("Archive entry").contains("evil", "refusing to explode");
        assertThat(storedPaths(owner)).isEmpty();
        assertThat(server.as(owner).get("/dl/" + owner + "/generic/dist/good.txt").status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"../evil", "/abs", "a/../../b"})
    void refusesTarSlipAndStoresNothingFromTheArchive(String evilName) throws IOException {
        // given
        var owner = "tslip" + Integer.toHexString(evilName.hashCode());
        givenPackage(owner);
        var archive = tarGz(entries("good.txt", "fine", evilName, "pwned"));
        // when
        var response = explode(owner, "dist/bundle.tar.gz", archive);
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains(evilName);
        assertThat(storedPaths(owner)).isEmpty();
    }

    @Test
    void refusesZipBomb() throws IOException {
        // given: 50 MB of zeros, compressed about a thousandfold
        givenPackage("bomber");
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("first.txt"));
            zip.write("harmless".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            var megabyte = new byte[1024 * 1024];
            for (int i = 0; i < 50; i++) {
                zip.write(megabyte);
            }
            zip.closeEntry();
        }
        assertThat(bytes.size()).isLessThan(1024 * 1024);
        // when
        var response = explode("bomber", "bundle.zip", bytes.toByteArray());
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("expands");
        assertThat(storedPaths("bomber")).isEmpty();
    }

    @Test
    void refusesTarGzBomb() throws IOException {
        // given
        givenPackage("tarbomber");
        var bytes = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            var header = new TarArchiveEntry("zeros.bin");
            header.setSize(50L * 1024 * 1024);
            tar.putArchiveEntry(header);
            var megabyte = new byte[1024 * 1024];
            for (int i = 0; i < 50; i++) {
                tar.write(megabyte);
            }
            tar.closeArchiveEntry();
        }
        // when
        var response = explode("tarbomber", "bundle.tar.gz", bytes.toByteArray());
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("expands");
        assertThat(storedPaths("tarbomber")).isEmpty();
    }

    @Test
    void verifiesChecksumOfArchiveBeforeExploding() throws Exception {
        // given: the client's X-Checksum-Sha2 names other bytes than arrive
        givenPackage("sumo");
        var archive = zip(entries("readme.txt", "read me"));
        var claimed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("another archive".getBytes(StandardCharsets.UTF_8)));
        // when
        var response = server.as("sumo").put("/api/v1/content/sumo/generic/tool/1.0/bundle.zip?publish=1", archive,
                "X-Bintray-Explode", "1", "X-Checksum-Sha2", claimed);
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains(claimed);
        assertThat(storedPaths("sumo")).isEmpty();
    }

    @Test
    void explodesArchiveWhoseChecksumMatches() throws Exception {
        // given
        givenPackage("sumi");
        var archive = zip(entries("readme.txt", "read me"));
        var sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(archive));
        // when
        var response = server.as("sumi").put("/api/v1/content/sumi/generic/tool/1.0/bundle.zip?publish=1", archive,
                "X-Bintray-Explode", "1", "X-Checksum-Sha2", sha256);
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(storedPaths("sumi")).containsExactly("readme.txt");
    }

    @Test
    void refusesToExplodeUnsupportedArchive() {
        // given
        givenPackage("rara");
        // when
        var response = explode("rara", "bundle.rar", "Rar!".getBytes(StandardCharsets.UTF_8));
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("bundle.rar");
        assertThat(storedPaths("rara")).isEmpty();
    }

    @Test
    void refusesCorruptArchive() {
        // given
        givenPackage("corra");
        // when
        var response = explode("corra", "bundle.zip", "this is not a zip file".getBytes(StandardCharsets.UTF_8));
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(storedPaths("corra")).isEmpty();
    }

    @Test
    void refusesToOverridePublishedFileFromArchiveWithoutOverride() throws IOException {
        // given
        givenPackage("ovid");
        server.publishFile("ovid", "generic", "tool", "1.0", "dist/readme.txt", "original");
        // when
        var response = explode("ovid", "dist/bundle.zip", zip(entries("new.txt", "new", "readme.txt", "replaced")));
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(storedPaths("ovid")).containsExactly("dist/readme.txt");
        assertThat(server.anonymous().get("/dl/ovid/generic/dist/readme.txt").body()).isEqualTo("original");
    }
}
