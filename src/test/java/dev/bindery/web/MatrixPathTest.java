package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MatrixPathTest {

    @Test
    void splitsParametersFromTheLastSegment() {
        var parsed = MatrixPath.parse("pool/m/pkg_1.0_amd64.deb;deb_distribution=wheezy;deb_component=main;publish=1");
        assertThat(parsed.path(0)).isEqualTo("pool/m/pkg_1.0_amd64.deb");
        assertThat(parsed.params()).isEqualTo(Map.of("deb_distribution", "wheezy", "deb_component", "main",
                "publish", "1"));
    }

    @Test
    void acceptsParametersOnAnySegmentAndBareFlags() {
        var parsed = MatrixPath.parse("a;bt_package=tool/b;override/file.txt");
        assertThat(parsed.path(0)).isEqualTo("a/b/file.txt");
        assertThat(parsed.params()).containsEntry("bt_package", "tool").containsEntry("override", "1");
    }

    @Test
    void keepsPlainPathsAsTheyAre() {
        var parsed = MatrixPath.parse("tool/1.0//dir/file.txt");
        assertThat(parsed.params()).isEmpty();
        assertThat(parsed.nonEmptySegments()).containsExactly("tool", "1.0", "dir", "file.txt");
    }
}
