package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event codec: what it writes now (version 2) reads back exactly through every decoder, logs
 * written in version 1 still read, and damaged records are refused rather than misread.
 */
class EventCodecTest {

    /** Two events as the version 1 encoder wrote them (2026-12-02): every field set, and most null. */
    private static final String[] VERSION_1 = {
        "AQAAAYvP5Wh7AAAAzgAAAAAAABAAAAAACzIwMDE6ZGI4OjoxAAAACmFsaWNlOmNiLTcAAAADYW5uAAAAB2dlbmVyaWMAAAAEdG9vbAAAAAMx"
            + "LjAAAAARdG9vbC90b29sLTEuMC56aXAAAAADR0VUAAAADGJ5dGVzPTAtNDA5NQAAABJBcGFjaGUtTWF2ZW4vMy45LjYAAAAWaHR0cHM6"
            + "Ly9leGFtcGxlLmNvbS/DvAAAAAJERQAAAAdCYXZhcmlhAAAACE3DvG5jaGVuAAAABTgwMzMxAAAAC0V4YW1wbGUgTmV0AAAABUxpbnV4"
            + "AAAABU1hdmVuAUBIEYk3S8aoAUAnJmZmZmZmAQAAAAAAAPv0",
        "AQAAAXSHboAAAAAAyAAAAAAAAAAAAAAACTE5Mi4wLjIuNwAAAAlhbm9ueW1vdXMAAAADYW5uAAAAB2dlbmVyaWMAAAAEdG9vbP////8AAAAK"
            + "cmVhZG1lLnR4dAAAAANHRVT/////////////////////////////////////////////////////AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            + "AAAAAAAA",
    };

    private static final DownloadEvent[] VERSION_1_EVENTS = {
        new DownloadEvent(1_700_000_000_123L, "2001:db8::1", "alice:cb-7", "ann", "generic", "tool", "1.0",
                "tool/tool-1.0.zip", "GET", 206, 4096L, "bytes=0-4095", "Apache-Maven/3.9.6", "https://example.com/ü",
                "DE", "Bavaria", "München", "80331", 48.137, 11.575, 64500L, "Example Net", "Linux", "Maven"),
        new DownloadEvent(1_600_000_000_000L, "192.0.2.7", "anonymous", "ann", "generic", "tool", null,
                "readme.txt", "GET", 200, 0L, null, null, null,
                null, null, null, null, null, null, null, null, null, null),
    };

    @Test
    void readsEventsWrittenInVersionOne() {
        for (int i = 0; i < VERSION_1.length; i++) {
            var bytes = Base64.getDecoder().decode(VERSION_1[i]);
            assertThat(bytes[0]).isEqualTo((byte) 1);
            assertDecodersAgree(bytes, VERSION_1_EVENTS[i], new EventCodec.Strings());
        }
    }

    @Test
    void everyDecoderReadsBackWhatWasWritten() {
        var random = new Random(3);
        var strings = new EventCodec.Strings();
        for (int i = 0; i < 5_000; i++) {
            var event = randomEvent(random);
            var bytes = EventCodec.encode(event);
            assertThat(bytes[0]).isEqualTo((byte) 2);
            assertDecodersAgree(bytes, event, random.nextBoolean() ? strings : null);
        }
    }

    @Test
    void theWritersStringTableChangesNoByte() {
        // a small table, so that strings push each other out of their slots as well as repeat
        var random = new Random(5);
        var tabled = new EventCodec.Output(256, new StringTable(8));
        var plain = new EventCodec.Output(256);
        for (int i = 0; i < 5_000; i++) {
            var event = randomEvent(random);
            tabled.size = 0;
            plain.size = 0;
            EventCodec.encode(event, tabled);
            EventCodec.encode(event, plain);
            assertThat(Arrays.copyOf(tabled.bytes, tabled.size)).as("event %d", i)
                    .isEqualTo(Arrays.copyOf(plain.bytes, plain.size));
        }
    }

