package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Usage reports of the current month: download bytes from the rollups, storage as it is now. */
class UsageReportApiTest {

    private static final MutableClock clock = MutableClock.startingNow();
    private static final AtomicLong downloads = new AtomicLong();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(clock));

    private static void download(String path, int times) {
        for (int i = 0; i < times; i++) {
            var response = server.anonymous().get(path);
            assertThat(response.status()).isEqualTo(200);
            downloads.incrementAndGet();
        }
    }

    private static void givenRepositoryWithFile(String owner, String repo, String businessUnit, String file,
                                                String content) {
        server.createRepository(owner, repo, businessUnit == null ? "{\"type\": \"generic\"}"
                : "{\"type\": \"generic\", \"business_unit\": \"" + businessUnit + "\"}");
        server.createPackage(owner, repo, "tool");
        server.publishFile(owner, repo, "tool", "1.0", file, content);
    }

    private static String monthStart() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).withDayOfMonth(1) + "T00:00:00.000Z";
    }

    private static List<JsonNode> records(JsonNode array) {
        var records = new ArrayList<JsonNode>();
        array.forEach(records::add);
        return records;
    }

    @Test
    void reportsTheSubjectsDownloadAndStorageBytesOfThisMonth() {
        // given: 5 + 10 bytes stored, 2 x 5 + 1 x 10 bytes downloaded
        givenRepositoryWithFile("ann", "generic", null, "a.bin", "12345");
        givenRepositoryWithFile("ann", "other", null, "b.bin", "0123456789");
        download("/dl/ann/generic/a.bin", 2);
        download("/dl/ann/other/b.bin", 1);
        server.awaitAnalytics(downloads.get());
        // when
        var response = server.as("ann").postJson("/api/v1/usage/ann", "{}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var records = records(response.json());
        assertThat(records).hasSize(1);
        var month = records.get(0);
        assertThat(month.get("from").asText()).isEqualTo(monthStart());
        assertThat(month.get("to").asText()).isEqualTo(dev.bindery.Times.format(clock.instant()));
        assertThat(month.get("partial_period").asBoolean()).isTrue();
        assertThat(month.get("download_bytes").asLong()).isEqualTo(20);
        assertThat(month.get("storage_bytes").asLong()).isEqualTo(15);
        assertThat(month.has("download_percentage")).isFalse();
    }

    @Test
    void reportsARepositorysShareOfTheSubject() {
        // given: alpha holds 3 of 4 stored bytes and 6 of 7 downloaded ones
        givenRepositoryWithFile("bob", "alpha", "red", "a.bin", "abc");
        givenRepositoryWithFile("bob", "beta", null, "b.bin", "d");
        download("/dl/bob/alpha/a.bin", 2);
        download("/dl/bob/beta/b.bin", 1);
        server.awaitAnalytics(downloads.get());
        // when
        var alpha = server.as("bob").postJson("/api/v1/usage/bob/alpha", "{\"from\": \"" + monthStart() + "\"}");
        var beta = server.as("bob").postJson("/api/v1/usage/bob/beta", "{}");
        // then
        assertThat(alpha.status()).isEqualTo(200);
        var alphaMonth = alpha.json().get(0);
        assertThat(alphaMonth.get("business_unit").asText()).isEqualTo("red");
        assertThat(alphaMonth.get("download_bytes").asLong()).isEqualTo(6);
        assertThat(alphaMonth.get("download_percentage").asDouble()).isEqualTo(85.71428571);
        assertThat(alphaMonth.get("storage_bytes").asLong()).isEqualTo(3);
        assertThat(alphaMonth.get("storage_percentage").asDouble()).isEqualTo(75.0);
        var betaMonth = beta.json().get(0);
        assertThat(betaMonth.get("business_unit").isNull()).isTrue();
        assertThat(betaMonth.get("download_percentage").asDouble()
                + alphaMonth.get("download_percentage").asDouble()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(betaMonth.get("storage_percentage").asDouble()).isEqualTo(25.0);
    }

    @Test
    void groupsRepositoriesWithoutABusinessUnitLast() {
        // given: one repository of unit red, one without a unit
        givenRepositoryWithFile("ivy", "alpha", "red", "a.bin", "ab");
        givenRepositoryWithFile("ivy", "beta", null, "b.bin", "cdef");
        // when
        var response = server.as("ivy").postJson("/api/v1/usage/business_unit_usage/ivy", "{}");
        // then
        var units = records(response.json());
        assertThat(units).hasSize(2);
        assertThat(units.get(0).get("business_unit").asText()).isEqualTo("red");
        assertThat(units.get(1).get("business_unit").isNull()).isTrue();
        assertThat(units.get(1).get("storage_bytes").asLong()).isEqualTo(4);
        assertThat(units.get(0).get("storage_percentage").asDouble() + units.get(1).get("storage_percentage").asDouble())
                .isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(units.get(0).get("download_percentage").asDouble()).isZero();
    }

    @Test
    void groupsUsageByBusinessUnit() {
        // given: red = one + three, blue = two
        givenRepositoryWithFile("cat", "one", "red", "1.bin", "1");
        givenRepositoryWithFile("cat", "two", "blue", "2.bin", "22");
        givenRepositoryWithFile("cat", "three", "red", "3.bin", "333");
        download("/dl/cat/one/1.bin", 1);
        download("/dl/cat/two/2.bin", 1);
        download("/dl/cat/three/3.bin", 1);
        server.awaitAnalytics(downloads.get());
        // when
        var all = server.as("cat").postJson("/api/v1/usage/business_unit_usage/cat", "{}");
        var red = server.as("cat").postJson("/api/v1/usage/business_unit_usage/cat/red", "{}");
        var unknown = server.as("cat").postJson("/api/v1/usage/business_unit_usage/cat/green", "{}");
        // then
        assertThat(all.status()).isEqualTo(200);
        var units = records(all.json());
        assertThat(units).extracting(unit -> unit.get("business_unit").asText()).containsExactly("blue", "red");
        assertThat(units.get(0).get("download_bytes").asLong()).isEqualTo(2);
        assertThat(units.get(1).get("download_bytes").asLong()).isEqualTo(4);
        assertThat(units.get(1).get("storage_bytes").asLong()).isEqualTo(4);
        assertThat(units.get(0).get("storage_percentage").asDouble()).isEqualTo(33.33333333);
        assertThat(units.get(1).get("storage_percentage").asDouble()).isEqualTo(66.66666667);
        assertThat(units.get(0).get("partial_period").asBoolean()).isTrue();
        assertThat(records(red.json())).hasSize(1);
        assertThat(red.json().get(0).get("business_unit").asText()).isEqualTo("red");
        assertThat(red.json().get(0).get("download_bytes").asLong()).isEqualTo(4);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("green");
    }

    @Test
    void reportsTheCurrentStoragePerPackage() {
        // given
        server.createRepository("dee", "generic");
        server.createPackage("dee", "generic", "big");
        server.createPackage("dee", "generic", "empty");
        server.createPackage("dee", "generic", "small");
        server.publishFile("dee", "generic", "big", "1.0", "big-1.0.bin", "0123456789");
        server.publishFile("dee", "generic", "big", "2.0", "big-2.0.bin", "01234");
        server.publishFile("dee", "generic", "small", "1.0", "small.bin", "x");
        // when
        var repository = server.as("dee").postJson("/api/v1/usage/package_usage/dee/generic", "{}");
        var one = server.as("dee").postJson("/api/v1/usage/package_usage/dee/generic/small", "{}");
        var paged = server.as("dee").post("/api/v1/usage/package_usage/dee/generic?start_pos=2");
        // then
        assertThat(repository.status()).isEqualTo(200);
        var packages = records(repository.json());
        assertThat(packages).extracting(pkg -> pkg.get("package").asText()).containsExactly("big", "empty", "small");
        assertThat(packages.get(0).get("storage_bytes").asLong()).isEqualTo(15);
        assertThat(packages.get(0).get("file_count").asLong()).isEqualTo(2);
        assertThat(packages.get(1).get("storage_bytes").asLong()).isZero();
        assertThat(records(one.json())).hasSize(1);
        assertThat(one.json().get(0).get("storage_bytes").asLong()).isEqualTo(1);
        assertThat(records(paged.json())).extracting(pkg -> pkg.get("package").asText()).containsExactly("small");
        assertThat(paged.header("X-RangeLimit-Total")).isEqualTo("3");
    }

    @Test
    void rejectsBadDates() {
        // given
        server.createRepository("eli", "generic");
        // when
        var garbage = server.as("eli").postJson("/api/v1/usage/eli", "{\"from\": \"last tuesday\"}");
        var backwards = server.as("eli").postJson("/api/v1/usage/eli",
                "{\"from\": \"2024-03-01\", \"to\": \"2024-02-01\"}");
        var future = server.as("eli").postJson("/api/v1/usage/eli/generic", "{\"from\": \"2999-01-01\"}");
        // then
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.message()).contains("from");
        assertThat(backwards.status()).isEqualTo(400);
        assertThat(future.status()).isEqualTo(400);
    }

    @Test
    void needsAdminRightsOnTheSubject() {
        // given: an organization fay owns and gus is not an admin of
        server.createOrg("fay-org", "fay");
        server.apiKey("gus");
        server.createRepository("fay", "generic");
        // when
        var anonymous = server.anonymous().postJson("/api/v1/usage/fay", "{}");
        var stranger = server.as("gus").postJson("/api/v1/usage/fay", "{}");
        var strangerRepo = server.as("gus").postJson("/api/v1/usage/fay/generic", "{}");
        var strangerUnits = server.as("gus").postJson("/api/v1/usage/business_unit_usage/fay", "{}");
        var strangerPackages = server.as("gus").postJson("/api/v1/usage/package_usage/fay/generic", "{}");
        var owner = server.as("fay").postJson("/api/v1/usage/fay-org", "{}");
        var siteAdmin = server.as("admin").postJson("/api/v1/usage/fay", "{}");
        var missing = server.as("admin").postJson("/api/v1/usage/nobody-here", "{}");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(strangerRepo.status()).isEqualTo(403);
        assertThat(strangerUnits.status()).isEqualTo(403);
        assertThat(strangerPackages.status()).isEqualTo(403);
        assertThat(owner.status()).isEqualTo(200);
        assertThat(siteAdmin.status()).isEqualTo(200);
        assertThat(missing.status()).isEqualTo(404);
    }
}
