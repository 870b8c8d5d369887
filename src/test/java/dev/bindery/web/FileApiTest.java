package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.Times;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Files: Get Package Files, Get Version Files, File Search by Name and by Checksum, File in Download List. */
class FileApiTest {

    static final MutableClock clock = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(clock);

    private static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";

    // --- Get Package Files ------------------------------------------------------------------------

    @Test
    void packageFilesListPublishedFilesWithTheDocumentedFields() throws Exception {
        // given: a published file and an unpublished one
        server.createRepository("anna", "files");
        server.createPackage("anna", "files", "kit");
        server.publishFile("anna", "files", "kit", "1.0", "kit/1.0/kit-1.0.zip", "zip-1");
        upload("anna", "files", "kit", "1.1", "kit/1.1/kit-1.1.zip", "zip-2");
        // when
        var response = server.anonymous().get("/api/v1/packages/anna/files/kit/files");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json()).hasSize(1);
        var file = response.json().get(0);
        assertThat(file.get("name").asText()).isEqualTo("kit-1.0.zip");
        assertThat(file.get("path").asText()).isEqualTo("kit/1.0/kit-1.0.zip");
        assertThat(file.get("package").asText()).isEqualTo("kit");
        assertThat(file.get("version").asText()).isEqualTo("1.0");
        assertThat(file.get("repo").asText()).isEqualTo("files");
        assertThat(file.get("owner").asText()).isEqualTo("anna");
        assertThat(file.get("created").asText()).matches(DATE);
        assertThat(file.get("size").asLong()).isEqualTo(5);
        assertThat(file.get("sha1").asText()).isEqualTo(sha1("zip-1"));
    }

    @Test
    void packageFilesIncludeUnpublishedOnlyForPublishers() throws Exception {
        // given
        server.createRepository("bea", "files");
        server.createPackage("bea", "files", "kit");
        server.publishFile("bea", "files", "kit", "1.0", "bea-1.0.zip", "one");
        upload("bea", "files", "kit", "1.1", "bea-1.1.zip", "two");
        // when
        var owner = server.as("bea").get("/api/v1/packages/bea/files/kit/files?include_unpublished=1");
        var ownerDefault = server.as("bea").get("/api/v1/packages/bea/files/kit/files");
        var outsider = server.as("ben").get("/api/v1/packages/bea/files/kit/files?include_unpublished=1");
        var anonymous = server.anonymous().get("/api/v1/packages/bea/files/kit/files?include_unpublished=1");
        // then
        assertThat(names(owner.json())).containsExactlyInAnyOrder("bea-1.0.zip", "bea-1.1.zip");
        assertThat(names(ownerDefault.json())).containsExactly("bea-1.0.zip");
        assertThat(names(outsider.json())).containsExactly("bea-1.0.zip");
        assertThat(names(anonymous.json())).containsExactly("bea-1.0.zip");
    }

    @Test
    void packageFilesOfHiddenOrUnknownPackagesAnswer404() {
        // given
        server.createRepository("cleo", "closed", PRIVATE);
        server.createPackage("cleo", "closed", "kit");
        server.publishFile("cleo", "closed", "kit", "1.0", "cleo.zip", "c");
        server.createRepository("cleo", "open");
        // when
        var owner = server.as("cleo").get("/api/v1/packages/cleo/closed/kit/files");
        var outsider = server.as("cyril").get("/api/v1/packages/cleo/closed/kit/files");
        var anonymous = server.anonymous().get("/api/v1/packages/cleo/closed/kit/files");
        var unknown = server.anonymous().get("/api/v1/packages/cleo/open/nope/files");
        // then
        assertThat(names(owner.json())).containsExactly("cleo.zip");
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("nope");
    }

    // --- Get Version Files ------------------------------------------------------------------------

    @Test
    void versionFilesListOnlyThatVersionAndIncludeUnpublishedOnlyForPublishers() throws Exception {
        // given: 1.0 with a published file, 2.0 with a published and an unpublished one
        server.createRepository("dana", "files");
        server.createPackage("dana", "files", "kit");
        server.publishFile("dana", "files", "kit", "1.0", "dana-1.0.zip", "one");
        server.publishFile("dana", "files", "kit", "2.0", "dana-2.0.zip", "two");
        upload("dana", "files", "kit", "2.0", "dana-2.0-extra.zip", "extra");
        // when
        var owner = server.as("dana").get("/api/v1/packages/dana/files/kit/versions/2.0/files?include_unpublished=1");
        var ownerDefault = server.as("dana").get("/api/v1/packages/dana/files/kit/versions/2.0/files");
        var outsider = server.as("dirk").get("/api/v1/packages/dana/files/kit/versions/2.0/files?include_unpublished=1");
        var unknown = server.anonymous().get("/api/v1/packages/dana/files/kit/versions/3.0/files");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(names(owner.json())).containsExactly("dana-2.0-extra.zip", "dana-2.0.zip");
        assertThat(owner.json().get(1).get("version").asText()).isEqualTo("2.0");
        assertThat(owner.json().get(1).get("sha1").asText()).isEqualTo(sha1("two"));
        assertThat(names(ownerDefault.json())).containsExactly("dana-2.0.zip");
        assertThat(names(outsider.json())).containsExactly("dana-2.0.zip");
        assertThat(unknown.status()).isEqualTo(404);
    }

    // --- File Search by Name ----------------------------------------------------------------------

    @Test
    void searchByNameFindsPublishedPublicFilesWithWildcards() {
        // given
        server.createRepository("emma", "files");
        server.createRepository("emma", "closed", PRIVATE);
        server.createPackage("emma", "files", "kit");
        server.createPackage("emma", "closed", "kit");
        server.publishFile("emma", "files", "kit", "1.0", "qwz-tool-1.0.jar", "a");
        server.publishFile("emma", "files", "kit", "1.1", "qwz-tool-1.1.jar", "b");
        server.publishFile("emma", "files", "kit", "1.1", "qwz-tool-1.1.pom", "c");
        server.publishFile("emma", "files", "kit", "10.0", "qwz-tool-10.0.jar", "d");
        upload("emma", "files", "kit", "2.0", "qwz-tool-2.0.jar", "e");
        server.publishFile("emma", "closed", "kit", "3.0", "qwz-tool-3.0.jar", "f");
        // when
        var exact = server.anonymous().get("/api/v1/search/file?name=qwz-tool-1.0.jar");
        var star = server.anonymous().get("/api/v1/search/file?name=qwz-tool-*.jar");
        var question = server.anonymous().get("/api/v1/search/file?name=qwz-tool-1.?.jar");
        var owner = server.as("emma").get("/api/v1/search/file?name=qwz-*");
        // then: no unpublished or private files, not even for their owner
        assertThat(exact.status()).isEqualTo(200);
        assertThat(names(exact.json())).containsExactly("qwz-tool-1.0.jar");
        assertThat(exact.json().get(0).get("repo").asText()).isEqualTo("files");
        assertThat(exact.json().get(0).get("owner").asText()).isEqualTo("emma");
        assertThat(exact.json().get(0).get("package").asText()).isEqualTo("kit");
        assertThat(exact.json().get(0).get("version").asText()).isEqualTo("1.0");
        assertThat(names(star.json())).containsExactlyInAnyOrder("qwz-tool-1.0.jar", "qwz-tool-1.1.jar",
                "qwz-tool-10.0.jar");
        assertThat(names(question.json())).containsExactlyInAnyOrder("qwz-tool-1.0.jar", "qwz-tool-1.1.jar");
        assertThat(names(owner.json())).containsExactlyInAnyOrder("qwz-tool-1.0.jar", "qwz-tool-1.1.jar",
                "qwz-tool-1.1.pom", "qwz-tool-10.0.jar");
    }

    @Test
    void searchByNameMatchesUnderscoreLiterally() {
        // given
        server.createRepository("enzo", "files");
        server.createPackage("enzo", "files", "kit");
        server.publishFile("enzo", "files", "kit", "1.0", "lit_eral1.txt", "a");
        server.publishFile("enzo", "files", "kit", "1.0", "litXeral1.txt", "b");
        // when
        var response = server.anonymous().get("/api/v1/search/file?name=lit_eral*");
        // then
        assertThat(names(response.json())).containsExactly("lit_eral1.txt");
    }

    @Test
    void searchByNameFiltersBySubjectAndRepository() {
        // given: the same file name in three repositories of two subjects
        server.createRepository("fritz", "one");
        server.createRepository("fritz", "two");
        server.createRepository("frida", "one");
        for (var repo : List.of("fritz/one", "fritz/two", "frida/one")) {
            var parts = repo.split("/");
            server.createPackage(parts[0], parts[1], "kit");
            server.publishFile(parts[0], parts[1], "kit", "1.0", "fxq-common.txt", repo);
        }
        // when
        var all = server.anonymous().get("/api/v1/search/file?name=fxq-common.txt");
        var bySubject = server.anonymous().get("/api/v1/search/file?name=fxq-common.txt&subject=fritz");
        var byRepo = server.anonymous().get("/api/v1/search/file?name=fxq-common.txt&repo=one");
        var byBoth = server.anonymous().get("/api/v1/search/file?name=fxq-common.txt&subject=fritz&repo=two");
        // then
        assertThat(repos(all.json())).containsExactlyInAnyOrder("fritz/one", "fritz/two", "frida/one");
        assertThat(repos(bySubject.json())).containsExactlyInAnyOrder("fritz/one", "fritz/two");
        assertThat(repos(byRepo.json())).containsExactlyInAnyOrder("fritz/one", "frida/one");
        assertThat(repos(byBoth.json())).containsExactly("fritz/two");
    }

    @Test
    void searchByNamePagesFromTheStartPosition() {
        // given: three matching files
        server.createRepository("greta", "files");
        server.createPackage("greta", "files", "kit");
        for (var version : List.of("1", "2", "3")) {
            server.publishFile("greta", "files", "kit", version, "gpq-" + version + ".bin", version);
        }
        // when
        var all = server.anonymous().get("/api/v1/search/file?name=gpq-*");
        var fromOne = server.anonymous().get("/api/v1/search/file?name=gpq-*&start_pos=1");
        // then
        assertThat(all.json()).hasSize(3);
        assertThat(all.header("X-RangeLimit-Total")).isEqualTo("3");
        assertThat(all.header("X-RangeLimit-StartPos")).isEqualTo("0");
        assertThat(all.header("X-RangeLimit-EndPos")).isEqualTo("2");
        assertThat(names(fromOne.json())).hasSize(2).isSubsetOf(names(all.json()))
                .containsExactlyElementsOf(names(all.json()).subList(1, 3));
        assertThat(fromOne.header("X-RangeLimit-Total")).isEqualTo("3");
        assertThat(fromOne.header("X-RangeLimit-StartPos")).isEqualTo("1");
        assertThat(fromOne.header("X-RangeLimit-EndPos")).isEqualTo("2");
    }

    @Test
    void searchByNameFiltersByCreationDate() {
        // given: one file now, another three days later
        server.createRepository("hugo", "files");
        server.createPackage("hugo", "files", "kit");
        var before = clock.instant();
        server.publishFile("hugo", "files", "kit", "1.0", "hcd-old.txt", "old");
        clock.advance(Duration.ofDays(3));
        server.publishFile("hugo", "files", "kit", "2.0", "hcd-new.txt", "new");
        var between = before.plus(Duration.ofDays(1));
        // when
        var afterBetween = server.anonymous().get("/api/v1/search/file?name=hcd-*&created_after="
                + Times.format(between));
        var withOffset = server.anonymous().get("/api/v1/search/file?name=hcd-*&created_after="
                + Times.format(between).replace("Z", "%2B0000"));
        var afterBefore = server.anonymous().get("/api/v1/search/file?name=hcd-*&created_after="
                + Times.format(before.minus(Duration.ofDays(1))).substring(0, 10));
        // then
        assertThat(afterBetween.status()).isEqualTo(200);
        assertThat(names(afterBetween.json())).containsExactly("hcd-new.txt");
        assertThat(names(withOffset.json())).containsExactly("hcd-new.txt");
        assertThat(names(afterBefore.json())).containsExactlyInAnyOrder("hcd-old.txt", "hcd-new.txt");
    }

    // --- File Search by Checksum ------------------------------------------------------------------

    @Test
    void searchBySha1FindsPublishedPublicFiles() throws Exception {
        // given: the same content in a public and a private repository, and unpublished
        var content = "ivan's unique content";
        server.createRepository("ivan", "files");
        server.createRepository("ivan", "closed", PRIVATE);
        server.createPackage("ivan", "files", "kit");
        server.createPackage("ivan", "closed", "kit");
        server.publishFile("ivan", "files", "kit", "1.0", "ivan-a.txt", content);
        server.publishFile("ivan", "closed", "kit", "1.0", "ivan-b.txt", content);
        upload("ivan", "files", "kit", "2.0", "ivan-c.txt", content);
        // when
        var lower = server.anonymous().get("/api/v1/search/file?sha1=" + sha1(content));
        var upper = server.anonymous().get("/api/v1/search/file?sha1=" + sha1(content).toUpperCase(Locale.ROOT));
        var otherRepo = server.anonymous().get("/api/v1/search/file?sha1=" + sha1(content) + "&repo=elsewhere");
        // then
        assertThat(lower.status()).isEqualTo(200);
        assertThat(names(lower.json())).containsExactly("ivan-a.txt");
        assertThat(lower.json().get(0).get("sha1").asText()).isEqualTo(sha1(content));
        assertThat(names(upper.json())).containsExactly("ivan-a.txt");
        assertThat(otherRepo.json()).isEmpty();
    }

    @Test
    void searchRejectsMissingConflictingOrMalformedCriteria() {
        // when
        var none = server.anonymous().get("/api/v1/search/file");
        var both = server.anonymous().get("/api/v1/search/file?name=a*&sha1=" + "a".repeat(40));
        var badSha1 = server.anonymous().get("/api/v1/search/file?sha1=xyz");
        var badDate = server.anonymous().get("/api/v1/search/file?name=a*&created_after=last-week");
        var badPos = server.anonymous().get("/api/v1/search/file?name=a*&start_pos=-5");
        // then
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.message()).contains("name").contains("sha1");
        assertThat(both.status()).isEqualTo(400);
        assertThat(badSha1.status()).isEqualTo(400);
        assertThat(badSha1.message()).contains("sha1");
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(badDate.message()).contains("created_after").contains("last-week");
        assertThat(badPos.status()).isEqualTo(400);
        assertThat(badPos.message()).contains("start_pos");
    }

    // --- File in Download List --------------------------------------------------------------------

    @Test
    void fileMetadataSetsListInDownloads() {
        // given
        server.createRepository("jonas", "files");
        server.createPackage("jonas", "files", "kit");
        server.publishFile("jonas", "files", "kit", "1.0", "dl/jonas.zip", "zip");
        // when
        var add = server.as("jonas").putJson("/api/v1/file_metadata/jonas/files/dl/jonas.zip",
                "{\"list_in_downloads\": true}");
        var remove = server.as("jonas").putJson("/api/v1/file_metadata/jonas/files/dl/jonas.zip",
                "{\"list_in_downloads\": false}");
        // then
        assertThat(add.status()).isEqualTo(200);
        assertThat(add.message()).isEqualTo("success");
        assertThat(remove.status()).isEqualTo(200);
        assertThat(remove.message()).isEqualTo("success");
    }

    @Test
    void fileMetadataRejectsAMissingOrMistypedFlag() {
        // given
        server.createRepository("jost", "files");
        server.createPackage("jost", "files", "kit");
        server.publishFile("jost", "files", "kit", "1.0", "jost.zip", "zip");
        // when
        var missing = server.as("jost").putJson("/api/v1/file_metadata/jost/files/jost.zip", "{}");
        var mistyped = server.as("jost").putJson("/api/v1/file_metadata/jost/files/jost.zip",
                "{\"list_in_downloads\": \"sometimes\"}");
        var noBody = server.as("jost").put("/api/v1/file_metadata/jost/files/jost.zip", "");
        // then
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("list_in_downloads");
        assertThat(mistyped.status()).isEqualTo(400);
        assertThat(mistyped.message()).contains("list_in_downloads");
        assertThat(noBody.status()).isEqualTo(400);
    }

    @Test
    void fileMetadataNeedsPublishPermissionOnAnExistingFile() {
        // given
        server.createRepository("jule", "files");
        server.createRepository("jule", "closed", PRIVATE);
        server.createPackage("jule", "files", "kit");
        server.createPackage("jule", "closed", "kit");
        server.publishFile("jule", "files", "kit", "1.0", "jule.zip", "zip");
        server.publishFile("jule", "closed", "kit", "1.0", "jule.zip", "zip");
        var body = "{\"list_in_downloads\": true}";
        // when
        var outsider = server.as("jorge").putJson("/api/v1/file_metadata/jule/files/jule.zip", body);
        var hidden = server.as("jorge").putJson("/api/v1/file_metadata/jule/closed/jule.zip", body);
        var anonymous = server.anonymous().putJson("/api/v1/file_metadata/jule/files/jule.zip", body);
        var unknown = server.as("jule").putJson("/api/v1/file_metadata/jule/files/nothing.zip", body);
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("nothing.zip");
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static void upload(String owner, String repo, String pkg, String version, String path, String content) {
        var response = server.as(owner).put("/api/v1/content/" + owner + "/" + repo + "/" + pkg + "/" + version + "/"
                + path, content);
        assertThat(response.status()).as("upload of %s: %s", path, response).isEqualTo(201);
    }

    private static List<String> names(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.get("name").asText()));
        return values;
    }

    private static List<String> repos(JsonNode array) {
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.get("owner").asText() + "/" + node.get("repo").asText()));
        return values;
    }

    private static String sha1(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content.getBytes(StandardCharsets.UTF_8)));
    }
}
