package dev.bindery.formats.debian;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Gpg;
import dev.bindery.support.MutableClock;
import dev.bindery.support.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Debian repositories end to end: .deb files built by dpkg-deb, uploaded with matrix parameters
 * and headers, the dists/ tree checked byte for byte, and the real apt-get reading it, signed, from
 * an isolated configuration.
 */
class DebianRepositoryTest {

    private static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");
    private static final MutableClock CLOCK = new MutableClock(NOW);

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(CLOCK);

    private static Path work;

    @BeforeAll
    static void createWorkDir() throws IOException {
        work = Files.createTempDirectory("debian-test");
    }

    @AfterAll
    static void removeWorkDir() throws IOException {
        try (var paths = Files.walk(work)) {
            for (var path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    private static void givenDebianRepository(String owner, String repo, String settings) {
        server.createRepository(owner, repo, "{\"type\": \"debian\"" + (settings.isEmpty() ? "" : ", " + settings) + "}");
    }

    private static Response upload(String owner, String repo, String pkg, String version, String path, Path deb,
                                   String... headers) throws IOException {
        return server.as(owner).putFile("/api/v1/content/" + owner + "/" + repo + "/" + pkg + "/" + version + "/"
                + path, deb, headers);
    }

    private static String get(String owner, String repo, String path) {
        var response = server.anonymous().get("/dl/" + owner + "/" + repo + "/" + path);
        assertThat(response.status()).as("GET %s: %s", path, response).isEqualTo(200);
        return response.body();
    }

    private static int status(String owner, String repo, String path) {
        return server.anonymous().get("/dl/" + owner + "/" + repo + "/" + path).status();
    }

    /** Waits for the background index rebuild to make {@code path} satisfy {@code expected}. */
    private static String awaitIndex(String owner, String repo, String path, Predicate<String> expected)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        String last = null;
        while (System.currentTimeMillis() < deadline) {
            var response = server.anonymous().get("/dl/" + owner + "/" + repo + "/" + path);
            last = response.status() == 200 ? response.body() : null;
            if (last != null && expected.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("The index at " + path + " did not become as expected; last seen:\n" + last);
    }

    /** Waits until no rebuild runs, after the content listeners started theirs. */
    private static void awaitIdle() throws Exception {
        Thread.sleep(100);
        server.bindery().awaitIndexes(java.time.Duration.ofSeconds(30));
    }

    private static String stanza(Path deb, String control, String filename) throws Exception {
        var bytes = Files.readAllBytes(deb);
        return control + "Filename: " + filename + "\nSize: " + bytes.length + "\nMD5sum: " + hex("MD5", bytes)
                + "\nSHA1: " + hex("SHA-1", bytes) + "\nSHA256: " + hex("SHA-256", bytes) + "\n\n";
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    private static String checksumLine(String algorithm, byte[] bytes, String path) throws Exception {
        return " " + hex(algorithm, bytes) + String.format(" %16d ", bytes.length) + path + "\n";
    }

    /** RFC 2822 in UTC, as Debian writes it; the clock only moves in the calc_metadata test. */
    private static String releaseDate(Instant instant) {
        return java.time.format.DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", java.util.Locale.ENGLISH)
                .withZone(java.time.ZoneOffset.UTC).format(instant);
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    // --- index contents -------------------------------------------------------------------------

    @Test
    void indexesAnUploadWithMatrixParametersIntoPackagesAndRelease() throws Exception {
        // given
        givenDebianRepository("debra", "deb", "\"desc\": \"Debra's packages\"");
        server.createPackage("debra", "deb", "hello");
        var control = Debs.control("hello", "1.0-1", "amd64", "Depends: libc6 (>= 2.31)");
        var deb = Debs.build(Files.createTempDirectory(work, "m"), control, "xz");
        // when
        var response = upload("debra", "deb", "hello", "1.0-1",
                "pool/main/h/hello/hello_1.0-1_amd64.deb;deb_distribution=stable;deb_component=main;"
                        + "deb_architecture=amd64;publish=1", deb);
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        var packages = awaitIndex("debra", "deb", "dists/stable/main/binary-amd64/Packages", text -> !text.isEmpty());
        assertThat(packages).isEqualTo(stanza(deb, control, "pool/main/h/hello/hello_1.0-1_amd64.deb"));
        var gz = server.anonymous().get("/dl/debra/deb/dists/stable/main/binary-amd64/Packages.gz").bytes();
        assertThat(new String(gunzip(gz), StandardCharsets.UTF_8)).isEqualTo(packages);
        var plain = packages.getBytes(StandardCharsets.UTF_8);
        var release = get("debra", "deb", "dists/stable/Release");
        assertThat(release).isEqualTo("Origin: debra\n"
                + "Label: deb\n"
                + "Suite: stable\n"
                + "Codename: stable\n"
                + "Date: " + releaseDate(CLOCK.instant()) + "\n"
                + "Acquire-By-Hash: yes\n"
                + "Architectures: amd64\n"
                + "Components: main\n"
                + "Description: Debra's packages\n"
                + "MD5Sum:\n"
                + checksumLine("MD5", plain, "main/binary-amd64/Packages")
                + checksumLine("MD5", gz, "main/binary-amd64/Packages.gz")
                + "SHA1:\n"
                + checksumLine("SHA-1", plain, "main/binary-amd64/Packages")
                + checksumLine("SHA-1", gz, "main/binary-amd64/Packages.gz")
                + "SHA256:\n"
                + checksumLine("SHA-256", plain, "main/binary-amd64/Packages")
                + checksumLine("SHA-256", gz, "main/binary-amd64/Packages.gz"));
        // unsigned repository: no signatures
        assertThat(status("debra", "deb", "dists/stable/InRelease")).isEqualTo(404);
        assertThat(status("debra", "deb", "dists/stable/Release.gpg")).isEqualTo(404);
    }

    @Test
    void indexesAnUploadWithCommaSeparatedHeadersIntoEveryDistributionComponentAndArchitecture() throws Exception {
        // given
        givenDebianRepository("hedda", "deb", "");
        server.createPackage("hedda", "deb", "tool");
        var control = Debs.control("tool", "2.0", "amd64");
        var deb = Debs.build(Files.createTempDirectory(work, "h"), control, "gzip");
        // when
        var response = upload("hedda", "deb", "tool", "2.0", "pool/t/tool_2.0_amd64.deb", deb,
                "X-Bintray-Debian-Distribution", "bookworm, trixie",
                "X-Bintray-Debian-Component", "main,contrib",
                "X-Bintray-Debian-Architecture", "amd64,arm64",
                "X-Bintray-Publish", "1");
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        var expected = stanza(deb, control, "pool/t/tool_2.0_amd64.deb");
        for (var dist : new String[] {"bookworm", "trixie"}) {
            for (var component : new String[] {"main", "contrib"}) {
                for (var arch : new String[] {"amd64", "arm64"}) {
                    var packages = awaitIndex("hedda", "deb", "dists/" + dist + "/" + component + "/binary-" + arch
                            + "/Packages", text -> !text.isEmpty());
                    assertThat(packages).isEqualTo(expected);
                }
            }
            var release = get("hedda", "deb", "dists/" + dist + "/Release");
            assertThat(release).contains("Suite: " + dist + "\n", "Architectures: amd64 arm64\n",
                    "Components: contrib main\n", " contrib/binary-arm64/Packages.gz\n");
            assertThat(release).doesNotContain("Description:");
        }
    }

    @Test
    void listsArchitectureAllPackagesUnderEveryArchitectureOfTheirDistribution() throws Exception {
        // given: a distribution with amd64 and i386 packages
        givenDebianRepository("allan", "deb", "");
        server.createPackage("allan", "deb", "native");
        server.createPackage("allan", "deb", "docs");
        var dir = Files.createTempDirectory(work, "a");
        assertThat(upload("allan", "deb", "native", "1", "pool/native_1_amd64.deb;deb_distribution=sid;publish=1",
                Debs.build(dir, "native", "1", "amd64")).status()).isEqualTo(201);
        assertThat(upload("allan", "deb", "native", "1", "pool/native_1_i386.deb;deb_distribution=sid;publish=1",
                Debs.build(dir, "native", "1", "i386")).status()).isEqualTo(201);
        awaitIndex("allan", "deb", "dists/sid/main/binary-i386/Packages", text -> text.contains("native_1_i386"));
        // when
        var all = Debs.build(dir, "docs", "3", "all");
        assertThat(upload("allan", "deb", "docs", "3", "pool/docs_3_all.deb;deb_distribution=sid;publish=1", all)
                .status()).isEqualTo(201);
        // then: the arch-independent package is in both, with the native one of each, in path order
        var amd64 = awaitIndex("allan", "deb", "dists/sid/main/binary-amd64/Packages",
                text -> text.contains("Package: docs"));
        var i386 = awaitIndex("allan", "deb", "dists/sid/main/binary-i386/Packages",
                text -> text.contains("Package: docs"));
        var docs = stanza(all, Debs.control("docs", "3", "all"), "pool/docs_3_all.deb");
        assertThat(amd64).startsWith(docs).contains("Filename: pool/native_1_amd64.deb\n")
                .doesNotContain("native_1_i386");
        assertThat(i386).startsWith(docs).contains("Filename: pool/native_1_i386.deb\n")
                .doesNotContain("native_1_amd64");
        assertThat(get("allan", "deb", "dists/sid/Release")).contains("Architectures: amd64 i386\n");
        assertThat(status("allan", "deb", "dists/sid/main/binary-all/Packages")).isEqualTo(404);
    }

    @Test
    void usesTheRepositoryDefaultsAndTheControlArchitecture() throws Exception {
        // given
        givenDebianRepository("dora", "deb", "\"default_debian_distribution\": \"focal\","
                + " \"default_debian_component\": \"universe\"");
        server.createPackage("dora", "deb", "zed");
        // when: no parameters at all
        var deb = Debs.build(Files.createTempDirectory(work, "d"), Debs.control("zed", "0.1", "arm64"), "zstd");
        assertThat(upload("dora", "deb", "zed", "0.1", "pool/zed_0.1_arm64.deb;publish=1", deb).status())
                .isEqualTo(201);
        // then
        var packages = awaitIndex("dora", "deb", "dists/focal/universe/binary-arm64/Packages",
                text -> !text.isEmpty());
        assertThat(packages).isEqualTo(stanza(deb, Debs.control("zed", "0.1", "arm64"), "pool/zed_0.1_arm64.deb"));
        assertThat(get("dora", "deb", "dists/focal/Release")).contains("Architectures: arm64\n",
                "Components: universe\n");
    }

    @Test
    void keepsEveryControlFieldInOrderWithContinuationLines() throws Exception {
        // given: fields dpkg-deb keeps as written, a multi-line one with an empty first line among them
        givenDebianRepository("carl", "deb", "");
        server.createPackage("carl", "deb", "fancy");
        var control = "Package: fancy\nSource: fancy-src (1.2)\nVersion: 1:1.2~rc1-3\nArchitecture: amd64\n"
                + "Maintainer: Carl <carl@example.com>\nInstalled-Size: 12\nPre-Depends: dpkg (>= 1.15)\n"
                + "Depends: libc6 (>= 2.31), zlib1g | libz\nX-Custom-Field: kept\nHomepage: https://example.com/\n"
                + "Description: fancy things\n Several lines.\n .\n After a blank one.\n";
        var deb = Debs.build(Files.createTempDirectory(work, "c"), control, "xz");
        // when
        assertThat(upload("carl", "deb", "fancy", "1.2", "pool/fancy.deb;deb_distribution=stable;publish=1", deb)
                .status()).isEqualTo(201);
        // then
        var packages = awaitIndex("carl", "deb", "dists/stable/main/binary-amd64/Packages", text -> !text.isEmpty());
        assertThat(packages).isEqualTo(stanza(deb, control, "pool/fancy.deb"));
        var files = server.as("carl").get("/api/v1/packages/carl/deb/fancy/versions/1.2/files");
        assertThat(files.status()).isEqualTo(200);
    }

    // --- bad input ------------------------------------------------------------------------------

    @Test
    void refusesAnUploadWithoutDistributionWhenTheRepositoryHasNoDefault() throws Exception {
        // given
        givenDebianRepository("nadia", "deb", "");
        server.createPackage("nadia", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "n"), "hello", "1", "amd64");
        // when
        var response = upload("nadia", "deb", "hello", "1", "pool/hello_1_amd64.deb;publish=1", deb);
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).isEqualTo("Debian uploads need a distribution: deb_distribution matrix"
                + " parameter or X-Bintray-Debian-Distribution header");
        assertThat(server.as("nadia").get("/api/v1/packages/nadia/deb/hello/versions/1/files?include_unpublished=1")
                .body()).doesNotContain("hello_1_amd64.deb");
    }

    @Test
    void refusesFakeAndTruncatedPackagesAndLeavesTheIndexAsItWas() throws Exception {
        // given: a repository with one good package
        givenDebianRepository("fiona", "deb", "");
        server.createPackage("fiona", "deb", "good");
        var dir = Files.createTempDirectory(work, "f");
        var good = Debs.build(dir, "good", "1", "amd64");
        assertThat(upload("fiona", "deb", "good", "1", "pool/good.deb;deb_distribution=stable;publish=1", good)
                .status()).isEqualTo(201);
        var before = awaitIndex("fiona", "deb", "dists/stable/main/binary-amd64/Packages", text -> !text.isEmpty());
        var releaseBefore = get("fiona", "deb", "dists/stable/Release");
        var bytes = Files.readAllBytes(good);
        var fake = dir.resolve("fake.deb");
        Files.writeString(fake, "this is not a Debian package at all\n");
        var truncated = dir.resolve("truncated.deb");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        var headerOnly = dir.resolve("header-only.deb");
        Files.write(headerOnly, java.util.Arrays.copyOf(bytes, 70));
        var noControl = dir.resolve("no-control.deb");
        Files.write(noControl, Debs.withControl(bytes, "Version: 1\nArchitecture: amd64\n"));
        // when / then
        var cases = new String[][] {
            {"fake.deb", "'fake.deb' is not a valid Debian package: it is not an ar archive"},
            {"truncated.deb", "'truncated.deb' is not a valid Debian package: it is truncated"},
            {"header-only.deb", "'header-only.deb' is not a valid Debian package"},
            {"no-control.deb", "'no-control.deb' is not a valid Debian package: its control file has no Package field"},
        };
        for (var bad : cases) {
            var response = upload("fiona", "deb", "good", "2", "pool/" + bad[0] + ";deb_distribution=stable;publish=1",
                    dir.resolve(bad[0]));
            assertThat(response.status()).as(bad[0] + ": " + response).isEqualTo(400);
            assertThat(response.message()).startsWith(bad[1]);
        }
        awaitIdle();
        assertThat(get("fiona", "deb", "dists/stable/main/binary-amd64/Packages")).isEqualTo(before);
        assertThat(get("fiona", "deb", "dists/stable/Release")).isEqualTo(releaseBefore);
        assertThat(status("fiona", "deb", "pool/fake.deb")).isEqualTo(404);
    }

    @Test
    void refusesDistributionNamesThatAreNotPathSegments() throws Exception {
        // given
        givenDebianRepository("pat", "deb", "");
        server.createPackage("pat", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "p"), "hello", "1", "amd64");
        // when
        var response = upload("pat", "deb", "hello", "1", "pool/hello.deb", deb,
                "X-Bintray-Debian-Distribution", "../../etc");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).startsWith("Debian distribution '../../etc' is not a valid name");
    }

    @Test
    void keepsFilesThatAreNotPackagesOutOfTheIndex() throws Exception {
        // given
        givenDebianRepository("olga", "deb", "\"default_debian_distribution\": \"stable\"");
        server.createPackage("olga", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "o"), "hello", "1", "amd64");
        assertThat(upload("olga", "deb", "hello", "1", "pool/hello.deb;publish=1", deb).status()).isEqualTo(201);
        // when
        assertThat(server.as("olga").put("/api/v1/content/olga/deb/hello/1/pool/README.txt;publish=1", "notes")
                .status()).isEqualTo(201);
        awaitIdle();
        // then
        var packages = awaitIndex("olga", "deb", "dists/stable/main/binary-amd64/Packages", text -> !text.isEmpty());
        assertThat(packages).contains("Filename: pool/hello.deb\n").doesNotContain("README");
    }

    @Test
    void dropsADeletedFileFromPackages() throws Exception {
        // given: two packages in one distribution
        givenDebianRepository("delia", "deb", "\"default_debian_distribution\": \"stable\"");
        server.createPackage("delia", "deb", "keep");
        server.createPackage("delia", "deb", "gone");
        var dir = Files.createTempDirectory(work, "x");
        assertThat(upload("delia", "deb", "keep", "1", "pool/keep.deb;publish=1", Debs.build(dir, "keep", "1", "amd64"))
                .status()).isEqualTo(201);
        assertThat(upload("delia", "deb", "gone", "1", "pool/gone.deb;publish=1", Debs.build(dir, "gone", "1", "amd64"))
                .status()).isEqualTo(201);
        awaitIndex("delia", "deb", "dists/stable/main/binary-amd64/Packages",
                text -> text.contains("Package: keep") && text.contains("Package: gone"));
        // when
        assertThat(server.as("delia").delete("/api/v1/content/delia/deb/pool/gone.deb").status()).isEqualTo(200);
        // then
        var packages = awaitIndex("delia", "deb", "dists/stable/main/binary-amd64/Packages",
                text -> !text.contains("Package: gone"));
        assertThat(packages).contains("Package: keep\n", "Filename: pool/keep.deb\n");
        assertThat(get("delia", "deb", "dists/stable/Release"))
                .contains(" " + hex("SHA-256", packages.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void recalculatesTheIndexOnCalcMetadata() throws Exception {
        // given
        givenDebianRepository("cal", "deb", "\"default_debian_distribution\": \"stable\"");
        server.createPackage("cal", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "cm"), "hello", "1", "amd64");
        assertThat(upload("cal", "deb", "hello", "1", "pool/hello.deb;publish=1", deb).status()).isEqualTo(201);
        var before = awaitIndex("cal", "deb", "dists/stable/Release", text -> text.contains("binary-amd64"));
        CLOCK.advance(java.time.Duration.ofHours(1));
        // when
        var response = server.as("cal").post("/api/v1/calc_metadata/cal/deb");
        // then: same packages, a newer date
        assertThat(response.status()).isEqualTo(202);
        var after = awaitIndex("cal", "deb", "dists/stable/Release", text -> !text.equals(before));
        assertThat(after.replaceAll("Date: .*\n", "")).isEqualTo(before.replaceAll("Date: .*\n", ""));
    }

    @Test
    void servesPackagesByHashAndKeepsThePreviousGenerationAfterARebuild() throws Exception {
        // given: a repository with one package, and the Release a client read before a rebuild
        givenDebianRepository("hash", "deb", "\"default_debian_distribution\": \"stable\"");
        server.createPackage("hash", "deb", "hello");
        var dir = Files.createTempDirectory(work, "bh");
        var first = Debs.build(dir, "hello", "1", "amd64");
        assertThat(upload("hash", "deb", "hello", "1", "pool/hello_1.deb;publish=1", first).status()).isEqualTo(201);
        var before = awaitIndex("hash", "deb", "dists/stable/Release", text -> text.contains("binary-amd64"));
        var oldGz = server.anonymous().get("/dl/hash/deb/dists/stable/main/binary-amd64/Packages.gz").bytes();
        var oldPlain = get("hash", "deb", "dists/stable/main/binary-amd64/Packages").getBytes(StandardCharsets.UTF_8);
        // then: Release asks for by-hash, and each Packages file is served under its SHA-256
        assertThat(before).contains("Acquire-By-Hash: yes\n", " " + hex("SHA-256", oldGz) + " ");
        for (var bytes : new byte[][] {oldGz, oldPlain}) {
            var byHash = server.anonymous().get("/dl/hash/deb/dists/stable/main/binary-amd64/by-hash/SHA256/"
                    + hex("SHA-256", bytes));
            assertThat(byHash.status()).isEqualTo(200);
            assertThat(byHash.bytes()).isEqualTo(bytes);
        }
        assertThat(status("hash", "deb", "dists/stable/main/binary-amd64/by-hash/SHA256/" + "0".repeat(64)))
                .isEqualTo(404);
        // and: apt-get update reads the index through by-hash
        try (var apt = Apt.isolated("deb [trusted=yes arch=amd64] " + sourceUrl("hash", "deb") + " stable main")) {
            var update = apt.aptGet("-o", "Debug::Acquire::http=true", "update");
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(update.output()).contains("/by-hash/SHA256/" + hex("SHA-256", oldGz));
        }
        // when: another package is published, so Packages and Packages.gz change in place
        var second = Debs.build(dir, "hello-two", "1", "amd64");
        server.createPackage("hash", "deb", "hello-two");
        assertThat(upload("hash", "deb", "hello-two", "1", "pool/hello-two_1.deb;publish=1", second).status())
                .isEqualTo(201);
        awaitIndex("hash", "deb", "dists/stable/main/binary-amd64/Packages", text -> text.contains("hello-two"));
        awaitIdle();
        // then: the files the old Release named still download by hash, with their hash
        var newGz = server.anonymous().get("/dl/hash/deb/dists/stable/main/binary-amd64/Packages.gz").bytes();
        assertThat(newGz).isNotEqualTo(oldGz);
        var old = server.anonymous().get("/dl/hash/deb/dists/stable/main/binary-amd64/by-hash/SHA256/"
                + hex("SHA-256", oldGz));
        assertThat(old.status()).isEqualTo(200);
        assertThat(hex("SHA-256", old.bytes())).isEqualTo(hex("SHA-256", oldGz));
        assertThat(get("hash", "deb", "dists/stable/Release")).contains(" " + hex("SHA-256", newGz) + " ")
                .doesNotContain(hex("SHA-256", oldGz));
        assertThat(status("hash", "deb", "dists/stable/main/binary-amd64/by-hash/SHA256/" + hex("SHA-256", newGz)))
                .isEqualTo(200);
    }

    // --- apt-get ------------------------------------------------------------------------------

    private static String sourceUrl(String owner, String repo) {
        return server.baseUrl() + "/dl/" + owner + "/" + repo;
    }

    private static Path publicKeyFile(String name) throws IOException {
        var key = server.anonymous().get("/api/v1/keys/gpg/public.key");
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        assertThat(key.body()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        var file = work.resolve(name + ".asc");
        Files.writeString(file, key.body());
        return file;
    }

    @Test
    void aptGetUpdatesAndDownloadsFromASignedRepository() throws Exception {
        // given: a repository whose metadata the server key signs, and the key fetched from the API
        givenDebianRepository("signe", "deb", "\"gpg_sign_metadata\": true");
        server.createPackage("signe", "deb", "hello");
        var dir = Files.createTempDirectory(work, "s");
        var deb = Debs.build(dir, "hello", "1.0-1", "amd64");
        var noarch = Debs.build(dir, "hello-doc", "1.0-1", "all");
        assertThat(upload("signe", "deb", "hello", "1.0-1", "pool/main/h/hello/hello_1.0-1_amd64.deb;"
                + "deb_distribution=stable;deb_component=main;deb_architecture=amd64", deb).status()).isEqualTo(201);
        assertThat(upload("signe", "deb", "hello", "1.0-1", "pool/main/h/hello/hello-doc_1.0-1_all.deb;"
                + "deb_distribution=stable;deb_component=main", noarch).status()).isEqualTo(201);
        assertThat(server.as("signe").postJson("/api/v1/content/signe/deb/hello/1.0-1/publish",
                "{\"publish_wait_for_secs\": -1}").status()).isEqualTo(200);
        assertThat(get("signe", "deb", "dists/stable/InRelease")).startsWith("-----BEGIN PGP SIGNED MESSAGE-----");
        var key = publicKeyFile("signe");
        // when: apt reads it with only that key, no trusted=yes
        try (var apt = Apt.isolated("deb [signed-by=" + key + " arch=amd64] " + sourceUrl("signe", "deb")
                + " stable main")) {
            var update = apt.aptGet("update");
            // then
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(update.output()).doesNotContain("W:", "E:");
            var download = apt.aptGet("download", "hello", "hello-doc");
            assertThat(download.exit()).as(download.output()).isZero();
            assertThat(Files.readAllBytes(apt.downloads().resolve("hello_1.0-1_amd64.deb")))
                    .isEqualTo(Files.readAllBytes(deb));
            assertThat(Files.readAllBytes(apt.downloads().resolve("hello-doc_1.0-1_all.deb")))
                    .isEqualTo(Files.readAllBytes(noarch));
            var install = apt.aptGet("install", "--download-only", "hello");
            assertThat(install.exit()).as(install.output()).isZero();
            assertThat(apt.root().resolve("cache/archives/hello_1.0-1_amd64.deb")).exists();
        }
    }

    @Test
    void gpgRefusesATamperedRelease() throws Exception {
        // given: a signed repository
        givenDebianRepository("tess", "deb", "\"gpg_sign_metadata\": true, \"default_debian_distribution\": \"stable\"");
        server.createPackage("tess", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "t"), "hello", "1", "amd64");
        assertThat(upload("tess", "deb", "hello", "1", "pool/hello.deb;publish=1", deb).status()).isEqualTo(201);
        awaitIndex("tess", "deb", "dists/stable/Release", text -> text.contains("binary-amd64"));
        var release = get("tess", "deb", "dists/stable/Release");
        try (var gpg = Gpg.isolated()) {
            assertThat(gpg.importKey(Files.readString(publicKeyFile("tess"))).ok()).isTrue();
            var dir = Files.createTempDirectory(work, "gpg");
            var signature = dir.resolve("Release.gpg");
            Files.writeString(signature, get("tess", "deb", "dists/stable/Release.gpg"));
            var inRelease = dir.resolve("InRelease");
            Files.writeString(inRelease, get("tess", "deb", "dists/stable/InRelease"));
            var genuine = dir.resolve("Release");
            Files.writeString(genuine, release);
            var tampered = dir.resolve("Release.tampered");
            Files.writeString(tampered, release.replace("Label: deb", "Label: evil"));
            var tamperedInRelease = dir.resolve("InRelease.tampered");
            Files.writeString(tamperedInRelease, Files.readString(inRelease).replace("Label: deb", "Label: evil"));
            // when / then
            assertThat(gpg.verify(signature, genuine).status()).contains("[GNUPG:] VALIDSIG");
            assertThat(gpg.verify(inRelease).status()).contains("[GNUPG:] VALIDSIG");
            var refused = gpg.verify(signature, tampered);
            assertThat(refused.ok()).isFalse();
            assertThat(refused.status()).contains("[GNUPG:] BADSIG");
            assertThat(gpg.verify(tamperedInRelease).status()).contains("[GNUPG:] BADSIG");
        }
    }

    @Test
    void aptGetRefusesATamperedReleaseServedByAProxy() throws Exception {
        // given: a signed repository behind a proxy that alters Release and InRelease on the way
        givenDebianRepository("mal", "deb", "\"gpg_sign_metadata\": true, \"default_debian_distribution\": \"stable\"");
        server.createPackage("mal", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "mal"), "hello", "1", "amd64");
        assertThat(upload("mal", "deb", "hello", "1", "pool/hello.deb;publish=1", deb).status()).isEqualTo(201);
        awaitIndex("mal", "deb", "dists/stable/InRelease", text -> text.contains("binary-amd64"));
        var key = publicKeyFile("mal");
        var proxy = tamperingProxy();
        try (var apt = Apt.isolated("deb [signed-by=" + key + " arch=amd64] http://127.0.0.1:"
                + proxy.getAddress().getPort() + "/dl/mal/deb stable main")) {
            // when
            var update = apt.aptGet("update");
            // then
            assertThat(update.exit()).as(update.output()).isNotZero();
            assertThat(update.output()).containsAnyOf("BADSIG", "signatures were invalid", "is not signed");
            var download = apt.aptGet("download", "hello");
            assertThat(download.exit()).isNotZero();
            assertThat(apt.downloads().resolve("hello_1_amd64.deb")).doesNotExist();
        } finally {
            proxy.stop(0);
        }
    }

    /** Forwards GETs to the server, changing "Label: deb" to "Label: evil" in Release and InRelease. */
    private static HttpServer tamperingProxy() throws IOException {
        var http = HttpClient.newHttpClient();
        var proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            try (exchange) {
                var path = exchange.getRequestURI().getRawPath();
                var upstream = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                var body = upstream.body();
                if (path.endsWith("/Release") || path.endsWith("/InRelease")) {
                    body = new String(body, StandardCharsets.UTF_8).replace("Label: deb", "Label: evil")
                            .getBytes(StandardCharsets.UTF_8);
                }
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(upstream.statusCode(), head || body.length == 0 ? -1 : body.length);
                if (!head) {
                    exchange.getResponseBody().write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        proxy.start();
        return proxy;
    }

    @Test
    void aptGetUpdatesAnEmptyRepositoryWithDefaults() throws Exception {
        // given: no package at all, only the defaults, which index the repository when it is created
        givenDebianRepository("emma", "deb", "\"gpg_sign_metadata\": true, \"default_debian_distribution\": \"stable\","
                + " \"default_debian_component\": \"main\", \"default_debian_architecture\": \"amd64\"");
        awaitIndex("emma", "deb", "dists/stable/InRelease", text -> text.contains("binary-amd64/Packages"));
        assertThat(get("emma", "deb", "dists/stable/main/binary-amd64/Packages")).isEmpty();
        var key = publicKeyFile("emma");
        // when
        try (var apt = Apt.isolated("deb [signed-by=" + key + " arch=amd64] " + sourceUrl("emma", "deb")
                + " stable main")) {
            var update = apt.aptGet("update");
            // then
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(update.output()).doesNotContain("W:", "E:");
        }
    }

    @Test
    void aptGetFindsArchitectureAllPackagesInADistributionWithNoOtherArchitecture() throws Exception {
        // given: only an arch-independent package, and no default architecture: the index is binary-all
        givenDebianRepository("indy", "deb", "\"default_debian_distribution\": \"any\"");
        server.createPackage("indy", "deb", "docs");
        var deb = Debs.build(Files.createTempDirectory(work, "indy"), "docs", "1", "all");
        assertThat(upload("indy", "deb", "docs", "1", "pool/docs_1_all.deb;publish=1", deb).status()).isEqualTo(201);
        var release = awaitIndex("indy", "deb", "dists/any/Release", text -> text.contains("binary-all"));
        assertThat(release).contains("Architectures: all\n");
        // when: apt of the machine's own architecture reads it
        try (var apt = Apt.isolated("deb [trusted=yes] " + sourceUrl("indy", "deb") + " any main")) {
            var update = apt.aptGet("update");
            var download = apt.aptGet("download", "docs");
            // then
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(download.exit()).as(download.output()).isZero();
            assertThat(Files.readAllBytes(apt.downloads().resolve("docs_1_all.deb"))).isEqualTo(Files.readAllBytes(deb));
        }
    }

    @Test
    void aptGetReadsAnUnsignedRepositoryMarkedTrusted() throws Exception {
        // given: the same flow without signing, for a machine without the signing service
        givenDebianRepository("tru", "deb", "\"default_debian_distribution\": \"stable\"");
        server.createPackage("tru", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "tru"), "hello", "2", "amd64");
        assertThat(upload("tru", "deb", "hello", "2", "pool/hello_2_amd64.deb;publish=1", deb).status())
                .isEqualTo(201);
        awaitIndex("tru", "deb", "dists/stable/Release", text -> text.contains("binary-amd64"));
        // when
        try (var apt = Apt.isolated("deb [trusted=yes arch=amd64] " + sourceUrl("tru", "deb") + " stable main")) {
            var update = apt.aptGet("update");
            var download = apt.aptGet("download", "hello");
            // then
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(download.exit()).as(download.output()).isZero();
            assertThat(Files.readAllBytes(apt.downloads().resolve("hello_2_amd64.deb")))
                    .isEqualTo(Files.readAllBytes(deb));
        }
        // and without trusted=yes, apt refuses the unsigned repository
        try (var apt = Apt.isolated("deb [arch=amd64] " + sourceUrl("tru", "deb") + " stable main")) {
            var update = apt.aptGet("update");
            assertThat(update.exit()).as(update.output()).isNotZero();
            assertThat(update.output()).contains("is not signed");
        }
    }
}
