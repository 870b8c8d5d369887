package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.analytics.AnalyticsStore.Rollup;
import dev.bindery.analytics.AnalyticsStore.Scope;
import dev.bindery.storage.Db;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollup follower against a real (H2) database: counts add up, replays never double count. */
class RollupConsumerTest {

    @TempDir
    Path dir;

    private static DownloadEvent event(long time, String version, String country, String client) {
        return new DownloadEvent(time, "10.0.0.1", "anonymous", "ann", "generic", "tool", version, "f", "GET", 200, 100,
                null, "ua", null, country, "unknown", "unknown", "unknown", null, null, 64500L, "Example Net", "Linux",
                client);
    }

    @Test
    void addsEveryEventOnceToEachRollup() throws Exception {
        var now = Instant.parse("2026-03-17T12:00:00Z");
        var clock = Clock.fixed(now, ZoneOffset.UTC);
        try (var db = Db.open("jdbc:h2:mem:rollup-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
             var log = new SegmentLog(dir, 1 << 20)) {
            var store = new AnalyticsStore(db.jdbi());
            var payloads = new ArrayList<byte[]>();
            long t = now.toEpochMilli() - 60_000;
            payloads.add(EventCodec.encode(event(t, "1.0", "DE", "curl")));
            payloads.add(EventCodec.encode(event(t, "1.0", "DE", "Maven")));
            payloads.add(EventCodec.encode(event(t, "2.0", "FR", "curl")));
            payloads.add(EventCodec.encode(event(t - 40L * 86_400_000, "1.0", "FR", "curl")));
            log.append(payloads);
            var consumer = new RollupConsumer(log, store, "rollup:test", clock);
            assertThat(consumer.step()).isEqualTo(4);
            assertThat(consumer.step()).isZero();

            var scope = new Scope("ann", "generic", "tool", null);
            var plan = Buckets.plan(now.minusSeconds(86_400L * 60), now, now);
            var all = plan.totals();
            // networks and clients have no minute buckets: their recent part is whole days
            var allInDays = plan.totalsInDays();
            assertThat(sums(store.sum(Rollup.VERSION, scope, all, List.of("version"))))
                    .containsExactlyInAnyOrder("1.0=3", "2.0=1");
            assertThat(sums(store.sum(Rollup.COUNTRY_OS, scope, all, List.of("country"))))
                    .containsExactlyInAnyOrder("DE=2", "FR=2");
            assertThat(sums(store.sum(Rollup.CLIENT, scope, allInDays, List.of("client"))))
                    .containsExactlyInAnyOrder("curl=3", "Maven=1");
            assertThat(sums(store.sum(Rollup.ORG, scope, allInDays, List.of("organization"))))
                    .containsExactly("Example Net=4");

            // a follower restarted from the committed checkpoint adds nothing again
            var restarted = new RollupConsumer(log, store, "rollup:test", clock);
            assertThat(restarted.step()).isZero();
            // a rebuild starts over and ends with the same counts
            assertThat(RollupConsumer.rebuild(log, store, "rollup:test", clock)).isEqualTo(4);
            assertThat(sums(store.sum(Rollup.VERSION, scope, all, List.of("version"))))
                    .containsExactlyInAnyOrder("1.0=3", "2.0=1");
        }
    }

    private static List<String> sums(List<AnalyticsStore.Sum> rows) {
        return rows.stream().map(row -> row.group().get(0) + "=" + row.downloads()).toList();
    }
}
