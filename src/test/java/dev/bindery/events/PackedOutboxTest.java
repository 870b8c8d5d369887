package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Downloads in the outbox packed a row per owner and batch: readers see every event once, at its own
 * position, whatever position they resume from and however many they ask for; per-owner reading,
 * type scans and retention count events, not rows. On H2 and, with {@code -Dbindery.test.db=postgres},
 * on PostgreSQL.
 */
class PackedOutboxTest {

    static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(CLOCK));

    private static EventService events() {
        return server.bindery().events();
    }

    /** The outbox keeps milliseconds. */
    private static Instant now() {
        return CLOCK.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Event download(int i, String owner) {
        return Event.file(EventType.DOWNLOAD, Instant.ofEpochMilli(1_700_000_000_000L + i), "anonymous", owner,
                "generic", "tool", "1.0", "files/" + i + ".zip", "198.51.100." + (i % 256));
    }

    /** Appends a log-in, 12,000 downloads (ann 6,000, more than a row holds; bob and cy 3,000), a log-in. */
    private static List<Event> givenLoginsAroundPackedDownloads() {
        var downloads = new ArrayList<Event>();
        for (int i = 0; i < 12_000; i++) {
            downloads.add(download(i, switch (i % 4) {
                case 0, 1 -> "ann";
                case 2 -> "bob";
                default -> "cy";
            }));
        }
        var first = Event.login(EventType.LOGIN_SUCCESS, now(), "ann", "ann", "::1");
        var last = Event.login(EventType.LOGIN_SUCCESS, now(), "bob", "bob", "::1");
        events().jdbi().useTransaction(handle -> events().append(handle, List.of(first)));
        events().jdbi().useTransaction(handle -> events().appendPacked(handle, downloads));
        events().jdbi().useTransaction(handle -> events().append(handle, List.of(last)));
        // each owner's downloads in their order, the owners in the order of their first download
        var expected = new ArrayList<Event>();
        expected.add(first);
        for (var owner : List.of("ann", "bob", "cy")) {
            downloads.stream().filter(event -> event.owner().equals(owner)).forEach(expected::add);
        }
        expected.add(last);
        return expected;
    }

    private static List<StoredEvent> readAll(long from, int pageSize, String owner) {
        var read = new ArrayList<StoredEvent>();
        long position = from;
        while (true) {
            var page = events().after(position, pageSize, owner);
            assertThat(page.size()).isLessThanOrEqualTo(pageSize);
            if (page.isEmpty()) {
                return read;
            }
            read.addAll(page);
            position = page.getLast().seq();
        }
    }

    @Test
    void readersSeeEveryPackedEventOnceAtItsPositionWhereverTheyResume() {
        long start = events().latestSeq();
        var expected = givenLoginsAroundPackedDownloads();

        // pages that end inside packed rows, pages of a row, pages of everything
        for (int pageSize : List.of(997, 5_000, 20_000)) {
            var read = readAll(start, pageSize, null);
            assertThat(read).extracting(StoredEvent::event).as("pages of %d", pageSize).isEqualTo(expected);
            for (int i = 0; i < read.size(); i++) {
                assertThat(read.get(i).seq()).isEqualTo(start + 1 + i);
            }
        }
        assertThat(events().latestSeq()).isEqualTo(start + expected.size());
        // resuming inside ann's second row
        assertThat(events().after(start + 1 + 5_500, 3)).extracting(StoredEvent::event)
                .containsExactlyElementsOf(expected.subList(1 + 5_500, 1 + 5_503));
    }

    @Test
    void ownersReadTheirOwnEventsAndTypeScansStopWhereTheyWereAsked() {
        long start = events().latestSeq();
        var expected = givenLoginsAroundPackedDownloads();

        var bobs = readAll(start, 1_001, "bob");
        assertThat(bobs).extracting(StoredEvent::event).isEqualTo(expected.stream()
                .filter(event -> event.owner().equals("bob")).toList());
        assertThat(bobs.getFirst().seq()).isEqualTo(start + 1 + 1 + 6_000);
        // a reader of log-ins skips the packed rows; a reader of downloads stops at its window
        var logins = events().scan(start, EventType.LOGIN_SUCCESS, 1_000_000, 100);
        assertThat(logins.events()).extracting(StoredEvent::seq).containsExactly(start + 1, start + expected.size());
        assertThat(logins.scannedTo()).isEqualTo(start + expected.size());
        var downloads = events().scan(start + 10, EventType.DOWNLOAD, 4_990, 100_000);
        assertThat(downloads.events()).extracting(StoredEvent::seq).first().isEqualTo(start + 11);
        assertThat(downloads.events()).hasSize(4_990);
        assertThat(downloads.scannedTo()).isEqualTo(start + 5_000);
        var limited = events().scan(start + 10, EventType.DOWNLOAD, 100_000, 7);
        assertThat(limited.events()).extracting(StoredEvent::event).isEqualTo(expected.subList(10, 17));
        assertThat(limited.scannedTo()).isEqualTo(start + 17);
    }

    @Test
    void retentionRemovesPackedRowsWholeAndCountsTheirEvents() {
        // given: events from before and after the retention window
        CLOCK.advance(Duration.ofDays(30)); // past what the other tests left
        events().purge();
        long start = events().latestSeq();
        var old = givenLoginsAroundPackedDownloads();
        CLOCK.advance(events().retention().plusSeconds(1));
        var recent = givenLoginsAroundPackedDownloads();
        // when
        int removed = events().purge();
        // then: exactly the old ones are gone, and the outbox starts where the recent ones do
        assertThat(removed).isEqualTo(old.size());
        assertThat(events().firstSeq()).contains(start + old.size() + 1);
        assertThat(readAll(0, 5_000, null)).extracting(StoredEvent::event).isEqualTo(recent);
    }
}
