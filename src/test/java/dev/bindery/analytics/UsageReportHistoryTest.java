package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage reports over past months: whole months from the month rollups, cut months from day
 * buckets, storage from the last daily snapshot of each month and live for the current one.
 */
class UsageReportHistoryTest {

    private static final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T12:00:00Z"));
    private static final AtomicLong downloads = new AtomicLong();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(clock));

    private static void download(String path, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(server.anonymous().get(path).status()).isEqualTo(200);
            downloads.incrementAndGet();
        }
    }

    /**
     * January 10: 8 bytes stored (snapshot taken), 2 x 8 bytes downloaded. February 15: 4 more bytes
     * stored (no snapshot), 1 x 4 bytes downloaded; the report is asked for then.
     */
    @BeforeAll
    static void givenTwoMonthsOfUsage() {
        server.createRepository("hal", "generic");
        server.createPackage("hal", "generic", "tool");
        server.publishFile("hal", "generic", "tool", "1.0", "tool-1.0.bin", "abcdefgh");
        download("/dl/hal/generic/tool-1.0.bin", 2);
        server.awaitAnalytics(downloads.get());
        assertThat(server.bindery().storageSnapshots().snapshot()).isEqualTo(1);

        clock.advance(Duration.ofDays(36));
        server.publishFile("hal", "generic", "tool", "2.0", "tool-2.0.bin", "wxyz");
        download("/dl/hal/generic/tool-2.0.bin", 1);
        server.awaitAnalytics(downloads.get());
    }

    private static List<JsonNode> records(JsonNode array) {
        var records = new ArrayList<JsonNode>();
        array.forEach(records::add);
        return records;
    }

    @Test
    void splitsTheRangeIntoMonths() {
        // when
        var response = server.as("hal").postJson("/api/v1/usage/hal",
                "{\"from\": \"2025-12-15T08:00:00.000Z\", \"to\": \"2026-06-01T00:00:00.000Z\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var months = records(response.json());
        assertThat(months).extracting(month -> month.get("from").asText()).containsExactly(
                "2025-12-15T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z");
        assertThat(months).extracting(month -> month.get("to").asText()).containsExactly(
                "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-02-15T12:00:00.000Z");
        assertThat(months).extracting(month -> month.get("partial_period").asBoolean())
                .containsExactly(true, false, true);
        assertThat(months).extracting(month -> month.get("download_bytes").asLong()).containsExactly(0L, 16L, 4L);
        // December had no snapshot; January's last one; February is live.
        assertThat(months).extracting(month -> month.get("storage_bytes").asLong()).containsExactly(0L, 8L, 12L);
    }

    @Test
    void countsACutPastMonthFromDays() {
        // when: a plain date as the end means that whole day
        var inside = server.as("hal").postJson("/api/v1/usage/hal", "{\"from\": \"2026-01-05\", \"to\": \"2026-01-20\"}");
        var before = server.as("hal").postJson("/api/v1/usage/hal", "{\"from\": \"2026-01-01\", \"to\": \"2026-01-09\"}");
        // then
        var month = inside.json().get(0);
        assertThat(records(inside.json())).hasSize(1);
        assertThat(month.get("from").asText()).isEqualTo("2026-01-05T00:00:00.000Z");
        assertThat(month.get("to").asText()).isEqualTo("2026-01-21T00:00:00.000Z");
        assertThat(month.get("partial_period").asBoolean()).isTrue();
        assertThat(month.get("download_bytes").asLong()).isEqualTo(16);
        assertThat(month.get("storage_bytes").asLong()).isEqualTo(8);
        assertThat(before.json().get(0).get("download_bytes").asLong()).isZero();
        assertThat(before.json().get(0).get("storage_bytes").asLong()).isZero();
    }

    @Test
    void sharesOfPastMonthsAddUp() {
        // when
        var response = server.as("hal").postJson("/api/v1/usage/hal/generic",
                "{\"from\": \"2026-01-01\", \"to\": \"2026-01-31\"}");
        // then
        var month = response.json().get(0);
        assertThat(month.get("partial_period").asBoolean()).isFalse();
        assertThat(month.get("download_percentage").asDouble()).isEqualTo(100.0);
        assertThat(month.get("storage_percentage").asDouble()).isEqualTo(100.0);
    }
}
