package dev.bindery.access;

import static dev.bindery.support.GeoTestFiles.GEOIP2_TYPES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.GeoTestFiles;
import dev.bindery.support.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Geo Restrictions and IP Restrictions: managed by repository admins, enforced on every download
 * of the repository, for everyone. Other client addresses are simulated with X-Forwarded-For
 * from the trusted proxy 127.0.0.1.
 */
class RestrictionsTest {

    /** No GeoIP database. */
    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config
            .withTrustedProxies(List.of("127.0.0.1")));

    /** A small GeoIP database: 81.2.69.0/24 in GB, 216.160.83.0/24 in US, 2001:218::/32 in JP. */
    @RegisterExtension
    static final BinderyServer geoServer = new BinderyServer(config -> {
        config = config.withTrustedProxies(List.of("127.0.0.1"));
        if (!perlWriterAvailable()) {
            return config; // the geo tests skip themselves
        }
        try {
            var dir = Files.createTempDirectory("bindery-geo-restrictions");
            dir.toFile().deleteOnExit();
            var db = GeoTestFiles.writeMmdb(dir.resolve("country.mmdb"), "GeoLite2-Country", 6, GEOIP2_TYPES, Map.of(
                    "81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")),
                    "216.160.83.0/24", Map.of("country", Map.of("iso_code", "US")),
                    "2001:218::/32", Map.of("country", Map.of("iso_code", "JP"))));
            return config.withGeoDatabases(db, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private static final String GB = "81.2.69.10";
    private static final String US = "216.160.83.5";
    private static final String JP = "2001:218::1";
    private static final String PRIVATE_ADDRESS = "10.1.2.3";

    private static boolean perlWriterAvailable() {
        try {
            var process = new ProcessBuilder("perl", "-MMaxMind::DB::Writer::Tree", "-e1")
                    .redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A public repository of {@code owner} with one published file; returns its download path. */
    private static String repositoryWithFile(BinderyServer on, String owner, String repo) {
        on.createRepository(owner, repo);
        on.createPackage(owner, repo, "tool");
        on.publishFile(owner, repo, "tool", "1.0", "file.txt", "content of " + repo);
        return "/dl/" + owner + "/" + repo + "/file.txt";
    }

    private static Response downloadFrom(BinderyServer on, String path, String clientIp) {
        return on.anonymous().get(path, "X-Forwarded-For", clientIp);
    }

    private static List<String> texts(JsonNode array) {
        var values = new ArrayList<String>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    @Test
    void managesGeoRestrictions() {
        // given
        server.createRepository("gus", "geo-crud");
        var path = "/api/v1/repos/gus/geo-crud/geo_restrictions";
        var admin = server.as("gus");
        // when / then: none at first
        var initial = admin.get(path);
        assertThat(initial.status()).isEqualTo(200);
        assertThat(texts(initial.json().get("white_list"))).isEmpty();
        assertThat(texts(initial.json().get("black_list"))).isEmpty();
        // when: a white list is set, in lower case
        var updated = admin.putJson(path, "{\"white_list\": [\"us\", \"CA\"], \"black_list\": []}");
        // then: as documented, and upper-cased
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.message()).isEqualTo("The Geo Restrictions for repo path gus/geo-crud were updated successfully");
        var read = admin.get(path).json();
        assertThat(texts(read.get("white_list"))).containsExactly("US", "CA");
        assertThat(texts(read.get("black_list"))).isEmpty();
        // when: deleted
        var deleted = admin.delete(path);
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(texts(deleted.json().get("white_list"))).isEmpty();
        assertThat(texts(deleted.json().get("black_list"))).isEmpty();
        assertThat(texts(admin.get(path).json().get("white_list"))).isEmpty();
    }

    @Test
    void refusesTwoGeoListsAndUnknownCountries() {
        // given
        server.createRepository("gus", "geo-bad");
        var path = "/api/v1/repos/gus/geo-bad/geo_restrictions";
        var admin = server.as("gus");
        // when / then
        var both = admin.putJson(path, "{\"white_list\": [\"US\"], \"black_list\": [\"CA\"]}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.message()).contains("white_list").contains("black_list");
        assertThat(admin.putJson(path, "{\"white_list\": [\"XX\"]}").status()).isEqualTo(400);
        assertThat(admin.putJson(path, "{\"black_list\": [\"USA\"]}").status()).isEqualTo(400);
        assertThat(admin.putJson(path, "{\"black_list\": [\"\"]}").status()).isEqualTo(400);
        assertThat(admin.putJson(path, "{\"white_list\": \"US\"}").status()).isEqualTo(400);
        assertThat(texts(admin.get(path).json().get("white_list"))).isEmpty();
    }

    @Test
    void managesIpRestrictions() {
        // given
        server.createRepository("gus", "ip-crud");
        var path = "/api/v1/repos/gus/ip-crud/ip_restrictions";
        var admin = server.as("gus");
        // when: set as the doc's example writes it, a list in a list
        var set = admin.putJson(path, "{\"white_cidrs\": [[\"10.0.0.1/32\", \"10.0.0.7/32\"]], \"black_cidrs\": []}");
        // then
        assertThat(set.status()).as("%s", set).isEqualTo(200);
        assertThat(texts(set.json().get("white_cidrs"))).containsExactly("10.0.0.1/32", "10.0.0.7/32");
        assertThat(texts(set.json().get("black_cidrs"))).isEmpty();
        // when: patched
        var patched = admin.patchJson(path, "{\"add\": {\"white_cidrs\": [\"10.0.0.9/32\"], \"black_cidrs\":"
                + " [\"10.100.0.0/16\", \"2001:db8::/32\"]}, \"remove\": {\"white_cidrs\": [\"10.0.0.1/32\","
                + " \"10.0.0.6/24\"], \"black_cidrs\": []}}");
        // then
        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        assertThat(texts(patched.json().get("white_cidrs"))).containsExactly("10.0.0.7/32", "10.0.0.9/32");
        assertThat(texts(patched.json().get("black_cidrs"))).containsExactly("10.100.0.0/16", "2001:db8::/32");
        var read = admin.get(path).json();
        assertThat(texts(read.get("white_cidrs"))).containsExactly("10.0.0.7/32", "10.0.0.9/32");
        assertThat(texts(read.get("black_cidrs"))).containsExactly("10.100.0.0/16", "2001:db8::/32");
        // when: set flat
        var flat = admin.putJson(path, "{\"white_cidrs\": [\"192.168.0.0/16\"]}");
        assertThat(flat.status()).isEqualTo(200);
        assertThat(texts(flat.json().get("white_cidrs"))).containsExactly("192.168.0.0/16");
        assertThat(texts(flat.json().get("black_cidrs"))).isEmpty();
        // when: deleted
        var deleted = admin.delete(path);
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.message()).isEqualTo("Successfully deleted restriction for repo /gus/ip-crud");
        assertThat(texts(admin.get(path).json().get("white_cidrs"))).isEmpty();
    }

    @Test
    void refusesInvalidCidrs() {
        // given
        server.createRepository("gus", "ip-bad");
        var path = "/api/v1/repos/gus/ip-bad/ip_restrictions";
        var admin = server.as("gus");
        // when / then
        for (var bad : List.of("10.0.0.300/32", "nonsense", "10.0.0.1/33", "1", "10.1", "2001:db8::/129", "")) {
            var response = admin.putJson(path, "{\"white_cidrs\": [\"" + bad + "\"]}");
            assertThat(response.status()).as("%s: %s", bad, response).isEqualTo(400);
        }
        assertThat(admin.putJson(path, "{\"white_cidrs\": [1]}").status()).isEqualTo(400);
        assertThat(admin.patchJson(path, "{\"add\": {\"black_cidrs\": [\"x\"]}}").status()).isEqualTo(400);
        assertThat(admin.patchJson(path, "{}").status()).isEqualTo(400);
        assertThat(texts(admin.get(path).json().get("white_cidrs"))).isEmpty();
    }

    @Test
    void onlyRepositoryAdminsManageRestrictions() {
        // given
        server.createRepository("gus", "guarded");
        server.apiKey("ollie");
        var geo = "/api/v1/repos/gus/guarded/geo_restrictions";
        var ip = "/api/v1/repos/gus/guarded/ip_restrictions";
        // when / then
        assertThat(server.anonymous().get(geo).status()).isEqualTo(401);
        assertThat(server.anonymous().putJson(ip, "{\"white_cidrs\": []}").status()).isEqualTo(401);
        assertThat(server.as("ollie").get(geo).status()).isEqualTo(403);
        assertThat(server.as("ollie").putJson(geo, "{\"black_list\": [\"US\"]}").status()).isEqualTo(403);
        assertThat(server.as("ollie").delete(ip).status()).isEqualTo(403);
        assertThat(server.as("admin").get(ip).status()).isEqualTo(200);
        assertThat(server.as("gus").get("/api/v1/repos/gus/missing/ip_restrictions").status()).isEqualTo(404);
    }

    @Test
    void ipWhiteListDecidesDownloadsForEveryone() {
        // given
        var file = repositoryWithFile(server, "gus", "ip-white");
        var path = "/api/v1/repos/gus/ip-white/ip_restrictions";
        assertThat(server.anonymous().get(file).status()).isEqualTo(200);
        // when: a white list without 127.0.0.1
        assertThat(server.as("gus").putJson(path, "{\"white_cidrs\": [\"10.0.0.0/8\"]}").status()).isEqualTo(200);
        // then: refused at once, to the repository's owner too; a missing file is still a 404
        var refused = server.anonymous().get(file);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).contains("IP restrictions").contains("gus/ip-white");
        assertThat(refused.body()).doesNotContain("content of");
        assertThat(server.as("gus").get(file).status()).isEqualTo(403);
        assertThat(server.anonymous().head(file).status()).isEqualTo(403);
        assertThat(server.anonymous().get("/dl/gus/ip-white/missing.txt").status()).isEqualTo(404);
        assertThat(downloadFrom(server, file, PRIVATE_ADDRESS).status()).isEqualTo(200);
        // when: the white list includes 127.0.0.1
        assertThat(server.as("gus").putJson(path, "{\"white_cidrs\": [\"10.0.0.0/8\", \"127.0.0.1/32\"]}").status())
                .isEqualTo(200);
        // then
        var allowed = server.anonymous().get(file);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("content of ip-white");
        assertThat(downloadFrom(server, file, "11.0.0.1").status()).isEqualTo(403);
        // when: restrictions deleted
        assertThat(server.as("gus").delete(path).status()).isEqualTo(200);
        // then
        assertThat(downloadFrom(server, file, "11.0.0.1").status()).isEqualTo(200);
    }

    @Test
    void ipBlackListRefusesItsBlocks() {
        // given
        var file = repositoryWithFile(server, "gus", "ip-black");
        // when
        assertThat(server.as("gus").putJson("/api/v1/repos/gus/ip-black/ip_restrictions",
                "{\"black_cidrs\": [\"127.0.0.0/8\", \"203.0.113.0/24\"]}").status()).isEqualTo(200);
        // then
        assertThat(server.anonymous().get(file).status()).isEqualTo(403);
        assertThat(downloadFrom(server, file, "203.0.113.77").status()).isEqualTo(403);
        assertThat(downloadFrom(server, file, "198.51.100.1").status()).isEqualTo(200);
    }

    @Test
    void ipv6ClientsMatchIpv6Blocks() {
        // given
        var file = repositoryWithFile(server, "gus", "ip-six");
        var path = "/api/v1/repos/gus/ip-six/ip_restrictions";
        // when: only ::1 may download
        assertThat(server.as("gus").putJson(path, "{\"white_cidrs\": [\"::1/128\"]}").status()).isEqualTo(200);
        // then
        assertThat(downloadFrom(server, file, "::1").status()).isEqualTo(200);
        assertThat(server.anonymous().get(file).status()).isEqualTo(403);
        assertThat(downloadFrom(server, file, "2001:db8::1").status()).isEqualTo(403);
        // when: an IPv6 black list
        assertThat(server.as("gus").putJson(path, "{\"black_cidrs\": [\"2001:db8::/32\", \"::1\"]}").status())
                .isEqualTo(200);
        // then
        assertThat(downloadFrom(server, file, "2001:db8::5").status()).isEqualTo(403);
        assertThat(downloadFrom(server, file, "::1").status()).isEqualTo(403);
        assertThat(downloadFrom(server, file, "2001:db9::5").status()).isEqualTo(200);
        assertThat(server.anonymous().get(file).status()).isEqualTo(200);
    }

    @Test
    void withoutGeoIpDatabaseWhiteListRefusesAndBlackListAllows() {
        // given: the server without a GeoIP database
        var file = repositoryWithFile(server, "gus", "geo-blind");
        var path = "/api/v1/repos/gus/geo-blind/geo_restrictions";
        // when: a white list
        assertThat(server.as("gus").putJson(path, "{\"white_list\": [\"GB\"]}").status()).isEqualTo(200);
        // then: nobody can be shown to be in GB
        var refused = downloadFrom(server, file, GB);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).contains("geo restrictions").contains("unknown");
        // when: a black list
        assertThat(server.as("gus").putJson(path, "{\"black_list\": [\"GB\"]}").status()).isEqualTo(200);
        // then: nobody can be shown to be in GB either
        assertThat(downloadFrom(server, file, GB).status()).isEqualTo(200);
    }

    @Test
    void geoWhiteListAdmitsOnlyItsCountries() {
        // given
        GeoTestFiles.requirePerlWriter();
        var file = repositoryWithFile(geoServer, "gus", "geo-white");
        // when
        assertThat(geoServer.as("gus").putJson("/api/v1/repos/gus/geo-white/geo_restrictions",
                "{\"white_list\": [\"GB\", \"JP\"]}").status()).isEqualTo(200);
        // then
        assertThat(downloadFrom(geoServer, file, GB).status()).isEqualTo(200);
        assertThat(downloadFrom(geoServer, file, JP).status()).isEqualTo(200);
        var us = downloadFrom(geoServer, file, US);
        assertThat(us.status()).isEqualTo(403);
        assertThat(us.message()).contains("US").contains("geo restrictions").contains("gus/geo-white");
        assertThat(downloadFrom(geoServer, file, PRIVATE_ADDRESS).status()).isEqualTo(403);
        assertThat(geoServer.as("gus").get(file, "X-Forwarded-For", US).status()).isEqualTo(403);
    }

    @Test
    void geoBlackListRefusesItsCountries() {
        // given
        GeoTestFiles.requirePerlWriter();
        var file = repositoryWithFile(geoServer, "gus", "geo-black");
        // when
        assertThat(geoServer.as("gus").putJson("/api/v1/repos/gus/geo-black/geo_restrictions",
                "{\"black_list\": [\"us\"]}").status()).isEqualTo(200);
        // then
        assertThat(downloadFrom(geoServer, file, US).status()).isEqualTo(403);
        assertThat(downloadFrom(geoServer, file, GB).status()).isEqualTo(200);
        assertThat(downloadFrom(geoServer, file, JP).status()).isEqualTo(200);
        assertThat(downloadFrom(geoServer, file, PRIVATE_ADDRESS).status()).isEqualTo(200);
        // when: lifted
        assertThat(geoServer.as("gus").delete("/api/v1/repos/gus/geo-black/geo_restrictions").status())
                .isEqualTo(200);
        // then
        assertThat(downloadFrom(geoServer, file, US).status()).isEqualTo(200);
    }
}
