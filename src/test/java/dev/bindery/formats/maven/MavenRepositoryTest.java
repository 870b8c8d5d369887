package dev.bindery.formats.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Gpg;
import dev.bindery.support.MutableClock;
import dev.bindery.support.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Maven Upload, maven-metadata.xml, checksums on demand and Maven Package Search, with the real mvn. */
class MavenRepositoryTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-01T10:15:30Z"));

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(CLOCK);

    @TempDir
    Path temp;

    @Test
    void mvnDeploysAProjectAndAnotherProjectBuildsAgainstIt() throws Exception {
        // given: a Maven repository with a package, and a library project whose
        // <distributionManagement> points at the package with ;publish=1
        givenMavenPackage("alice", "mypkg");
        var groupId = "test.bindery.r" + Long.toString(System.nanoTime(), 36);
        var settings = Mvn.settings(temp, "bindery", "alice", server.apiKey("alice"));
        var library = Files.createDirectories(temp.resolve("greeter"));
        Files.writeString(library.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>%s</groupId>
                  <artifactId>greeter</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <distributionManagement>
                    <repository>
                      <id>bindery</id>
                      <url>%s/api/v1/maven/alice/maven/mypkg;publish=1</url>
                    </repository>
                  </distributionManagement>
                  %s
                </project>
                """.formatted(groupId, server.baseUrl(), Mvn.PLUGINS));
        var sources = Files.createDirectories(library.resolve("src/main/java/" + groupId.replace('.', '/')));
        Files.writeString(sources.resolve("Greeter.java"), """
                package %s;

                public final class Greeter {
                    public static String greet() {
                        return "hello from bindery";
                    }
                }
                """.formatted(groupId));
        var groupPath = groupId.replace('.', '/');
        try {
            // when: mvn deploy (not installing, so the second project cannot find it locally)
            Mvn.run(library, settings, "-Dmaven.install.skip=true", "deploy");
            server.bindery().awaitIndexes(Duration.ofSeconds(30));

            // then: version 1.0 exists with the jar and POM only, published
            var files = server.as("alice").get("/api/v1/packages/alice/maven/mypkg/versions/1.0/files");
            assertThat(paths(files.json())).containsExactly(groupPath + "/greeter/1.0/greeter-1.0.jar",
                    groupPath + "/greeter/1.0/greeter-1.0.pom");
            var jar = server.anonymous().get("/dl/alice/maven/" + groupPath + "/greeter/1.0/greeter-1.0.jar");
            assertThat(jar.status()).isEqualTo(200);
            var metadata = server.anonymous().get("/dl/alice/maven/" + groupPath + "/greeter/maven-metadata.xml");
            assertThat(metadata.body()).contains("<groupId>" + groupId + "</groupId>", "<version>1.0</version>",
                    "<release>1.0</release>");

            // when: a project that depends on it by a version range (so mvn reads maven-metadata.xml)
            // builds against /dl/alice/maven, failing on any checksum mismatch
            var app = Files.createDirectories(temp.resolve("app"));
            Files.writeString(app.resolve("pom.xml"), """
                    <project xmlns="http://maven.apache.org/POM/4.0.0">
                      <modelVersion>4.0.0</modelVersion>
                      <groupId>%1$s.app</groupId>
                      <artifactId>app</artifactId>
                      <version>1.0</version>
                      <properties>
                        <maven.compiler.release>17</maven.compiler.release>
                        <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                      </properties>
                      <repositories>
                        <repository>
                          <id>bindery-dl</id>
                          <url>%2$s/dl/alice/maven</url>
                          <releases><checksumPolicy>fail</checksumPolicy></releases>
                        </repository>
                      </repositories>
                      <dependencies>
                        <dependency>
                          <groupId>%1$s</groupId>
                          <artifactId>greeter</artifactId>
                          <version>[1.0,2.0)</version>
                        </dependency>
                      </dependencies>
                      %3$s
                    </project>
                    """.formatted(groupId, server.baseUrl(), Mvn.PLUGINS));
            var appSources = Files.createDirectories(app.resolve("src/main/java/app"));
            Files.writeString(appSources.resolve("App.java"), """
                    package app;

                    public final class App {
                        public static void main(String[] args) {
                            System.out.println(%s.Greeter.greet());
                        }
                    }
                    """.formatted(groupId));
            Mvn.run(app, settings, "compile");

            // then: it compiled against the jar Bindery served
            assertThat(app.resolve("target/classes/app/App.class")).exists();
            var resolved = Mvn.localRepository().resolve(groupPath + "/greeter/1.0/greeter-1.0.jar");
            assertThat(sha1(Files.readAllBytes(resolved))).isEqualTo(jar.header("X-Checksum-Sha1"));
        } finally {
            Mvn.forget(groupId);
        }
    }

    @Test
    void mavenMetadataListsVersionsInMavenOrderAndFollowsDeletes() throws Exception {
        // given: versions 1.10 and 1.9 (1.9 < 1.10 in Maven's order, not in the alphabet's)
        givenMavenPackage("bob", "lib");
        publishRelease("bob", "lib", "com.example", "lib", "1.10");
        publishRelease("bob", "lib", "com.example", "lib", "1.9");
        awaitIndex();
        // then
        var metadata = server.anonymous().get("/dl/bob/maven/com/example/lib/maven-metadata.xml");
        assertThat(metadata.status()).isEqualTo(200);
        assertThat(metadata.body()).isEqualTo(golden("maven-metadata-two-versions.xml"));
        for (var algorithm : List.of("md5", "sha1", "sha256", "sha512")) {
            assertThat(server.anonymous().get("/dl/bob/maven/com/example/lib/maven-metadata.xml." + algorithm).body())
                    .isEqualTo(digest(algorithm, metadata.bytes()));
        }

        // when: 1.10 is deleted
        assertThat(server.as("bob").delete("/api/v1/packages/bob/maven/lib/versions/1.10").status()).isEqualTo(200);
        awaitIndex();
        // then
        assertThat(server.anonymous().get("/dl/bob/maven/com/example/lib/maven-metadata.xml").body())
                .isEqualTo(golden("maven-metadata-one-version.xml"));
        assertThat(server.anonymous().get("/dl/bob/maven/com/example/lib/1.10/lib-1.10.jar.sha1").status())
                .isEqualTo(404);

        // when: calc_metadata recalculates the artifact folder: nothing changes
        var calc = server.as("bob").post("/api/v1/calc_metadata/bob/maven/com/example/lib");
        assertThat(calc.status()).isEqualTo(202);
        awaitIndex();
        assertThat(server.anonymous().get("/dl/bob/maven/com/example/lib/maven-metadata.xml").body())
                .isEqualTo(golden("maven-metadata-one-version.xml"));

        // when: the last version is deleted, the metadata goes too
        assertThat(server.as("bob").delete("/api/v1/packages/bob/maven/lib/versions/1.9").status()).isEqualTo(200);
        awaitIndex();
        assertThat(server.anonymous().get("/dl/bob/maven/com/example/lib/maven-metadata.xml").status())
                .isEqualTo(404);
    }

    @Test
    void keepsArtifactsNestedInAnotherArtifactsFolderApart() throws Exception {
        // given: com.example:lib and com.example.lib:core, whose folder is inside lib's
        givenMavenPackage("hugo", "lib");
        publishRelease("hugo", "lib", "com.example", "lib", "1.0");
        publishRelease("hugo", "lib", "com.example.lib", "core", "2.0");
        awaitIndex();
        // when: lib 1.0 goes
        assertThat(server.as("hugo").delete("/api/v1/content/hugo/maven/com/example/lib/1.0/lib-1.0.jar").status())
                .isEqualTo(200);
        assertThat(server.as("hugo").delete("/api/v1/content/hugo/maven/com/example/lib/1.0/lib-1.0.pom").status())
                .isEqualTo(200);
        awaitIndex();
        // then: core keeps its metadata and checksums; lib's are gone
        assertThat(server.anonymous().get("/dl/hugo/maven/com/example/lib/maven-metadata.xml").status())
                .isEqualTo(404);
        assertThat(server.anonymous().get("/dl/hugo/maven/com/example/lib/1.0/lib-1.0.jar.md5").status())
                .isEqualTo(404);
        assertThat(server.anonymous().get("/dl/hugo/maven/com/example/lib/core/maven-metadata.xml").body())
                .contains("<groupId>com.example.lib</groupId>", "<version>2.0</version>");
        assertThat(server.anonymous().get("/dl/hugo/maven/com/example/lib/core/2.0/core-2.0.jar.sha1").status())
                .isEqualTo(200);
        // and: calc_metadata of the outer folder leaves the inner one as it was
        assertThat(server.as("hugo").post("/api/v1/calc_metadata/hugo/maven/com/example/lib").status())
                .isEqualTo(202);
        awaitIndex();
        assertThat(server.anonymous().get("/dl/hugo/maven/com/example/lib/core/maven-metadata.xml").status())
                .isEqualTo(200);
    }

    @Test
    void servesChecksumsOfEveryFileWithoutCountingThemAsDownloads() throws Exception {
        // given
        givenMavenPackage("carol", "sums");
        var jar = "not really a jar, but bytes all the same".getBytes(StandardCharsets.UTF_8);
        assertThat(upload("carol", "sums", "org/example/sums/2.0/sums-2.0-sources.jar;publish=1", jar).status())
                .isEqualTo(201);
        awaitIndex();
        long before = server.bindery().analytics().recorded();
        // when
        var path = "/dl/carol/maven/org/example/sums/2.0/sums-2.0-sources.jar";
        assertThat(server.anonymous().get(path).bytes()).isEqualTo(jar);
        for (var algorithm : List.of("md5", "sha1", "sha256", "sha512")) {
            var checksum = server.anonymous().get(path + "." + algorithm);
            // then
            assertThat(checksum.status()).isEqualTo(200);
            assertThat(checksum.header("Content-Type")).startsWith("text/plain");
            assertThat(checksum.body()).isEqualTo(digest(algorithm, jar));
        }
        server.awaitAnalytics(before + 1);
        assertThat(server.bindery().analytics().recorded()).isEqualTo(before + 1);
        var total = server.as("carol").postJson("/api/v1/packages/carol/maven/sums/stats/total_downloads", "{}");
        assertThat(total.status()).isEqualTo(200);
        assertThat(total.body()).contains("\"2.0\"");
        long downloads = StreamSupport.stream(total.json().get("records").spliterator(), false)
                .mapToLong(record -> record.get("count").asLong()).sum();
        assertThat(downloads).isEqualTo(1);
    }

    @Test
    void refusesBadInputAndLeavesTheMetadataUnchanged() throws Exception {
        // given
        givenMavenPackage("dave", "lib");
        publishRelease("dave", "lib", "com.example", "lib", "1.0");
        awaitIndex();
        var before = server.anonymous().get("/dl/dave/maven/com/example/lib/maven-metadata.xml").body();
        var base = "com/example/lib/2.0/";

        // then: a POM disagreeing with its path
        var wrongGroup = upload("dave", "lib", base + "lib-2.0.pom;publish=1", pom("org.other", "lib", "2.0"));
        assertThat(wrongGroup.status()).isEqualTo(400);
        assertThat(wrongGroup.message()).contains("groupId 'org.other'", "'com.example'");
        var wrongArtifact = upload("dave", "lib", base + "lib-2.0.pom;publish=1", pom("com.example", "other", "2.0"));
        assertThat(wrongArtifact.status()).isEqualTo(400);
        assertThat(wrongArtifact.message()).contains("artifactId 'other'");
        var wrongVersion = upload("dave", "lib", base + "lib-2.0.pom;publish=1", pom("com.example", "lib", "2.1"));
        assertThat(wrongVersion.status()).isEqualTo(400);
        assertThat(wrongVersion.message()).contains("version '2.1'");
        // a path that is not the Maven layout
        var notLayout = upload("dave", "lib", base + "other-2.0.jar;publish=1", "jar".getBytes(StandardCharsets.UTF_8));
        assertThat(notLayout.status()).isEqualTo(400);
        assertThat(notLayout.message()).contains("Maven layout", "lib-2.0");
        var tooShort = upload("dave", "lib", "lib-2.0.jar;publish=1", "jar".getBytes(StandardCharsets.UTF_8));
        assertThat(tooShort.status()).isEqualTo(400);
        // POMs that are not POMs, or try to read the server's files
        var notXml = upload("dave", "lib", base + "lib-2.0.pom;publish=1", "<project><groupId>".getBytes(StandardCharsets.UTF_8));
        assertThat(notXml.status()).isEqualTo(400);
        assertThat(notXml.message()).contains("not well-formed");
        var xxe = upload("dave", "lib", base + "lib-2.0.pom;publish=1", ("<?xml version=\"1.0\"?><!DOCTYPE p ["
                + "<!ENTITY x SYSTEM \"file:///etc/passwd\">]><project><groupId>&x;</groupId></project>")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(xxe.status()).isEqualTo(400);
        // SNAPSHOT versions, artifacts and the metadata mvn uploads with them
        var snapshot = upload("dave", "lib", "com/example/lib/2.0-SNAPSHOT/lib-2.0-SNAPSHOT.jar;publish=1",
                "jar".getBytes(StandardCharsets.UTF_8));
        assertThat(snapshot.status()).isEqualTo(400);
        assertThat(snapshot.message()).contains("SNAPSHOT");
        var snapshotMetadata = upload("dave", "lib", "com/example/lib/2.0-SNAPSHOT/maven-metadata.xml",
                "<metadata/>".getBytes(StandardCharsets.UTF_8));
        assertThat(snapshotMetadata.status()).isEqualTo(400);
        // a checksum that does not match the file it names
        var badChecksum = upload("dave", "lib", "com/example/lib/1.0/lib-1.0.jar.sha1",
                "0000000000000000000000000000000000000000".getBytes(StandardCharsets.UTF_8));
        assertThat(badChecksum.status()).isEqualTo(400);
        assertThat(badChecksum.message()).contains("lib-1.0.jar", "sha1");
        // an unknown package
        assertThat(upload("dave", "nope", base + "lib-2.0.jar", "jar".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(404);

        // and: nothing changed
        awaitIndex();
        assertThat(server.anonymous().get("/dl/dave/maven/com/example/lib/maven-metadata.xml").body())
                .isEqualTo(before);
        var versions = server.as("dave").get("/api/v1/packages/dave/maven/lib").json().get("versions");
        assertThat(versions.toString()).isEqualTo("[\"1.0\"]");
    }

    @Test
    void acceptsWhatMvnDeployUploadsBesideTheArtifactsWithoutStoringIt() throws Exception {
        // given
        givenMavenPackage("erin", "lib");
        publishRelease("erin", "lib", "com.example", "lib", "1.0");
        var jar = server.anonymous().get("/dl/erin/maven/com/example/lib/1.0/lib-1.0.jar");
        // when: the checksums and a maven-metadata.xml of the client's own
        var checksum = upload("erin", "lib", "com/example/lib/1.0/lib-1.0.jar.sha1",
                jar.header("X-Checksum-Sha1").getBytes(StandardCharsets.UTF_8));
        var metadata = upload("erin", "lib", "com/example/lib/maven-metadata.xml",
                "<metadata><groupId>evil</groupId></metadata>".getBytes(StandardCharsets.UTF_8));
        var metadataChecksum = upload("erin", "lib", "com/example/lib/maven-metadata.xml.md5",
                "0123".getBytes(StandardCharsets.UTF_8));
        awaitIndex();
        // then
        assertThat(List.of(checksum.status(), metadata.status(), metadataChecksum.status()))
                .containsOnly(201);
        assertThat(checksum.json().get("message").asText()).isEqualTo("success");
        var files = server.as("erin").get("/api/v1/packages/erin/maven/lib/files?include_unpublished=1");
        assertThat(paths(files.json())).containsExactly("com/example/lib/1.0/lib-1.0.jar",
                "com/example/lib/1.0/lib-1.0.pom");
        assertThat(server.anonymous().get("/dl/erin/maven/com/example/lib/maven-metadata.xml").body())
                .contains("<groupId>com.example</groupId>").doesNotContain("evil");
        // and: the content API refuses them in a Maven repository rather than shadowing the generated ones
        var viaContent = server.as("erin").put("/api/v1/content/erin/maven/lib/1.0/com/example/lib/maven-metadata.xml",
                "<metadata/>");
        assertThat(viaContent.status()).isEqualTo(400);
    }

    @Test
    void searchesMavenPackagesByCoordinatesWithWildcards() throws Exception {
        // given: two packages in a public repository, one in a private one
        givenMavenPackage("frank", "search-lib");
        server.createPackage("frank", "maven", "other");
        publishRelease("frank", "search-lib", "io.bindery.search", "search-core", "1.0");
        publishRelease("frank", "search-lib", "io.bindery.search", "search-extras", "1.0");
        publishRelease("frank", "other", "io.bindery.other", "other-core", "3.0");
        server.createRepository("frank", "hidden", "{\"type\": \"maven\", \"private\": true}");
        server.createPackage("frank", "hidden", "secret");
        assertThat(server.as("frank").put("/api/v1/maven/frank/hidden/secret/io/bindery/search/search-secret/1.0/"
                + "search-secret-1.0.pom;publish=1", pom("io.bindery.search", "search-secret", "1.0")).status())
                .isEqualTo(201);
        awaitIndex();

        // when
        var byGroup = server.anonymous().get("/api/v1/search/packages/maven?g=io.bindery.search");
        var byArtifact = server.anonymous().get("/api/v1/search/packages/maven?g=io.bindery.*&a=*-core");
        var byQuery = server.anonymous().get("/api/v1/search/packages/maven?q=*OTHER*&subject=frank&repo=maven");
        var none = server.anonymous().get("/api/v1/search/packages/maven?g=io.bindery.searc");
        var noCoordinates = server.anonymous().get("/api/v1/search/packages/maven?subject=frank");

        // then
        assertThat(byGroup.status()).isEqualTo(200);
        assertThat(byGroup.json()).hasSize(1);
        var hit = byGroup.json().get(0);
        assertThat(hit.get("name").asText()).isEqualTo("search-lib");
        assertThat(hit.get("owner").asText()).isEqualTo("frank");
        assertThat(hit.get("repo").asText()).isEqualTo("maven");
        assertThat(hit.get("latest_version").asText()).isEqualTo("1.0");
        assertThat(hit.get("system_ids").toString())
                .isEqualTo("[\"io.bindery.search:search-core\",\"io.bindery.search:search-extras\"]");
        assertThat(systemIds(byArtifact)).isEqualTo(Map.of("other", "[\"io.bindery.other:other-core\"]",
                "search-lib", "[\"io.bindery.search:search-core\"]"));
        assertThat(systemIds(byQuery)).isEqualTo(Map.of("other", "[\"io.bindery.other:other-core\"]"));
        assertThat(none.json()).isEmpty();
        assertThat(noCoordinates.status()).isEqualTo(400);
    }

    @Test
    void signsMavenMetadataWhenTheRepositorySaysSo() throws Exception {
        // given: a repository whose metadata the server key signs
        server.createRepository("gina", "maven", "{\"type\": \"maven\", \"gpg_sign_metadata\": true}");
        server.createPackage("gina", "maven", "lib");
        // when
        publishRelease("gina", "lib", "com.example", "signed", "1.0");
        awaitIndex();
        // then: gpg verifies maven-metadata.xml.asc with the server's public key
        var metadata = server.anonymous().get("/dl/gina/maven/com/example/signed/maven-metadata.xml");
        var signature = server.anonymous().get("/dl/gina/maven/com/example/signed/maven-metadata.xml.asc");
        assertThat(signature.status()).isEqualTo(200);
        try (var gpg = Gpg.isolated()) {
            assertThat(gpg.importKey(server.anonymous().get("/api/v1/keys/gpg/public.key").body()).ok()).isTrue();
            Files.write(temp.resolve("maven-metadata.xml"), metadata.bytes());
            Files.write(temp.resolve("maven-metadata.xml.asc"), signature.bytes());
            var verified = gpg.verify(temp.resolve("maven-metadata.xml.asc"), temp.resolve("maven-metadata.xml"));
            assertThat(verified.ok()).as(verified.toString()).isTrue();
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    private static void givenMavenPackage(String owner, String pkg) {
        server.createRepository(owner, "maven", "{\"type\": \"maven\"}");
        server.createPackage(owner, "maven", pkg);
    }

    private static Response upload(String owner, String pkg, String path, byte[] body) {
        return server.as(owner).put("/api/v1/maven/" + owner + "/maven/" + pkg + "/" + path, body);
    }

    /** Uploads and publishes a POM and a jar of {@code groupId:artifactId:version}. */
    private static void publishRelease(String owner, String pkg, String groupId, String artifactId, String version) {
        var folder = groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version;
        var pom = upload(owner, pkg, folder + ".pom;publish=1", pom(groupId, artifactId, version));
        assertThat(pom.status()).as(pom.toString()).isEqualTo(201);
        var jar = upload(owner, pkg, folder + ".jar?publish=1",
                ("jar of " + artifactId + " " + version).getBytes(StandardCharsets.UTF_8));
        assertThat(jar.status()).as(jar.toString()).isEqualTo(201);
    }

    private static byte[] pom(String groupId, String artifactId, String version) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>%1$s</groupId><artifactId>parent</artifactId><version>%3$s</version></parent>
                  <groupId>%1$s</groupId>
                  <artifactId>%2$s</artifactId>
                </project>
                """.formatted(groupId, artifactId, version).getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitIndex() throws Exception {
        server.bindery().awaitIndexes(Duration.ofSeconds(30));
    }

    private static List<String> paths(JsonNode files) {
        return StreamSupport.stream(files.spliterator(), false).map(file -> file.get("path").asText()).sorted()
                .toList();
    }

    private static Map<String, String> systemIds(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        var byPackage = new java.util.TreeMap<String, String>();
        response.json().forEach(hit -> byPackage.put(hit.get("name").asText(), hit.get("system_ids").toString()));
        return byPackage;
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = MavenRepositoryTest.class.getResourceAsStream("/golden/maven/" + name)) {
            assertThat(in).as("golden file " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String digest(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(MavenMetadata.digestName(algorithm)).digest(data));
    }

    private static String sha1(byte[] data) throws Exception {
        return digest("sha1", data);
    }
}
