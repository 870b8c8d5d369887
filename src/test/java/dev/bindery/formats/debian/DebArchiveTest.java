package dev.bindery.formats.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.BinderyException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the control paragraph of packages dpkg-deb built, and refusing what is not one. */
class DebArchiveTest {

    @TempDir
    Path dir;

    private static ControlParagraph read(byte[] deb) throws Exception {
        return DebArchive.control(new ByteArrayInputStream(deb), deb.length, "'test.deb'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "xz", "zstd", "none"})
    void readsTheControlParagraphWhateverTheCompression(String compression) throws Exception {
        // given
        var control = Debs.control("hello", "1.0-1", "amd64", "Depends: libc6");
        var deb = Debs.build(Files.createDirectories(dir.resolve(compression)), control, compression);
        // when
        var paragraph = read(Files.readAllBytes(deb));
        // then
        assertThat(paragraph.fields().keySet()).containsExactly("Package", "Version", "Architecture", "Maintainer",
                "Installed-Size", "Depends", "Section", "Priority", "Description");
        assertThat(paragraph.get("Description")).isEqualTo("hello for the Bindery tests\n"
                + " A package built by dpkg-deb at test time.");
        assertThat(paragraph.render()).isEqualTo(control);
    }

    @Test
    void readsPackagesWithAReplacedControlFileLikeDpkgDoes() throws Exception {
        // given: the benchmark's way of making many packages
        var template = Files.readAllBytes(Debs.build(dir, "hello", "1", "amd64"));
        var deb = Debs.withControl(template, Debs.control("other", "7", "amd64"));
        var file = dir.resolve("other.deb");
        Files.write(file, deb);
        // when
        var paragraph = read(deb);
        // then: dpkg-deb agrees
        assertThat(paragraph.get("Package")).isEqualTo("other");
        assertThat(Debs.run(dir, "dpkg-deb", "--field", file.toString(), "Package", "Version"))
                .isEqualTo("Package: other\nVersion: 7\n");
    }

    @Test
    void dropsTheFieldsTheIndexWritesItself() {
        var paragraph = ControlParagraph.parse("Package: a\nVersion: 1\nArchitecture: all\nFilename: x\n"
                + "SHA256: y\nDescription: d\n", "'a.deb'");
        assertThat(paragraph.render()).isEqualTo("Package: a\nVersion: 1\nArchitecture: all\nDescription: d\n");
    }

    @Test
    void refusesWhatIsNotAPackage() throws Exception {
        var template = Files.readAllBytes(Debs.build(dir, "hello", "1", "amd64"));
        assertThatThrownBy(() -> read("plain text".getBytes()))
                .isInstanceOf(BinderyException.class).hasMessage("'test.deb' is not a valid Debian package: it is"
                        + " not an ar archive");
        assertThatThrownBy(() -> read(new byte[0]))
                .isInstanceOf(BinderyException.class).hasMessageStartingWith("'test.deb' is not a valid Debian package");
        assertThatThrownBy(() -> read(java.util.Arrays.copyOf(template, template.length - 1 - template.length / 3)))
                .isInstanceOf(BinderyException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> read(Debs.withControl(template, "Package: a b\nVersion: 1\nArchitecture: all\n")))
                .isInstanceOf(BinderyException.class).hasMessageContaining("Package field must be one word");
        assertThatThrownBy(() -> read(Debs.withControl(template, "Package: a\nPackage: b\nVersion: 1\n"
                + "Architecture: all\n")))
                .isInstanceOf(BinderyException.class).hasMessageContaining("the field 'Package' twice");
        assertThatThrownBy(() -> read(Debs.withControl(template, " continued\nPackage: a\n")))
                .isInstanceOf(BinderyException.class).hasMessageContaining("continues no field");
    }
}
