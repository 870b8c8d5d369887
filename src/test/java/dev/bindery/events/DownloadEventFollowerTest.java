package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.analytics.DownloadEvent;
import dev.bindery.analytics.SegmentLog;
import dev.bindery.storage.Db;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's follower of the download log, stepped by hand on a real (H2) database. */
class DownloadEventFollowerTest {

    @TempDir
    Path dir;

    @Test
    void aStepCatchesUpWithEverythingLoggedSinceTheLastInTransactionsOfABatch() throws Exception {
        try (var db = Db.open("jdbc:h2:mem:follower-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
             var log = new SegmentLog(dir, 1 << 20)) {
            var store = new EventStore(db.jdbi());
            var events = new EventService(store, Clock.systemUTC(), Duration.ofHours(1));
            // given: a follower that starts at the end of the log, then a burst of more downloads
            // than one batch holds (what a busy second brings)
            var follower = new DownloadEventFollower(log, store, events, "outbox:test");
            long start = events.latestSeq();
            int burst = 2 * DownloadEventFollower.BATCH + 123;
            var downloads = new ArrayList<DownloadEvent>();
            for (int i = 0; i < burst; i++) {
                downloads.add(DownloadEvent.captured(1_700_000_000_000L + i, "198.51.100.7", "anonymous", "ann",
                        "generic", "tool", "1.0", "tool-" + i + ".zip", "GET", 200, 10, null, "curl/8.5.0", null));
            }
            log.appendEvents(downloads);
            // when: one step (the follower's thread runs at most one a second)
            int appended = follower.step();
            // then: all of them are in the outbox, in log order, and the checkpoint is at the log's end
            assertThat(appended).isEqualTo(burst);
            assertThat(follower.position()).isEqualTo(log.end());
            var stored = new ArrayList<StoredEvent>();
            long seq = start;
            while (true) {
                var page = events.after(seq, 5_000);
                if (page.isEmpty()) {
                    break;
                }
                stored.addAll(page);
                seq = page.get(page.size() - 1).seq();
            }
            assertThat(stored).hasSize(burst);
            assertThat(stored.get(0).event().path()).endsWith("tool-0.zip");
            assertThat(stored.get(burst - 1).event().path()).endsWith("tool-" + (burst - 1) + ".zip");
            assertThat(stored).allSatisfy(event -> assertThat(event.event().type()).isEqualTo(EventType.DOWNLOAD));
            // and the next step finds nothing new
            assertThat(follower.step()).isZero();
        }
    }
}
