package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.analytics.AnalyticsPipeline;
import dev.bindery.analytics.AnalyticsStore;
import dev.bindery.analytics.DownloadEvent;
import dev.bindery.analytics.DownloadLogs;
import dev.bindery.analytics.Enrichment;
import dev.bindery.analytics.RollupConsumer;
import dev.bindery.analytics.SegmentLog;
import dev.bindery.analytics.UserAgents;
import dev.bindery.storage.Db;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's followers take the batches the writer just appended from memory, and end up with
 * exactly what reading the same log back gives: the rollups, the log files' indexes and the
 * outbox's downloads.
 */
class FollowersAtHandTest {

    private static final String[] AGENTS = {"curl/8.5.0", "Apache-Maven/3.9.6 (Java 21; Linux 6.1)",
        "Debian APT-HTTP/1.3 (2.6.1)", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/120.0", null};
    private static final String[] TABLES = {"analytics_version", "analytics_country_os", "analytics_org",
        "analytics_client"};

    @TempDir
    Path dir;

    @Test
    void whatFollowersTakeFromMemoryIsWhatTheLogGivesBack() throws Exception {
        var clock = Clock.systemUTC();
        try (var db = Db.open("jdbc:h2:mem:at-hand-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1")) {
            // closed by the pipeline, which writes what it holds first; read on after that
            var log = new SegmentLog(dir.resolve("segments"), 1 << 20);
            var analyticsStore = new AnalyticsStore(db.jdbi());
            var eventStore = new EventStore(db.jdbi());
            var events = new EventService(eventStore, clock, Duration.ofHours(1));
            long before = events.latestSeq();
            // given: the three followers, started with the writer as the server starts them
            var pipeline = new AnalyticsPipeline(log, new Enrichment(null, new UserAgents()), 100_000);
            var rollups = new RollupConsumer(log, analyticsStore, "rollup:live", clock).start();
            var logs = new DownloadLogs(log, dir.resolve("logs")).start();
            var outbox = new DownloadEventFollower(log, eventStore, events, "outbox:live").start();
            pipeline.onAppend(rollups::appended);
            pipeline.onAppend(logs::appended);
            pipeline.onAppend(outbox::appended);
            // when: downloads arrive from several threads for a while, over two days and three packages
            int threads = 4;
            int each = 6_000;
            long now = clock.millis();
            try (var pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            int n = thread * each + i;
                            while (!pipeline.record(DownloadEvent.captured(now - (n % 2) * 86_400_000L - n, "192.0.2." + n % 200,
                                    n % 7 == 0 ? "alice" : "anonymous", "ann", "generic", "tool-" + n % 3, "1." + n % 4,
                                    "tool-" + n % 3 + "/f" + n % 11 + ".zip", "GET", 200, 100 + n, null,
                                    AGENTS[n % AGENTS.length], null))) {
                                Thread.onSpinWait();
                            }
                            if (i % 500 == 0) {
                                Thread.sleep(5);
                            }
                        }
                        return null;
                    });
                }
            }
            pipeline.close();
            int total = threads * each;
            awaitPosition(rollups::position, log.end());
            awaitPosition(logs::position, log.end());
            awaitPosition(outbox::position, log.end());
            rollups.close();
            logs.close();
            outbox.close();
            // then: each follower took downloads from memory (not only from the log)
            assertThat(rollups.takenAtHand()).isPositive();
            assertThat(logs.takenAtHand()).isPositive();
            assertThat(outbox.takenAtHand()).isPositive();

            // and the same log read back gives the same rollups
            var live = rollupRows(db.jdbi());
            assertThat(RollupConsumer.rebuild(log, analyticsStore, "rollup:live", clock)).isEqualTo(total);
            assertThat(rollupRows(db.jdbi())).isEqualTo(live);
            // the same index of each package's daily log file
            try (var replayed = new DownloadLogs(log, dir.resolve("replayed"))) {
                assertThat(replayed.catchUp()).isEqualTo(total);
                assertThat(replayed.takenAtHand()).isZero();
                var liveIndexes = indexes(dir.resolve("logs"));
                assertThat(liveIndexes).hasSizeGreaterThanOrEqualTo(6);
                assertThat(indexes(dir.resolve("replayed"))).isEqualTo(liveIndexes);
            }
            // and the same downloads in the outbox
            long liveEnd = events.latestSeq();
            var liveDownloads = downloads(events, before, liveEnd);
            assertThat(liveDownloads).hasSize(total);
            eventStore.createCheckpoint("outbox:replay", 0);
            var replay = new DownloadEventFollower(log, eventStore, events, "outbox:replay");
            assertThat(replay.step()).isEqualTo(total);
            assertThat(replay.takenAtHand()).isZero();
            assertThat(downloads(events, liveEnd, events.latestSeq())).isEqualTo(liveDownloads);
        }
    }

    private static void awaitPosition(LongSupplier position, long end) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (position.getAsLong() < end && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(position.getAsLong()).isEqualTo(end);
    }

    /** Every rollup row, as text, in key order. */
    private static List<String> rollupRows(Jdbi jdbi) {
        var rows = new ArrayList<String>();
        for (var table : TABLES) {
            jdbi.useHandle(handle -> handle.createQuery("SELECT * FROM " + table).mapToMap()
                    .forEach(row -> rows.add(table + " " + new TreeMap<>(row))));
        }
        rows.sort(null);
        return rows;
    }

    /** Each index file under {@code root} by its path there, as its offsets. */
    private static TreeMap<String, List<Long>> indexes(Path root) throws IOException {
        var indexes = new TreeMap<String, List<Long>>();
        try (Stream<Path> files = Files.walk(root)) {
            for (var file : files.filter(path -> path.toString().endsWith(".idx")).toList()) {
                var bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
                var offsets = new ArrayList<Long>();
                while (bytes.hasRemaining()) {
                    offsets.add(bytes.getLong());
                }
                indexes.put(root.relativize(file).toString(), offsets);
            }
        }
        return indexes;
    }

    /** The outbox's downloads after {@code from} up to {@code to}, as text, sorted: the order across packages may differ by batch. */
    private static List<String> downloads(EventService events, long from, long to) {
        var downloads = new ArrayList<String>();
        long seq = from;
        while (seq < to) {
            var page = events.after(seq, 5_000);
            if (page.isEmpty()) {
                break;
            }
            for (var stored : page) {
                if (stored.seq() <= to) {
                    assertThat(stored.event().type()).isEqualTo(EventType.DOWNLOAD);
                    downloads.add(stored.event().toString());
                }
            }
            seq = page.get(page.size() - 1).seq();
        }
        downloads.sort(null);
        return downloads;
    }
}
