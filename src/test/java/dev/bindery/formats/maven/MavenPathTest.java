package dev.bindery.formats.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.BinderyException;
import dev.bindery.content.FilePath;
import org.junit.jupiter.api.Test;

class MavenPathTest {

    @Test
    void readsCoordinatesClassifierAndExtensionFromTheLayout() {
        assertThat(MavenPath.parse(FilePath.of("org/apache/maven/maven-core/3.9.6/maven-core-3.9.6.jar")))
                .isEqualTo(new MavenPath("org.apache.maven", "maven-core", "3.9.6", null, "jar"));
        assertThat(MavenPath.parse(FilePath.of("com/example/lib/1.0-beta-2/lib-1.0-beta-2-sources.jar")))
                .isEqualTo(new MavenPath("com.example", "lib", "1.0-beta-2", "sources", "jar"));
        assertThat(MavenPath.parse(FilePath.of("com/example/lib/1.0/lib-1.0-bin.tar.gz")))
                .isEqualTo(new MavenPath("com.example", "lib", "1.0", "bin", "tar.gz"));
        assertThat(MavenPath.parse(FilePath.of("com/example/lib/1.0/lib-1.0.pom.asc")))
                .isEqualTo(new MavenPath("com.example", "lib", "1.0", null, "pom.asc"));
        assertThat(MavenPath.parse(FilePath.of("com/example/lib/1.0/lib-1.0.pom")).isPom()).isTrue();
    }

    @Test
    void refusesPathsOutsideTheLayout() {
        for (var path : new String[] {"lib-1.0.jar", "lib/1.0/lib-1.0.jar", "com/example/lib/1.0/other-1.0.jar",
                "com/example/lib/1.0/lib-1.0", "com/example/lib/1.0/lib-1.0-.jar", "com/example/lib/1.0/lib-1.0x.jar",
                "com/example/lib/1.0/lib-1.0-sources"}) {
            assertThatThrownBy(() -> MavenPath.parse(FilePath.of(path))).as(path)
                    .isInstanceOf(BinderyException.class).hasMessageContaining("Maven layout");
        }
    }

    @Test
    void tellsArtifactsFromMetadataAndChecksums() {
        assertThat(MavenPath.kindOf(FilePath.of("com/example/lib/maven-metadata.xml")))
                .isEqualTo(MavenPath.Kind.METADATA);
        assertThat(MavenPath.kindOf(FilePath.of("com/example/lib/maven-metadata.xml.sha1")))
                .isEqualTo(MavenPath.Kind.METADATA);
        assertThat(MavenPath.kindOf(FilePath.of("com/example/lib/1.0/lib-1.0.jar.SHA512")))
                .isEqualTo(MavenPath.Kind.CHECKSUM);
        assertThat(MavenPath.kindOf(FilePath.of("com/example/lib/1.0/lib-1.0.jar.asc")))
                .isEqualTo(MavenPath.Kind.ARTIFACT);
        assertThat(MavenPath.kindOf(FilePath.of("com/example/lib/1.0/lib-1.0.jar")))
                .isEqualTo(MavenPath.Kind.ARTIFACT);
    }
}
