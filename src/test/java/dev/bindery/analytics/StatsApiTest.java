package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Downloads become statistics: captured on /dl, logged, rolled up, answered by the stats API. */
class StatsApiTest {

    private static final MutableClock clock = MutableClock.startingNow();
    private static final AtomicLong downloads = new AtomicLong();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(clock)
            .withTrustedProxies(java.util.List.of("127.0.0.1")));

    private static void download(String path, String userAgent, String clientIp) {
        var response = server.anonymous().get(path, "User-Agent", userAgent, "X-Forwarded-For", clientIp);
        assertThat(response.status()).isEqualTo(200);
        downloads.incrementAndGet();
    }

    private static void givenToolWithTwoVersions(String owner) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
        server.publishFile(owner, "generic", "tool", "1.0", "tool-1.0.zip", "one");
        server.publishFile(owner, "generic", "tool", "2.0", "tool-2.0.zip", "two");
    }

    @Test
    void countsDownloadsPerDayAndVersion() {
        // given
        givenToolWithTwoVersions("ada");
        // when
        download("/dl/ada/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.1");
        download("/dl/ada/generic/tool-2.0.zip", "curl/8.5.0", "198.51.100.1");
        download("/dl/ada/generic/tool-2.0.zip", "Wget/1.21.4", "198.51.100.2");
        server.awaitAnalytics(downloads.get());
        var response = server.as("ada").postJson("/api/v1/packages/ada/generic/tool/stats/time_range_downloads",
                "{\"from\": \"" + DateTimeFormatter.ISO_LOCAL_DATE.format(clock.instant().atOffset(ZoneOffset.UTC))
                        + "\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var records = response.json().get("records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("date").asText())
                .isEqualTo(DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC).format(Instant.now()));
        assertThat(counts(records.get(0).get("downloads"), "version")).isEqualTo(Map.of("1.0", 1L, "2.0", 2L));
        assertThat(response.json().get("from").asText()).endsWith("T00:00:00.000Z");
    }

    @Test
    void totalsPerVersionAndForOneVersion() {
        // given
        givenToolWithTwoVersions("bea");
        for (int i = 0; i < 3; i++) {
            download("/dl/bea/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.3");
        }
        download("/dl/bea/generic/tool-2.0.zip", "curl/8.5.0", "198.51.100.3");
        server.awaitAnalytics(downloads.get());
        // when
        var total = server.as("bea").postJson("/api/v1/packages/bea/generic/tool/stats/total_downloads", "{}");
        var version = server.as("bea").postJson(
                "/api/v1/packages/bea/generic/tool/versions/1.0/stats/total_downloads", "{}");
        // then
        assertThat(counts(total.json().get("records"), "version")).isEqualTo(Map.of("1.0", 3L, "2.0", 1L));
        assertThat(counts(version.json().get("records"), "version")).isEqualTo(Map.of("1.0", 3L));
    }

    @Test
    void acceptsGetWithABodyAndPlainDates() {
        // given
        givenToolWithTwoVersions("cid");
        download("/dl/cid/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.4");
        server.awaitAnalytics(downloads.get());
        var today = DateTimeFormatter.ISO_LOCAL_DATE.format(clock.instant().atOffset(ZoneOffset.UTC));
        // when
        var response = server.as("cid").send(server.as("cid").request(
                        "/api/v1/packages/cid/generic/tool/stats/total_downloads", "Content-Type", "application/json")
                .method("GET", java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"from\": \"" + today + "\", \"to\": \"" + today + "\"}")));
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(counts(response.json().get("records"), "version")).isEqualTo(Map.of("1.0", 1L));
    }

    @Test
    void countsCountriesOperatingSystemsAndClients() {
        // given: no GeoIP database here, so every country is unknown
        givenToolWithTwoVersions("dot");
        download("/dl/dot/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.5");
        download("/dl/dot/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.5");
        server.awaitAnalytics(downloads.get());
        // when
        var countries = server.as("dot").postJson("/api/v1/packages/dot/generic/tool/stats/country_downloads", "{}");
        var clients = server.as("dot").postJson("/api/v1/packages/dot/generic/tool/stats/client_downloads", "{}");
        var countryOs = server.as("dot").postJson("/api/v1/packages/dot/generic/tool/stats/country_os_downloads", "{}");
        // then
        assertThat(counts(countries.json().get("records"), "country")).isEqualTo(Map.of("unknown", 2L));
        assertThat(counts(clients.json().get("records"), "client")).isEqualTo(Map.of("curl", 2L));
        var country = countryOs.json().get("records").get(0);
        assertThat(country.get("count").asLong()).isEqualTo(2);
        assertThat(country.get("os").get(0).get("percentage").asDouble()).isEqualTo(100.0);
    }

    @Test
    void headRequestsAndNotModifiedAreNotDownloads() {
        // given
        givenToolWithTwoVersions("eve");
        var anonymous = server.anonymous();
        var etag = anonymous.head("/dl/eve/generic/tool-1.0.zip").header("ETag");
        assertThat(anonymous.get("/dl/eve/generic/tool-1.0.zip", "If-None-Match", etag).status()).isEqualTo(304);
        download("/dl/eve/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.6");
        server.awaitAnalytics(downloads.get());
        // when
        var total = server.as("eve").postJson("/api/v1/packages/eve/generic/tool/stats/total_downloads", "{}");
        // then
        assertThat(counts(total.json().get("records"), "version")).isEqualTo(Map.of("1.0", 1L));
    }

    @Test
    void statsArePrivateToPublishersUnlessPublic() {
        // given
        givenToolWithTwoVersions("fay");
        // when
        var anonymous = server.anonymous().postJson("/api/v1/packages/fay/generic/tool/stats/total_downloads", "{}");
        var outsider = server.as("gus").postJson("/api/v1/packages/fay/generic/tool/stats/total_downloads", "{}");
        server.as("fay").patchJson("/api/v1/packages/fay/generic/tool", "{\"public_stats\": true}");
        var afterPublic = server.as("gus").postJson("/api/v1/packages/fay/generic/tool/stats/total_downloads", "{}");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(afterPublic.status()).isEqualTo(200);
    }

    @Test
    void refusesBadRangesAndUnknownStatistics() {
        givenToolWithTwoVersions("hal");
        var hal = server.as("hal");
        var reversed = hal.postJson("/api/v1/packages/hal/generic/tool/stats/total_downloads",
                "{\"from\": \"2020-02-01\", \"to\": \"2020-01-01\"}");
        var garbage = hal.postJson("/api/v1/packages/hal/generic/tool/stats/total_downloads", "{\"from\": \"soon\"}");
        var unknown = hal.postJson("/api/v1/packages/hal/generic/tool/stats/weather", "{}");
        var noVersion = hal.postJson("/api/v1/packages/hal/generic/tool/versions/9.9/stats/total_downloads", "{}");
        assertThat(reversed.status()).isEqualTo(400);
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.message()).contains("'from'");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(noVersion.status()).isEqualTo(404);
    }

    @Test
    void olderDaysComeFromDayBucketsAfterTheMinutesAreGone() {
        // given: downloads two days ago (by the server's clock)
        givenToolWithTwoVersions("ian");
        download("/dl/ian/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.7");
        server.awaitAnalytics(downloads.get());
        var day = DateTimeFormatter.ISO_LOCAL_DATE.format(clock.instant().atOffset(ZoneOffset.UTC));
        clock.advance(Duration.ofDays(3));
        try {
            // when
            var response = server.as("ian").postJson("/api/v1/packages/ian/generic/tool/stats/total_downloads",
                    "{\"from\": \"" + day + "\", \"to\": \"" + day + "\"}");
            // then
            assertThat(counts(response.json().get("records"), "version")).isEqualTo(Map.of("1.0", 1L));
        } finally {
            clock.advance(Duration.ofDays(-3));
        }
    }

    @Test
    void totalsPerPackageOfARepositoryAndPerRepositoryOfASubject() {
        // given: two packages in one repository, one in another
        givenToolWithTwoVersions("jon");
        server.createPackage("jon", "generic", "lib");
        server.publishFile("jon", "generic", "lib", "1.0", "lib-1.0.zip", "lib");
        server.createRepository("jon", "other");
        server.createPackage("jon", "other", "app");
        server.publishFile("jon", "other", "app", "1.0", "app-1.0.zip", "app");
        download("/dl/jon/generic/tool-1.0.zip", "curl/8.5.0", "198.51.100.8");
        download("/dl/jon/generic/tool-2.0.zip", "curl/8.5.0", "198.51.100.8");
        download("/dl/jon/generic/lib-1.0.zip", "curl/8.5.0", "198.51.100.8");
        download("/dl/jon/other/app-1.0.zip", "curl/8.5.0", "198.51.100.8");
        server.awaitAnalytics(downloads.get());
        // when
        var repository = server.as("jon").postJson("/api/v1/repos/jon/generic/stats/total_downloads", "{}");
        var subject = server.as("jon").postJson("/api/v1/subjects/jon/stats/total_downloads", "{}");
        var outsider = server.as("kay").postJson("/api/v1/subjects/jon/stats/total_downloads", "{}");
        // then
        assertThat(counts(repository.json().get("records"), "package")).isEqualTo(Map.of("tool", 2L, "lib", 1L));
        assertThat(counts(subject.json().get("records"), "repo")).isEqualTo(Map.of("generic", 3L, "other", 1L));
        assertThat(outsider.status()).isEqualTo(403);
    }

    private static Map<String, Long> counts(com.fasterxml.jackson.databind.JsonNode records, String key) {
        var counts = new HashMap<String, Long>();
        records.forEach(record -> counts.put(record.get(key).asText(), record.get("count").asLong()));
        return counts;
    }
}