    @Test
    void aTypicalDownloadTakesAboutHalfTheBytesOfVersionOne() {
        var event = new DownloadEvent(1_700_000_000_123L, "127.0.0.1", "anonymous", "bench", "pub", "files", "1.0",
                "small.bin", "GET", 200, 1024, null, null, null, "unknown", "unknown", "unknown", "unknown", null, null,
                null, "unknown", "unknown", "unknown");
        // version, time, status and bytes as varints, 18 one-byte lengths, 95 bytes of text, no numbers;
        // version 1 took 1 + 8 + 4 + 8 + 18 * 4 + 95 + 3 * 9 = 215
        assertThat(EventCodec.encode(event)).hasSize(1 + 8 + 2 + 2 + 18 + 95 + 1);
    }

    @Test
    void refusesEveryTruncationAndUnknownVersions() {
        var random = new Random(5);
        for (int i = 0; i < 200; i++) {
            var bytes = EventCodec.encode(randomEvent(random));
            for (int length = 0; length < bytes.length; length++) {
                var truncated = ByteBuffer.wrap(Arrays.copyOf(bytes, length));
                assertThatThrownBy(() -> EventCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
            }
        }
        var bytes = EventCodec.encode(randomEvent(random));
        bytes[0] = 3;
        assertThatThrownBy(() -> EventCodec.decode(ByteBuffer.wrap(bytes)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 3");
        var endless = new byte[32];
        Arrays.fill(endless, (byte) 0xFF);
        endless[0] = 2;
        assertThatThrownBy(() -> EventCodec.decode(ByteBuffer.wrap(endless))).isInstanceOf(IllegalArgumentException.class);
    }

    /** The full decode gives the event; the partial decoders give its fields. */
    private static void assertDecodersAgree(byte[] bytes, DownloadEvent event, EventCodec.Strings strings) {
        assertThat(EventCodec.decode(ByteBuffer.wrap(bytes), strings)).isEqualTo(event);

        var rollup = new EventCodec.RollupFields();
        EventCodec.decodeRollup(ByteBuffer.wrap(bytes), strings, rollup);
        var expected = new EventCodec.RollupFields();
        expected.timeMillis = event.timeMillis();
        expected.bytesSent = event.bytesSent();
        expected.subject = event.subject();
        expected.repo = event.repo();
        expected.pkg = event.pkg();
        expected.version = event.version();
        expected.country = event.country();
        expected.organization = event.organization();
        expected.os = event.os();
        expected.client = event.client();
        expected.asn = event.asn() == null ? 0 : event.asn();
        assertThat(rollup).usingRecursiveComparison().isEqualTo(expected);

        var brief = EventCodec.decodeBrief(10, 20, ByteBuffer.wrap(bytes), strings);
        assertThat(brief).isEqualTo(new SegmentLog.Brief(10, 20, event.timeMillis(), event.ip(), event.user(),
                event.subject(), event.repo(), event.pkg(), event.version(), event.path()));

        var fields = new EventCodec.PackageFields();
        EventCodec.decodePackage(ByteBuffer.wrap(bytes), strings, fields);
        assertThat(fields.timeMillis).isEqualTo(event.timeMillis());
        assertThat(new String[] {fields.subject, fields.repo, fields.pkg})
                .containsExactly(event.subject(), event.repo(), event.pkg());
    }

    private static DownloadEvent randomEvent(Random random) {
        String[] texts = {null, "", "unknown", "anonymous", "ann", "tool", "1.0", "München", "日本語", "x".repeat(200),
            "y".repeat(127), "z".repeat(128), "a/b/c.zip"};
        long[] numbers = {0, 1, 127, 128, 16_383, 16_384, 1L << 40, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        var s = new String[18];
        for (int i = 0; i < s.length; i++) {
            s[i] = texts[random.nextInt(texts.length)];
        }
        return new DownloadEvent(random.nextLong(), s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                random.nextBoolean() ? 200 : random.nextInt(Integer.MAX_VALUE), numbers[random.nextInt(numbers.length)],
                s[8], s[9], s[10], s[11], s[12], s[13], s[14],
                random.nextBoolean() ? null : random.nextDouble() * 180 - 90,
                random.nextBoolean() ? null : Double.longBitsToDouble(random.nextLong()),
                random.nextBoolean() ? null : numbers[random.nextInt(numbers.length)], s[15], s[16], s[17]);
    }
}
