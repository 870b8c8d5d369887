package dev.bindery.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.content.FileEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The incremental file listing against a table kept in memory that stamps rows with generations as
 * ContentStore does: after any change the listing equals a full read of the table, and it reads
 * everything again only after a removal.
 */
class FileListingTest {

    /** The content_file rows of one repository, its generations, and the queries FormatStore makes. */
    private static final class Table {
        final List<FileEntry> rows = new ArrayList<>();
        final List<Long> changed = new ArrayList<>();
        long generation;
        long removal;
        long nextId = 1;
        int fullReads;

        FileEntry add(String path, boolean published) {
            return write(row(nextId++, path, published, false));
        }

        FileEntry write(FileEntry row) {
            generation++;
            int at = indexOf(row.id());
            if (at >= 0) {
                rows.set(at, row);
                changed.set(at, generation);
            } else {
                rows.add(row);
                changed.add(generation);
            }
            return row;
        }

        void delete(long id) {
            generation++;
            removal = generation;
            int at = indexOf(id);
            rows.remove(at);
            changed.remove(at);
        }

        private int indexOf(long id) {
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).id() == id) {
                    return i;
                }
            }
            return -1;
        }

        List<FileEntry> published() {
            return rows.stream().filter(FileEntry::isPublished).sorted(Comparator.comparing(FileEntry::path)).toList();
        }

        List<FileEntry> changedRows(long after, long upTo) {
            var found = new ArrayList<FileEntry>();
            for (int i = 0; i < rows.size(); i++) {
                if (changed.get(i) > after && changed.get(i) <= upTo) {
                    found.add(rows.get(i));
                }
            }
            return found;
        }

        List<FileEntry> list(FileListing listing) {
            return listing.files(new FileListing.Generation(generation, removal), this::changedRows, () -> {
                fullReads++;
                return published();
            });
        }
    }

    private static FileEntry row(long id, String path, boolean published, boolean listed) {
        return new FileEntry(id, 1, 1, path, path.substring(path.lastIndexOf('/') + 1), 10, "sha1", "sha256-" + id,
                "md5", published ? Instant.ofEpochMilli(1000 + id) : null, listed, Instant.ofEpochMilli(1000 + id),
                null, null, null, null);
    }

    @Test
    void addingAndPublishingReadOnlyTheChangedRows() {
        // given
        var table = new Table();
        var listing = new FileListing();
        for (int i = 0; i < 100; i++) {
            table.add("pool/p" + i + ".rpm", true);
        }
        assertThat(table.list(listing)).isEqualTo(table.published());
        // when: one published at once, one uploaded unpublished and published later
        table.add("pool/new.rpm", true);
        var draft = table.add("pool/draft.rpm", false);
        var first = table.list(listing);
        table.write(row(draft.id(), draft.path(), true, false));
        var second = table.list(listing);
        // then
        assertThat(first).hasSize(101).extracting(FileEntry::path).doesNotContain("pool/draft.rpm");
        assertThat(second).isEqualTo(table.published()).hasSize(102);
        assertThat(listing.lastWasIncremental()).isTrue();
        assertThat(table.fullReads).isEqualTo(1);
    }

    @Test
    void overridesAndTheDownloadListReplaceTheEntry() {
        // given
        var table = new Table();
        var listing = new FileListing();
        var a = table.add("pool/a.rpm", true);
        table.add("pool/b.rpm", true);
        table.list(listing);
        // when: new content at a's path (the same row), then a's row in the download list
        var replaced = new FileEntry(a.id(), 1, 1, a.path(), a.name(), 99, "x", "new-sha256", "y", a.published(), false,
                Instant.ofEpochMilli(9000), null, null, null, null);
        table.write(replaced);
        var afterOverride = table.list(listing);
        table.write(row(a.id(), a.path(), true, true));
        var afterToggle = table.list(listing);
        // then
        assertThat(afterOverride).isEqualTo(table.rows.stream().sorted(Comparator.comparing(FileEntry::path)).toList()
                .stream().map(row -> row.id() == a.id() ? replaced : row).toList());
        assertThat(afterOverride.getFirst().sha256()).isEqualTo("new-sha256");
        assertThat(afterToggle.getFirst().listInDownloads()).isTrue();
        assertThat(table.fullReads).isEqualTo(1);
    }

    @Test
    void anUploadOverAFileWithoutPublishingTakesItOutOfTheListing() {
        // given
        var table = new Table();
        var listing = new FileListing();
        var a = table.add("pool/a.rpm", true);
        table.add("pool/b.rpm", true);
        table.list(listing);
        // when
        table.write(row(a.id(), a.path(), false, false));
        // then
        assertThat(table.list(listing)).extracting(FileEntry::path).containsExactly("pool/b.rpm");
        assertThat(table.fullReads).isEqualTo(1);
    }

    @Test
    void aRemovalReadsEverythingAgainAndAPathTakenByANewRowMovesToIt() {
        // given
        var table = new Table();
        var listing = new FileListing();
        var a = table.add("pool/a.rpm", true);
        table.add("pool/b.rpm", true);
        table.list(listing);
        // when: a deleted (no row left to find)
        table.delete(a.id());
        var afterDelete = table.list(listing);
        // and: a new row at the same path, read as a change
        table.add("pool/a.rpm", true);
        var afterReupload = table.list(listing);
        // then
        assertThat(afterDelete).extracting(FileEntry::path).containsExactly("pool/b.rpm");
        assertThat(listing.lastWasIncremental()).isTrue();
        assertThat(afterReupload).isEqualTo(table.published());
        assertThat(afterReupload).extracting(FileEntry::id).containsExactly(3L, 2L);
        assertThat(table.fullReads).isEqualTo(2);
    }

    @Test
    void changesOfLaterGenerationsWaitForTheirGeneration() {
        // given: a listing at generation 1
        var table = new Table();
        var listing = new FileListing();
        table.add("pool/a.rpm", true);
        table.list(listing);
        // when: the listing is asked for generation 1 while a row of generation 2 is already there
        table.add("pool/b.rpm", true);
        var stale = listing.files(new FileListing.Generation(1, 0), table::changedRows, table::published);
        var current = table.list(listing);
        // then
        assertThat(stale).extracting(FileEntry::path).containsExactly("pool/a.rpm");
        assertThat(current).extracting(FileEntry::path).containsExactly("pool/a.rpm", "pool/b.rpm");
        assertThat(table.fullReads).isEqualTo(1);
    }
}
