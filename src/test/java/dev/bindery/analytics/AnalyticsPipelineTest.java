package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture queue: never blocking a download, bounded, counting what it could not take, losing nothing it took. */
class AnalyticsPipelineTest {

    @TempDir
    Path dir;

    private static DownloadEvent download(int producer, int i) {
        return DownloadEvent.captured(1_700_000_000_000L + i, "198.51.100." + producer, "anonymous", "ann", "generic",
                "tool", "1.0", "p" + producer + "/" + i + ".zip", "GET", 200, 10, null, "curl/8.5.0", null);
    }

    @Test
    void aFullQueueCountsWhatItDropsAndAGracefulStopWritesEverythingItTook() throws Exception {
        var log = new SegmentLog(dir, 1 << 20);
        // given: a queue far smaller than what 8 download threads offer at once
        var pipeline = new AnalyticsPipeline(log, new Enrichment(null, new UserAgents()), 64);
        int producers = 8;
        int each = 20_000;
        var taken = new AtomicLong();
        // when: they offer as fast as they can, and the pipeline stops at once after
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < producers; p++) {
                int producer = p;
                pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        if (pipeline.record(download(producer, i))) {
                            taken.incrementAndGet();
                        }
                    }
                });
            }
        }
        pipeline.close();
        // then: every offer was either taken or counted as dropped, and some were dropped
        assertThat(pipeline.recorded()).isEqualTo(taken.get());
        assertThat(pipeline.recorded() + pipeline.dropped()).isEqualTo((long) producers * each);
        assertThat(pipeline.dropped()).isPositive();
        // and what was taken is all in the log, each download thread's events in the order it offered them
        try (var reopened = new SegmentLog(dir, 1 << 20)) {
            var events = new ArrayList<DownloadEvent>();
            long offset = 0;
            while (true) {
                var entries = reopened.read(offset, 10_000);
                if (entries.isEmpty()) {
                    break;
                }
                entries.forEach(entry -> events.add(entry.event()));
                offset = entries.getLast().next();
            }
            assertThat((long) events.size()).isEqualTo(taken.get());
            var last = new HashMap<String, Long>();
            for (var event : events) {
                var previous = last.put(event.ip(), event.timeMillis());
                assertThat(previous == null || previous < event.timeMillis()).as("order of %s", event.ip()).isTrue();
            }
        }
    }
}
