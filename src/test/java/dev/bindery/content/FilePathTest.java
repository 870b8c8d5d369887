package dev.bindery.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.BinderyException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FilePathTest {

    @Test
    void foldsDoubledAndLeadingSlashes() {
        assertThat(FilePath.of("//a///b/c.txt").value()).isEqualTo("a/b/c.txt");
        assertThat(FilePath.of("a/b/").value()).isEqualTo("a/b");
    }

    @Test
    void knowsItsNameParentAndSiblings() {
        var path = FilePath.of("org/acme/tool-1.0.zip");
        assertThat(path.name()).isEqualTo("tool-1.0.zip");
        assertThat(path.parent()).isEqualTo("org/acme");
        assertThat(path.sibling("bin/tool").value()).isEqualTo("org/acme/bin/tool");
        assertThat(FilePath.of("top.zip").sibling("x").value()).isEqualTo("x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/../b", "./a", "a/.", "a\\b", "a\u0000b", "a\nb", "", "/", "//"})
    void refusesPathsThatCouldLeaveTheRepository(String raw) {
        assertThatThrownBy(() -> FilePath.of(raw))
                .isInstanceOf(BinderyException.class)
                .extracting(e -> ((BinderyException) e).kind())
                .isEqualTo(BinderyException.Kind.BAD_REQUEST);
    }

    @Test
    void refusesOverlongPaths() {
        assertThatThrownBy(() -> FilePath.of("a/".repeat(600) + "b")).hasMessageContaining("longer than");
        assertThatThrownBy(() -> FilePath.of("x".repeat(256))).hasMessageContaining("segment");
    }

    @Test
    void refusesArchiveEntriesThatLeaveTheirFolder() {
        assertThat(ArchiveEntries.checkEntryName("docs/readme.txt")).isEqualTo("docs/readme.txt");
        for (var bad : new String[] {"../evil", "/etc/passwd", "a/../../b", "C:/windows", "a\\b"}) {
            assertThatThrownBy(() -> ArchiveEntries.checkEntryName(bad)).isInstanceOf(BinderyException.class);
        }
    }
}
