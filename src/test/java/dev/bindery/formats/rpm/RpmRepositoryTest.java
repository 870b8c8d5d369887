package dev.bindery.formats.rpm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.content.FilePath;
import dev.bindery.storage.FileSystemBlobStore;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RPM repositories end to end: uploads of rpmbuild-made packages, the YUM metadata compared with what
 * createrepo_c writes for the same files, dnf installing from Bindery, metadata depth, groups files,
 * deletes and refused bad uploads.
 */
class RpmRepositoryTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final Pattern LOCATION = Pattern.compile("<data type=\"(\\w+)\">.*?<location href=\"([^\"]+)\"/>",
            Pattern.DOTALL);
    private static final Pattern FILE_TIME = Pattern.compile("<time file=\"\\d+\"");

    @TempDir
    Path tmp;

    @Test
    void readsTheHeadersOfAnRpmbuildPackage() throws Exception {
        // given: the rich fixture, stored as an upload would be
        var rpm = Rpms.buildOne(tmp, Rpms.richSpec());
        var blobs = new FileSystemBlobStore(tmp.resolve("blobs"));
        var blob = blobs.put(Files.newInputStream(rpm), Long.MAX_VALUE, null);
        // when
        var json = new RpmFormat(blobs).inspect(null, FilePath.of(rpm.getFileName().toString()), blob, Map.of());
        // then
        var metadata = new ObjectMapper().readTree(json);
        assertThat(metadata.get("name").asText()).isEqualTo("hello-bindery");
        assertThat(metadata.get("epoch").asLong()).isEqualTo(2);
        assertThat(metadata.get("version").asText()).isEqualTo("1.2.3");
        assertThat(metadata.get("release").asText()).isEqualTo("4");
        assertThat(metadata.get("arch").asText()).isEqualTo("noarch");
        assertThat(metadata.get("summary").asText()).isEqualTo("Says hello <from> Bindery & friends");
        assertThat(metadata.get("description").asText()).isEqualTo("A tiny package for the Bindery tests.\nIt has two lines.");
        assertThat(metadata.get("license").asText()).isEqualTo("MIT");
        assertThat(metadata.get("url").asText()).isEqualTo("https://example.com/hello");
        assertThat(metadata.get("vendor").asText()).isEqualTo("Bindery Tests");
        assertThat(metadata.get("group").asText()).isEqualTo("Applications/System");
        assertThat(metadata.get("packager").asText()).isEqualTo("Alice <alice@example.com>");
        assertThat(metadata.get("sourcerpm").asText()).isEqualTo("hello-bindery-1.2.3-4.src.rpm");
        assertThat(metadata.get("buildTime").asLong()).isGreaterThan(1_700_000_000L);
        assertThat(metadata.get("installedSize").asLong()).isEqualTo(41);
        assertThat(metadata.get("headerStart").asLong()).isGreaterThanOrEqualTo(96);
        assertThat(metadata.get("headerEnd").asLong()).isGreaterThan(metadata.get("headerStart").asLong())
                .isLessThan(Files.size(rpm));
        assertThat(entries(metadata.get("provides"))).containsExactly(
                "config(hello-bindery) EQ 2:1.2.3-4", "greeter EQ 0:1.0", "hello-bindery EQ 2:1.2.3-4",
                "hello-capability");
        // rpmlib() requirements and what the package provides itself are left out; pre marks Requires(pre)
        assertThat(entries(metadata.get("requires"))).containsExactly("/bin/sh", "bash GE 0:4.0", "coreutils pre");
        assertThat(entries(metadata.get("conflicts"))).containsExactly("goodbye LT 2:1.0-1");
        assertThat(entries(metadata.get("obsoletes"))).containsExactly("hello-old LE 0:1.0");
        assertThat(entries(metadata.get("recommends"))).containsExactly("hello-extras");
        var files = new ArrayList<String>();
        metadata.get("files").forEach(file -> files.add(file.get("type").asText() + " " + file.get("path").asText()));
        assertThat(files).containsExactly("dir /etc/hello", "file /etc/hello/hello.conf", "file /usr/bin/hello-bindery",
                "dir /usr/share/hello", "file /usr/share/hello/data.txt", "ghost /var/log/hello.log");
        var changelog = new ArrayList<String>();
        metadata.get("changelog").forEach(entry -> changelog.add(entry.get("author").asText() + ": "
                + entry.get("text").asText()));
        assertThat(changelog).containsExactly("Bob <bob@example.com> - 2:1.2.3-3: - First entry",
                "Alice <alice@example.com> - 2:1.2.3-4: - Second entry");
    }

    @Test
    void writesTheSameYumMetadataAsCreaterepo() throws Exception {
        // given: an RPM repository with the rich package and a small one
        server.createRepository("alice", "yum", "{\"type\": \"rpm\"}");
        var rich = Rpms.buildOne(tmp, Rpms.richSpec());
        var small = Rpms.buildOne(tmp, Rpms.spec("small-tool", "0.9", "1", "Requires: hello-bindery >= 1.0"));
        upload("yum", "hello-bindery", "1.2.3", rich.getFileName().toString(), rich);
        upload("yum", "small-tool", "0.9", small.getFileName().toString(), small);
        // and: createrepo_c's index of the same two files
        var reference = Files.createDirectory(tmp.resolve("reference"));
        Files.copy(rich, reference.resolve(rich.getFileName()));
        Files.copy(small, reference.resolve(small.getFileName()));
        Rpms.createrepo(reference);
        // when
        awaitPrimary("/dl/alice/yum/", "hello-bindery", "small-tool");
        var repomd = get("/dl/alice/yum/repodata/repomd.xml");
        // then: primary, filelists and other are byte for byte createrepo_c's, but for the upload time
        var ours = locations(repomd.body());
        var theirs = locations(Files.readString(reference.resolve("repodata/repomd.xml")));
        assertThat(ours.keySet()).containsExactlyInAnyOrder("primary", "filelists", "other");
        for (var type : List.of("primary", "filelists", "other")) {
            var mine = gunzip(get("/dl/alice/yum/" + ours.get(type)).bytes());
            var reference_ = gunzip(Files.readAllBytes(reference.resolve(theirs.get(type))));
            assertThat(withoutFileTimes(mine)).as(type).isEqualTo(withoutFileTimes(reference_));
        }
        // and: repomd.xml gives the checksums and sizes of what it points at
        var primaryBytes = get("/dl/alice/yum/" + ours.get("primary")).bytes();
        assertThat(repomd.body()).contains("<checksum type=\"sha256\">" + sha256(primaryBytes) + "</checksum>")
                .contains("<size>" + primaryBytes.length + "</size>")
                .contains("<open-checksum type=\"sha256\">" + sha256(gunzip(primaryBytes).getBytes(StandardCharsets.UTF_8)))
                .contains("<open-size>" + gunzip(primaryBytes).getBytes(StandardCharsets.UTF_8).length + "</open-size>");
        assertThat(ours.get("primary")).isEqualTo("repodata/" + sha256(primaryBytes) + "-primary.xml.gz");
    }

    @Test
    void dnfInstallsFromTheRepositoryWithoutSignatures() throws Exception {
        // given: two packages, one requiring the other
        server.createRepository("alice", "plain", "{\"type\": \"rpm\"}");
        var lib = Rpms.buildOne(tmp, Rpms.spec("greeting-lib", "1.0", "1", "Provides: greeting-api = 1"));
        var app = Rpms.buildOne(tmp, Rpms.spec("greeting-app", "2.0", "1", "Requires: greeting-api >= 1"));
        upload("plain", "greeting", "1.0", "pool/g/" + lib.getFileName(), lib);
        upload("plain", "greeting", "1.0", "pool/g/" + app.getFileName(), app);
        awaitPrimary("/dl/alice/plain/", "greeting-lib", "greeting-app");
        var dnf = Dnf.isolated(tmp).repository("bindery", server.baseUrl() + "/dl/alice/plain", null);
        // when
        var output = dnf.install("greeting-app");
        // then: dnf resolved the requirement through Bindery's metadata and installed both
        assertThat(output).contains("greeting-lib").contains("Complete!");
        assertThat(dnf.installroot().resolve("usr/share/greeting-app/greeting-app.txt")).exists();
        assertThat(dnf.installroot().resolve("usr/share/greeting-lib/greeting-lib.txt")).exists();
    }

    @Test
    void indexesEachFolderAtTheMetadataDepthOnItsOwn() throws Exception {
        // given: depth 1, one package in each of two folders
        server.createRepository("alice", "deep", "{\"type\": \"rpm\", \"yum_metadata_depth\": 1}");
        var one = Rpms.buildOne(tmp, Rpms.spec("deep-one", "1.0", "1"));
        var two = Rpms.buildOne(tmp, Rpms.spec("deep-two", "1.0", "1"));
        upload("deep", "deep", "1.0", "el8/x86_64/" + one.getFileName(), one);
        upload("deep", "deep", "1.0", "el9/" + two.getFileName(), two);
        // when
        var el8 = awaitPrimary("/dl/alice/deep/el8/", "deep-one");
        var el9 = awaitPrimary("/dl/alice/deep/el9/", "deep-two");
        // then: each folder has its own repodata, with locations relative to it, and the root none
        assertThat(el8).contains("<name>deep-one</name>").contains("<location href=\"x86_64/" + one.getFileName() + "\"/>")
                .doesNotContain("deep-two");
        assertThat(el9).contains("<name>deep-two</name>").contains("<location href=\"" + two.getFileName() + "\"/>")
                .doesNotContain("deep-one");
        assertThat(server.anonymous().get("/dl/alice/deep/repodata/repomd.xml").status()).isEqualTo(404);
        // and: dnf installs from one folder
        var dnf = Dnf.isolated(tmp).repository("el8", server.baseUrl() + "/dl/alice/deep/el8", null);
        dnf.install("deep-one");
        assertThat(dnf.installroot().resolve("usr/share/deep-one/deep-one.txt")).exists();
    }

    @Test
    void recalculatesOneFolderOnRequest() throws Exception {
        // given: a depth-1 repository with two indexed folders
        server.createRepository("alice", "calc", "{\"type\": \"rpm\", \"yum_metadata_depth\": 1}");
        var one = Rpms.buildOne(tmp, Rpms.spec("calc-one", "1.0", "1"));
        var two = Rpms.buildOne(tmp, Rpms.spec("calc-two", "1.0", "1"));
        upload("calc", "calc", "1.0", "a/" + one.getFileName(), one);
        upload("calc", "calc", "1.0", "b/" + two.getFileName(), two);
        awaitPrimary("/dl/alice/calc/a/", "calc-one");
        awaitPrimary("/dl/alice/calc/b/", "calc-two");
        var before = get("/dl/alice/calc/b/repodata/repomd.xml").body();
        // when: the metadata of folder a is recalculated
        var response = server.as("alice").post("/api/v1/calc_metadata/alice/calc/a");
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
        // then
        assertThat(response.status()).isEqualTo(202);
        assertThat(primary("/dl/alice/calc/a/")).contains("<name>calc-one</name>");
        assertThat(get("/dl/alice/calc/b/repodata/repomd.xml").body()).isEqualTo(before);
    }

    @Test
    void publishesTheGroupsFile() throws Exception {
        // given: a repository whose groups file is comps.xml, uploaded next to a package
        server.createRepository("alice", "groups", "{\"type\": \"rpm\", \"yum_groups_file\": \"comps.xml\"}");
        var comps = """
                <?xml version="1.0" encoding="UTF-8"?>
                <comps><group><id>tools</id><name>Tools</name><default>true</default><uservisible>true</uservisible>
                <packagelist><packagereq type="mandatory">group-tool</packagereq></packagelist></group></comps>
                """;
        var rpm = Rpms.buildOne(tmp, Rpms.spec("group-tool", "1.0", "1"));
        var compsFile = Files.writeString(tmp.resolve("comps.xml"), comps);
        upload("groups", "group-tool", "1.0", "comps.xml", compsFile);
        upload("groups", "group-tool", "1.0", rpm.getFileName().toString(), rpm);
        // when
        awaitPrimary("/dl/alice/groups/", "group-tool");
        var repomd = get("/dl/alice/groups/repodata/repomd.xml").body();
        // then: repomd.xml lists it as group and group_gz, and it is served from repodata/
        var locations = locations(repomd);
        assertThat(locations).containsKeys("group", "group_gz");
        assertThat(get("/dl/alice/groups/" + locations.get("group")).body()).isEqualTo(comps);
        assertThat(gunzip(get("/dl/alice/groups/" + locations.get("group_gz")).bytes())).isEqualTo(comps);
        // and: dnf reads the group
        var dnf = Dnf.isolated(tmp).repository("groups", server.baseUrl() + "/dl/alice/groups", null);
        dnf.install("@tools");
        assertThat(dnf.installroot().resolve("usr/share/group-tool/group-tool.txt")).exists();
    }

    @Test
    void indexesZstdPayloads() throws Exception {
        // given: a package compressed as Fedora does, with zstd
        server.createRepository("alice", "zstd", "{\"type\": \"rpm\"}");
        var rpm = Rpms.buildOne(tmp, Rpms.spec("zstd-tool", "1.0", "1"), "_binary_payload w19.zstdio");
        // when
        upload("zstd", "zstd-tool", "1.0", rpm.getFileName().toString(), rpm);
        // then
        assertThat(awaitPrimary("/dl/alice/zstd/", "zstd-tool")).contains("<name>zstd-tool</name>");
    }

    @Test
    void deletingAPackageRemovesItFromTheIndex() throws Exception {
        // given: two packages in two versions
        server.createRepository("alice", "del", "{\"type\": \"rpm\"}");
        var keep = Rpms.buildOne(tmp, Rpms.spec("keep-me", "1.0", "1"));
        var drop = Rpms.buildOne(tmp, Rpms.spec("drop-me", "1.0", "1"));
        upload("del", "keep-me", "1.0", keep.getFileName().toString(), keep);
        upload("del", "drop-me", "1.0", drop.getFileName().toString(), drop);
        assertThat(awaitPrimary("/dl/alice/del/", "keep-me", "drop-me")).contains("packages=\"2\"");
        // when
        var deleted = server.as("alice").delete("/api/v1/content/alice/del/" + drop.getFileName());
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(awaitPrimary("/dl/alice/del/", "keep-me")).doesNotContain("drop-me").contains("packages=\"1\"");
    }

    @Test
    void theIndexFollowsEveryKindOfFileChange() throws Exception {
        // given: rebuilds read only the files changed since the last one, so each kind of change must show
        server.createRepository("alice", "changes", "{\"type\": \"rpm\"}");
        var alice = server.as("alice");
        var base = "/api/v1/content/alice/changes/";
        var a = Rpms.buildOne(tmp, Rpms.spec("pkg-a", "1.0", "1"));
        upload("changes", "pkg-a", "1.0", a.getFileName().toString(), a);
        assertThat(awaitPrimary("/dl/alice/changes/", "pkg-a")).contains(sha256(Files.readAllBytes(a)));
        // when: an upload left unpublished, then its version published
        var b = Rpms.buildOne(tmp, Rpms.spec("pkg-b", "1.0", "1"));
        server.createPackage("alice", "changes", "pkg-b");
        assertThat(alice.putFile(base + "pkg-b/1.0/" + b.getFileName(), b).status()).isEqualTo(201);
        // (a rebuild in between, so the publish is a change of its own)
        assertThat(alice.post("/api/v1/calc_metadata/alice/changes").status()).isEqualTo(202);
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
        assertThat(primary("/dl/alice/changes/")).doesNotContain("pkg-b");
        assertThat(alice.post(base + "pkg-b/1.0/publish").status()).isEqualTo(200);
        // then
        awaitPrimary("/dl/alice/changes/", "pkg-a", "pkg-b");
        // when: pkg-a replaced by new content at the same path
        var a2 = Rpms.buildOne(Files.createDirectories(tmp.resolve("again")),
                Rpms.spec("pkg-a", "1.0", "1", "Provides: pkg-a-again"));
        assertThat(a2.getFileName()).isEqualTo(a.getFileName());
        assertThat(alice.putFile(base + "pkg-a/1.0/" + a2.getFileName() + "?override=1&publish=1", a2).status())
                .isEqualTo(201);
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
        // then: the new checksum, not the old
        var afterOverride = primary("/dl/alice/changes/");
        assertThat(afterOverride).contains(sha256(Files.readAllBytes(a2))).contains("pkg-a-again")
                .doesNotContain(sha256(Files.readAllBytes(a)));
        // when: pkg-b's version deleted, a package deleted, a version discarded, then one more added
        assertThat(alice.delete("/api/v1/packages/alice/changes/pkg-b/versions/1.0").status()).isEqualTo(200);
        awaitPrimary("/dl/alice/changes/", "pkg-a");
        var c = Rpms.buildOne(tmp, Rpms.spec("pkg-c", "1.0", "1"));
        upload("changes", "pkg-c", "1.0", c.getFileName().toString(), c);
        awaitPrimary("/dl/alice/changes/", "pkg-a", "pkg-c");
        assertThat(alice.delete("/api/v1/packages/alice/changes/pkg-c").status()).isEqualTo(200);
        awaitPrimary("/dl/alice/changes/", "pkg-a");
        var d = Rpms.buildOne(tmp, Rpms.spec("pkg-d", "1.0", "1"));
        server.createPackage("alice", "changes", "pkg-d");
        assertThat(alice.putFile(base + "pkg-d/1.0/" + d.getFileName(), d).status()).isEqualTo(201);
        assertThat(alice.postJson(base + "pkg-d/1.0/publish", "{\"discard\": true}").status()).isEqualTo(200);
        var e = Rpms.buildOne(tmp, Rpms.spec("pkg-e", "1.0", "1"));
        upload("changes", "pkg-e", "1.0", e.getFileName().toString(), e);
        // then
        assertThat(awaitPrimary("/dl/alice/changes/", "pkg-a", "pkg-e")).contains("packages=\"2\"")
                .contains(sha256(Files.readAllBytes(a2)));
    }

    @Test
    void refusesFakeAndTruncatedRpmsAndKeepsTheIndex() throws Exception {
        // given: an indexed repository
        server.createRepository("alice", "bad", "{\"type\": \"rpm\"}");
        var good = Rpms.buildOne(tmp, Rpms.spec("good-one", "1.0", "1"));
        upload("bad", "good-one", "1.0", good.getFileName().toString(), good);
        awaitPrimary("/dl/alice/bad/", "good-one");
        var before = get("/dl/alice/bad/repodata/repomd.xml").body();
        server.createPackage("alice", "bad", "broken");
        var bytes = Files.readAllBytes(good);
        var cases = Map.of(
                "fake.rpm", "not an RPM at all, just text".getBytes(StandardCharsets.UTF_8),
                "lead-only.rpm", Arrays.copyOf(bytes, 100),
                "truncated-header.rpm", Arrays.copyOf(bytes, 3000),
                "truncated-payload.rpm", Arrays.copyOf(bytes, bytes.length - 10),
                "huge-header.rpm", hugeHeader(bytes));
        for (var entry : cases.entrySet()) {
            // when
            var response = server.as("alice").put("/api/v1/content/alice/bad/broken/1.0/" + entry.getKey()
                    + "?publish=1", entry.getValue());
            // then: 400 naming the file, and no file stored
            assertThat(response.status()).as(entry.getKey() + ": " + response).isEqualTo(400);
            assertThat(response.message()).contains("'" + entry.getKey() + "' is not a valid RPM package");
            assertThat(server.anonymous().get("/dl/alice/bad/" + entry.getKey()).status()).isEqualTo(404);
        }
        assertThat(server.as("alice").put("/api/v1/content/alice/bad/broken/1.0/t.rpm", Arrays.copyOf(bytes, 3000))
                .message()).contains("truncated");
        // and: the index is unchanged
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
        assertThat(get("/dl/alice/bad/repodata/repomd.xml").body()).isEqualTo(before);
    }

    /** The package with its signature header claiming 2^31 tags. */
    private static byte[] hugeHeader(byte[] rpm) {
        var copy = rpm.clone();
        copy[96 + 8] = 0x7f;
        return copy;
    }

    private static List<String> entries(JsonNode dependencies) {
        var entries = new ArrayList<String>();
        dependencies.forEach(entry -> {
            var text = new StringBuilder(entry.get("name").asText());
            if (entry.has("flags")) {
                text.append(' ').append(entry.get("flags").asText()).append(' ').append(entry.get("epoch").asText())
                        .append(':').append(entry.get("version").asText());
                if (entry.has("release")) {
                    text.append('-').append(entry.get("release").asText());
                }
            }
            if (entry.get("pre").asBoolean()) {
                text.append(" pre");
            }
            entries.add(text.toString());
        });
        return entries;
    }

    private void upload(String repo, String pkg, String version, String path, Path file) throws Exception {
        if (server.as("alice").get("/api/v1/packages/alice/" + repo + "/" + pkg).status() == 404) {
            server.createPackage("alice", repo, pkg);
        }
        var response = server.as("alice").putFile("/api/v1/content/alice/" + repo + "/" + pkg + "/" + version + "/" + path
                + "?publish=1", file);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
    }

    /**
     * Waits until the primary.xml under {@code folder} lists exactly the packages {@code names}
     * (listeners run after the upload or delete answers), and returns it.
     */
    private static String awaitPrimary(String folder, String... names) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            server.bindery().awaitIndexes(Duration.ofSeconds(60));
            var repomd = server.anonymous().get(folder + "repodata/repomd.xml");
            if (repomd.status() == 200) {
                last = gunzip(get(folder + locations(repomd.body()).get("primary")).bytes());
                var listed = new ArrayList<String>();
                var matcher = Pattern.compile("<name>([^<]+)</name>").matcher(last);
                while (matcher.find()) {
                    listed.add(matcher.group(1));
                }
                if (listed.stream().sorted().toList().equals(Arrays.stream(names).sorted().toList())) {
                    return last;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("primary.xml under " + folder + " never listed exactly " + Arrays.toString(names)
                + ":\n" + last);
    }

    private static Response get(String path) {
        var response = server.anonymous().get(path);
        assertThat(response.status()).as(path + ": " + response).isEqualTo(200);
        return response;
    }

    /** primary.xml of the repodata under {@code folder} ("/dl/alice/repo/" or a folder in it). */
    private static String primary(String folder) throws IOException {
        var repomd = get(folder + "repodata/repomd.xml").body();
        return gunzip(get(folder + locations(repomd).get("primary")).bytes());
    }

    private static Map<String, String> locations(String repomd) {
        var locations = new java.util.LinkedHashMap<String, String>();
        var matcher = LOCATION.matcher(repomd);
        while (matcher.find()) {
            locations.put(matcher.group(1), matcher.group(2));
        }
        return locations;
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String withoutFileTimes(String xml) {
        return FILE_TIME.matcher(xml).replaceAll("<time file=\"X\"");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
