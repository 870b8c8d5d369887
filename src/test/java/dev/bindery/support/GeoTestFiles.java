package dev.bindery.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * Test databases in MaxMind DB format, written at test time by Debian's libmaxmind-db-writer-perl
 * (src/test/resources/geoip/write-mmdb.pl), and npm-style tarballs to carry them.
 *
 * <p>Without the Perl writer a test is skipped with the reason, except under CI ({@code CI=true}),
 * where it fails: .ci/run installs it.
 */
public final class GeoTestFiles {

    /** Map key types of GeoIP2 country and city records (GeoLite2, DB-IP Lite). */
    public static final Map<String, Object> GEOIP2_TYPES = Map.ofEntries(
            Map.entry("country", "map"), Map.entry("registered_country", "map"),
            Map.entry("iso_code", "utf8_string"), Map.entry("names", "map"),
            Map.entry("en", "utf8_string"), Map.entry("de", "utf8_string"),
            Map.entry("subdivisions", List.of("array", "map")), Map.entry("city", "map"),
            Map.entry("postal", "map"), Map.entry("code", "utf8_string"), Map.entry("location", "map"),
            Map.entry("latitude", "double"), Map.entry("longitude", "double"),
            Map.entry("geoname_id", "uint32"));

    /** Map key types of ASN records (GeoLite2-ASN, DB-IP ASN Lite, ip-location-db asn). */
    public static final Map<String, Object> ASN_TYPES = Map.of(
            "autonomous_system_number", "uint32", "autonomous_system_organization", "utf8_string");

    /** Map key types of ip-location-db's flat country and city records. */
    public static final Map<String, Object> FLAT_TYPES = Map.of(
            "country_code", "utf8_string", "state1", "utf8_string", "state2", "utf8_string",
            "city", "utf8_string", "postcode", "utf8_string", "latitude", "float", "longitude", "float",
            "timezone", "utf8_string");

    private static final ObjectMapper JSON = new ObjectMapper();

    private GeoTestFiles() {
    }

    /**
     * Writes {@code file} as a MaxMind DB of {@code databaseType} holding {@code networks} (CIDR to
     * record); {@code ipVersion} 6 databases also answer for IPv4.
     */
    public static Path writeMmdb(Path file, String databaseType, int ipVersion, Map<String, Object> types,
                                 Map<String, Map<String, Object>> networks) {
        requirePerlWriter();
        var entries = networks.entrySet().stream()
                .map(network -> Map.of("network", network.getKey(), "data", network.getValue()))
                .toList();
        var spec = new LinkedHashMap<String, Object>();
        spec.put("database_type", databaseType);
        spec.put("ip_version", ipVersion);
        spec.put("types", types);
        spec.put("networks", entries);
        try {
            var process = new ProcessBuilder("perl", script().toString(), file.toString())
                    .redirectErrorStream(true).start();
            try (var in = process.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(spec));
            }
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("write-mmdb.pl failed: " + output);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes a gzipped tar like {@code npm pack} makes: every entry under {@code package/}. */
    public static Path writeNpmTarball(Path tgz, Map<String, byte[]> files) throws IOException {
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(tgz)))) {
            for (var file : files.entrySet()) {
                var entry = new TarArchiveEntry("package/" + file.getKey());
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return tgz;
    }

    /** Skips the calling test when the Perl writer is missing, or fails it under CI. */
    public static void requirePerlWriter() {
        String problem;
        try {
            var process = new ProcessBuilder("perl", "-MMaxMind::DB::Writer::Tree", "-e1")
                    .redirectErrorStream(true).start();
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                problem = "perl did not answer within 60 s";
            } else {
                problem = process.exitValue() == 0 ? null
                        : output.lines().findFirst().orElse("exit " + process.exitValue());
            }
        } catch (IOException e) {
            problem = "perl is not installed (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        if (problem == null) {
            return;
        }
        var reason = "MaxMind::DB::Writer (Debian package libmaxmind-db-writer-perl) is needed to build test"
                + " databases: " + problem;
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(reason);
        }
        Assumptions.abort(reason);
    }

    private static Path script() {
        try {
            return Path.of(GeoTestFiles.class.getResource("/geoip/write-mmdb.pl").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
