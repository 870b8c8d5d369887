package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bytes of a packed outbox row, read back exactly, and refused when they are not whole. */
class PackedEventsTest {

    private static Event download(long millis, String subject, String repo, String pkg, String version, String path,
                                  String ip) {
        return new Event(EventType.DOWNLOAD, Instant.ofEpochMilli(millis), subject, "ann", repo, pkg, version, path,
                ip);
    }

    @Test
    void eventsReadBackExactlyWithNullsRepeatsUnicodeAndTimesGoingBackwards() {
        var random = new Random(7);
        var subjects = new String[] {"anonymous", "anonymous:cb-1", "bob", null, "ключ@ann"};
        var versions = new String[] {"1.0", "2.0-β", null};
        var events = new ArrayList<Event>();
        long time = 1_700_000_000_000L;
        for (int i = 0; i < 3_000; i++) {
            time += random.nextInt(2_000) - 500; // a batch is in log order, not always in time order
            events.add(download(time, subjects[random.nextInt(subjects.length)], i % 2 == 0 ? "generic" : "maven",
                    i % 7 == 0 ? null : "tool", versions[random.nextInt(versions.length)],
                    "/ann/generic/files/" + random.nextInt(300) + "/тест.zip", "198.51.100." + random.nextInt(256)));
        }
        events.add(download(0, null, null, null, null, null, null));
        events.add(download(Long.MAX_VALUE / 2, "x".repeat(70_000), "", "", "", "", ""));

        var bytes = PackedEvents.pack(events);

        assertThat(PackedEvents.unpack(bytes, EventType.DOWNLOAD, "ann")).isEqualTo(events);
        // most fields are back-references of a byte: far smaller than the text they stand for
        assertThat(bytes.length).isLessThan(3_000 * 24 + 71_000);
    }

    @Test
    void onlyEventsOfOneTypeAndOwnerWithoutDetailsPack() {
        var download = download(1, "anonymous", "generic", "tool", "1.0", "/ann/generic/a", "::1");
        var otherOwner = new Event(EventType.DOWNLOAD, download.time(), "anonymous", "bob", "generic", "tool", "1.0",
                "/bob/generic/a", "::1");
        var upload = new Event(EventType.UPLOAD, download.time(), "ann", "ann", "generic", "tool", "1.0",
                "/ann/generic/a", null);

        assertThatThrownBy(() -> PackedEvents.pack(List.of(download, otherOwner)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PackedEvents.pack(List.of(download, upload)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PackedEvents.pack(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void damagedBytesAreRefusedNotMisread() {
        var bytes = PackedEvents.pack(List.of(
                download(1_700_000_000_000L, "anonymous", "generic", "tool", "1.0", "/ann/generic/a.zip", "::1"),
                download(1_700_000_000_500L, "anonymous", "generic", "tool", "1.0", "/ann/generic/b.zip", "::1")));

        for (int length = 0; length < bytes.length; length++) {
            var truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> PackedEvents.unpack(truncated, EventType.DOWNLOAD, "ann"))
                    .as("truncated to %d bytes", length).isInstanceOf(IllegalArgumentException.class);
        }
        var longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> PackedEvents.unpack(longer, EventType.DOWNLOAD, "ann"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many");
        var tooMany = bytes.clone();
        tooMany[1] = 0x7f; // the count: more events than the bytes could hold
        assertThatThrownBy(() -> PackedEvents.unpack(tooMany, EventType.DOWNLOAD, "ann"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claim");
        var otherVersion = bytes.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> PackedEvents.unpack(otherVersion, EventType.DOWNLOAD, "ann"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
    }
}
