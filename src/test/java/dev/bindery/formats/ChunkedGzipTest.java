package dev.bindery.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index files gzipped from chunks compressed apart: one ordinary gzip file, rebuilt by compressing only what changed. */
class ChunkedGzipTest {

    @TempDir
    Path dir;

    private record Text(byte[] bytes, long boundaryKey) implements ChunkedGzip.Unit {
        static Text of(long key) {
            return new Text(("<package id=\"" + key + "\">ünïcödé " + "x".repeat((int) (key % 97)) + "</package>\n")
                    .getBytes(StandardCharsets.UTF_8), key);
        }
    }

    private static List<Text> units(int count) {
        var units = new ArrayList<Text>();
        for (long key = 0; key < count; key++) {
            units.add(Text.of(key * 2));
        }
        return units;
    }

    private static byte[] head(List<Text> units) {
        return ("<metadata packages=\"" + units.size() + "\">\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tail() {
        return "</metadata>".getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] head, List<Text> units, byte[] tail) {
        var expected = new ByteArrayOutputStream();
        expected.writeBytes(head);
        units.forEach(unit -> expected.writeBytes(unit.bytes()));
        expected.writeBytes(tail);
        return expected.toByteArray();
    }

    private static byte[] gunzip(byte[] gzip) throws Exception {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    private static void check(ChunkedGzip.Result result, List<Text> units) throws Exception {
        var expected = concat(head(units), units, tail());
        var actual = gunzip(result.bytes());
        assertThat(actual).isEqualTo(expected);
        assertThat(result.plain()).isEqualTo(expected);
        var sha256 = MessageDigest.getInstance("SHA-256");
        assertThat(result.openSha256()).isEqualTo(HexFormat.of().formatHex(sha256.digest(actual)));
        assertThat(result.openSize()).isEqualTo(actual.length);
        assertThat(result.sha256()).isEqualTo(HexFormat.of().formatHex(sha256.digest(result.bytes())));
    }

    @Test
    void writesOneGzipFileThatGzipReadsBack() throws Exception {
        // given
        var units = units(3_000);
        // when
        var result = new ChunkedGzip(Deflater.DEFAULT_COMPRESSION).build(units);
        // then
        var text = concat(new byte[0], units, new byte[0]);
        assertThat(gunzip(result.bytes())).isEqualTo(text);
        assertThat(result.bytes().length).isLessThan(text.length / 4);
        var file = dir.resolve("Packages.gz");
        Files.write(file, result.bytes());
        var gzip = new ProcessBuilder("gzip", "-t", file.toString()).redirectErrorStream(true).start();
        assertThat(gzip.waitFor()).as(new String(gzip.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void writesAnEmptyGzipFileForNoUnits() throws Exception {
        var result = new ChunkedGzip(Deflater.BEST_SPEED).build(List.of());
        assertThat(result.plain()).isEmpty();
        assertThat(gunzip(result.bytes())).isEmpty();
    }

    @Test
    void rebuildsHoldEveryUnitInOrderAfterInsertsAndDeletes() throws Exception {
        // given: 5,000 units across many chunks, built once
        var gzip = new ChunkedGzip(Deflater.BEST_SPEED);
        var units = units(5_000);
        check(gzip.build(head(units), units, tail()), units);
        // when: one unit is inserted in the middle, one at the end, and one removed, rebuilding each time
        units.add(2_500, Text.of(5_001));
        check(gzip.build(head(units), units, tail()), units);
        units.add(Text.of(100_001));
        check(gzip.build(head(units), units, tail()), units);
        units.remove(10);
        // then: every build decompresses to the head, the units in order and the tail
        check(gzip.build(head(units), units, tail()), units);
        check(gzip.build(head(List.of()), List.of(), tail()), List.of());
    }

    @Test
    void compressesOnlyTheChunkThatChanged() throws Exception {
        // given: a build of 10,000 units
        var gzip = new ChunkedGzip(Deflater.DEFAULT_COMPRESSION);
        var units = units(10_000);
        gzip.build(units);
        assertThat(gzip.lastChunks()).isGreaterThan(50);
        // when: one unit is added in the middle, the same objects for the others
        units.add(5_000, Text.of(7));
        var result = gzip.build(units);
        // then: one or two chunks compressed again, and the bytes are those of a build from scratch
        assertThat(gzip.lastEncoded()).isBetween(1, 2);
        assertThat(result.bytes()).isEqualTo(new ChunkedGzip(Deflater.DEFAULT_COMPRESSION).build(units).bytes());
        // and when one is removed
        units.remove(100);
        var removed = gzip.build(units);
        assertThat(gzip.lastEncoded()).isBetween(1, 2);
        assertThat(gunzip(removed.bytes())).isEqualTo(concat(new byte[0], units, new byte[0]));
    }

    @Test
    void hashesOnlyWhatFollowsTheUnchangedChunksWhenTheHeadWasHashedAhead() throws Exception {
        // given: a build of 10,000 units, and the next head (one more unit) hashed ahead
        var gzip = new ChunkedGzip(Deflater.BEST_SPEED);
        var units = units(10_000);
        check(gzip.build(head(units), units, tail()), units);
        units.add(Text.of(100_001));
        gzip.precompute(head(units));
        // when: one unit is appended
        var appended = gzip.build(head(units), units, tail());
        // then: the open checksum is that of the whole file, but only the last chunk was hashed for it
        check(appended, units);
        assertThat(gzip.lastHashedChunks()).isEqualTo(1);
        // and when one is inserted in the middle: the chunks before it are not hashed again
        units.add(5_000, Text.of(100_003));
        gzip.precompute(head(units));
        var inserted = gzip.build(head(units), units, tail());
        check(inserted, units);
        assertThat(gzip.lastHashedChunks()).isBetween(2, gzip.lastChunks() * 2 / 3);
        // and when the head is not the one hashed ahead (a unit removed): everything is hashed
        units.remove(10);
        gzip.precompute(head(List.of()));
        var removed = gzip.build(head(units), units, tail());
        check(removed, units);
        assertThat(gzip.lastHashedChunks()).isEqualTo(gzip.lastChunks());
    }
}
