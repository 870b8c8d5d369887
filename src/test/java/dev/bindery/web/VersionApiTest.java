package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Versions: Get Version (and _latest), Create/Update/Delete Version, HEAD, Version for File. */
class VersionApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    // --- Get Version ------------------------------------------------------------------------------

    @Test
    void getAnswersTheDocumentedFieldsToThePublisher() {
        // given
        server.createRepository("anja", "tools");
        server.createPackage("anja", "tools", "anvil");
        var created = server.as("anja").postJson("/api/v1/packages/anja/tools/anvil/versions", """
                {"name": "1.1.5", "desc": "This version...", "released": "2019-07-07T10:00:00.000Z",
                 "github_release_notes_file": "RELEASE.txt", "github_use_tag_release_notes": true,
                 "vcs_tag": "v1.1.5"}""");
        assertThat(created.status()).isEqualTo(201);
        // when
        var response = server.as("anja").get("/api/v1/packages/anja/tools/anvil/versions/1.1.5");
        // then
        assertThat(response.status()).isEqualTo(200);
        var version = response.json();
        assertThat(version.get("name").asText()).isEqualTo("1.1.5");
        assertThat(version.get("desc").asText()).isEqualTo("This version...");
        assertThat(version.get("package").asText()).isEqualTo("anvil");
        assertThat(version.get("repo").asText()).isEqualTo("tools");
        assertThat(version.get("owner").asText()).isEqualTo("anja");
        assertThat(version.get("labels").isArray()).isTrue();
        assertThat(version.get("published").isBoolean()).isTrue();
        assertThat(version.get("published").asBoolean()).isFalse();
        assertThat(version.get("attribute_names").isArray()).isTrue();
        assertThat(version.get("created").asText()).matches(DATE);
        assertThat(version.get("updated").asText()).matches(DATE);
        assertThat(version.get("released").asText()).isEqualTo("2019-07-07T10:00:00.000Z");
        assertThat(version.get("github_release_notes_file").asText()).isEqualTo("RELEASE.txt");
        assertThat(version.get("github_use_tag_release_notes").asBoolean()).isTrue();
        assertThat(version.get("vcs_tag").asText()).isEqualTo("v1.1.5");
        assertThat(version.get("ordinal").isInt()).isTrue();
        assertThat(version.has("attributes")).isFalse();
    }

    @Test
    void getHidesPublisherOnlyFieldsFromOthers() {
        // given
        server.createRepository("bert", "tools");
        server.createPackage("bert", "tools", "bolt");
        server.as("bert").postJson("/api/v1/packages/bert/tools/bolt/versions",
                "{\"name\": \"1.0\", \"vcs_tag\": \"v1.0\", \"github_release_notes_file\": \"NOTES\"}");
        // when
        var other = server.as("bianca").get("/api/v1/packages/bert/tools/bolt/versions/1.0");
        var anonymous = server.anonymous().get("/api/v1/packages/bert/tools/bolt/versions/1.0");
        // then
        for (var response : List.of(other, anonymous)) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("name").asText()).isEqualTo("1.0");
            assertThat(response.json().has("vcs_tag")).isFalse();
            assertThat(response.json().has("github_release_notes_file")).isFalse();
            assertThat(response.json().has("github_use_tag_release_notes")).isFalse();
        }
    }

    @Test
    void getWithAttributeValuesReplacesAttributeNamesWithAttributes() {
        // given
        server.createRepository("carla", "tools");
        server.createPackage("carla", "tools", "clamp");
        server.as("carla").postJson("/api/v1/packages/carla/tools/clamp/versions", "{\"name\": \"1.0\"}");
        // when
        var response = server.anonymous().get("/api/v1/packages/carla/tools/clamp/versions/1.0?attribute_values=1");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().has("attribute_names")).isFalse();
        assertThat(response.json().get("attributes").isObject()).isTrue();
    }

    @Test
    void versionIsPublishedOnceItHasAPublishedFile() {
        // given
        server.createRepository("cem", "tools");
        server.createPackage("cem", "tools", "chisel");
        server.publishFile("cem", "tools", "chisel", "2.0", "chisel-2.0.txt", "sharp");
        // when
        var response = server.anonymous().get("/api/v1/packages/cem/tools/chisel/versions/2.0");
        // then
        assertThat(response.json().get("published").asBoolean()).isTrue();
    }

    @Test
    void getOfUnknownVersionAnswers404() {
        // given
        server.createRepository("dina", "tools");
        server.createPackage("dina", "tools", "drill");
        // when
        var version = server.anonymous().get("/api/v1/packages/dina/tools/drill/versions/9.9");
        var pkg = server.anonymous().get("/api/v1/packages/dina/tools/nope/versions/1.0");
        // then
        assertThat(version.status()).isEqualTo(404);
        assertThat(version.message()).isEqualTo("Version 'dina/tools/drill/9.9' was not found");
        assertThat(pkg.status()).isEqualTo(404);
        assertThat(pkg.message()).contains("nope");
    }

    @Test
    void versionInPrivateRepositoryIsHiddenFromOutsiders() {
        // given
        server.createRepository("dora", "closed", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("dora", "closed", "secret");
        server.as("dora").postJson("/api/v1/packages/dora/closed/secret/versions", "{\"name\": \"1.0\"}");
        // when
        var owner = server.as("dora").get("/api/v1/packages/dora/closed/secret/versions/1.0");
        var outsider = server.as("dean").get("/api/v1/packages/dora/closed/secret/versions/1.0");
        var anonymous = server.anonymous().get("/api/v1/packages/dora/closed/secret/versions/1.0");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
    }

    // --- _latest ----------------------------------------------------------------------------------

    @Test
    void latestIsTheNewestVersionWithAPublishedFile() {
        // given: 1.0 and 2.0 published, 3.0 with an unpublished file only, 4.0 without files
        server.createRepository("emil", "tools");
        server.createPackage("emil", "tools", "file");
        server.publishFile("emil", "tools", "file", "1.0", "file-1.0.txt", "one");
        server.publishFile("emil", "tools", "file", "2.0", "file-2.0.txt", "two");
        assertThat(server.as("emil").put("/api/v1/content/emil/tools/file/3.0/file-3.0.txt", "three").status())
                .isEqualTo(201);
        server.as("emil").postJson("/api/v1/packages/emil/tools/file/versions", "{\"name\": \"4.0\"}");
        // when
        var latest = server.anonymous().get("/api/v1/packages/emil/tools/file/versions/_latest");
        var pkg = server.anonymous().get("/api/v1/packages/emil/tools/file");
        // then
        assertThat(latest.status()).isEqualTo(200);
        assertThat(latest.json().get("name").asText()).isEqualTo("2.0");
        assertThat(latest.json().get("published").asBoolean()).isTrue();
        assertThat(pkg.json().get("latest_version").asText()).isEqualTo("2.0");
        assertThat(texts(pkg.json().get("versions"))).containsExactly("4.0", "3.0", "2.0", "1.0");
    }

    @Test
    void latestFollowsPublishing() {
        // given: 1.0 published, 2.0 uploaded but not yet published
        server.createRepository("elke", "tools");
        server.createPackage("elke", "tools", "lever");
        server.publishFile("elke", "tools", "lever", "1.0", "lever-1.0.txt", "one");
        server.as("elke").put("/api/v1/content/elke/tools/lever/2.0/lever-2.0.txt", "two");
        assertThat(server.anonymous().get("/api/v1/packages/elke/tools/lever/versions/_latest").json().get("name")
                .asText()).isEqualTo("1.0");
        // when
        var published = server.as("elke").post("/api/v1/content/elke/tools/lever/2.0/publish");
        // then
        assertThat(published.status()).isEqualTo(200);
        assertThat(server.anonymous().get("/api/v1/packages/elke/tools/lever/versions/_latest").json().get("name")
                .asText()).isEqualTo("2.0");
    }

    @Test
    void latestAnswers404WhenNoVersionHasAPublishedFile() {
        // given: a version with an unpublished file only
        server.createRepository("ella", "tools");
        server.createPackage("ella", "tools", "vice");
        server.as("ella").put("/api/v1/content/ella/tools/vice/1.0/vice-1.0.txt", "draft");
        // when
        var response = server.as("ella").get("/api/v1/packages/ella/tools/vice/versions/_latest");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("ella/tools/vice");
        assertThat(server.anonymous().get("/api/v1/packages/ella/tools/vice").json().get("latest_version").isNull())
                .isTrue();
    }

    // --- Create Version ---------------------------------------------------------------------------

    @Test
    void createAnswers201WithTheVersion() {
        // given
        server.createRepository("finn", "tools");
        server.createPackage("finn", "tools", "file");
        // when
        var first = server.as("finn").postJson("/api/v1/packages/finn/tools/file/versions",
                "{\"name\": \"1.0\", \"desc\": \"first\"}");
        var second = server.as("finn").postJson("/api/v1/packages/finn/tools/file/versions", "{\"name\": \"1.1\"}");
        // then
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("name").asText()).isEqualTo("1.0");
        assertThat(first.json().get("desc").asText()).isEqualTo("first");
        assertThat(first.json().get("package").asText()).isEqualTo("file");
        assertThat(first.json().get("published").asBoolean()).isFalse();
        assertThat(first.json().get("created").asText()).matches(DATE);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().get("ordinal").asInt()).isGreaterThan(first.json().get("ordinal").asInt());
        assertThat(texts(server.anonymous().get("/api/v1/packages/finn/tools/file").json().get("versions")))
                .containsExactly("1.1", "1.0");
    }

    @Test
    void createRejectsADuplicate() {
        // given
        server.createRepository("fiona", "tools");
        server.createPackage("fiona", "tools", "file");
        server.as("fiona").postJson("/api/v1/packages/fiona/tools/file/versions", "{\"name\": \"1.0\"}");
        // when
        var response = server.as("fiona").postJson("/api/v1/packages/fiona/tools/file/versions", "{\"name\": \"1.0\"}");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains("1.0");
    }

    @Test
    void createRejectsBadNamesAndDates() {
        // given
        server.createRepository("frank", "tools");
        server.createPackage("frank", "tools", "file");
        // when
        var badName = server.as("frank").postJson("/api/v1/packages/frank/tools/file/versions", "{\"name\": \"1.0 beta\"}");
        var noName = server.as("frank").postJson("/api/v1/packages/frank/tools/file/versions", "{\"desc\": \"x\"}");
        var badDate = server.as("frank").postJson("/api/v1/packages/frank/tools/file/versions",
                "{\"name\": \"1.0\", \"released\": \"yesterday\"}");
        // then
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.message()).contains("1.0 beta");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.message()).contains("name");
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(badDate.message()).contains("released").contains("yesterday");
        assertThat(server.anonymous().get("/api/v1/packages/frank/tools/file").json().get("versions")).isEmpty();
    }

    @Test
    void createIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("gero", "tools");
        server.createPackage("gero", "tools", "file");
        // when
        var outsider = server.as("gwen").postJson("/api/v1/packages/gero/tools/file/versions", "{\"name\": \"6.6\"}");
        var anonymous = server.anonymous().postJson("/api/v1/packages/gero/tools/file/versions", "{\"name\": \"6.6\"}");
        var unknown = server.as("gero").postJson("/api/v1/packages/gero/tools/nope/versions", "{\"name\": \"1.0\"}");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("nope");
        assertThat(server.anonymous().get("/api/v1/packages/gero/tools/file/versions/6.6").status()).isEqualTo(404);
    }

    @Test
    void snapshotVersionsAreRefusedInMavenRepositories() {
        // given
        server.createRepository("hans", "jars", "{\"type\": \"maven\"}");
        server.createPackage("hans", "jars", "lib");
        // when
        var created = server.as("hans").postJson("/api/v1/packages/hans/jars/lib/versions",
                "{\"name\": \"1.0-SNAPSHOT\"}");
        var uploaded = server.as("hans").put("/api/v1/content/hans/jars/lib/1.1-SNAPSHOT/lib-1.1-SNAPSHOT.jar", "jar");
        var lowerCase = server.as("hans").postJson("/api/v1/packages/hans/jars/lib/versions",
                "{\"name\": \"1.2-snapshot\"}");
        var release = server.as("hans").postJson("/api/v1/packages/hans/jars/lib/versions", "{\"name\": \"1.0\"}");
        // then
        assertThat(lowerCase.status()).isEqualTo(400);
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.message()).contains("SNAPSHOT");
        assertThat(uploaded.status()).isEqualTo(400);
        assertThat(uploaded.message()).contains("SNAPSHOT");
        assertThat(release.status()).isEqualTo(201);
        assertThat(texts(server.anonymous().get("/api/v1/packages/hans/jars/lib").json().get("versions")))
                .containsExactly("1.0");
    }

    @Test
    void snapshotVersionsAreAcceptedInGenericRepositories() {
        // given
        server.createRepository("heidi", "files");
        server.createPackage("heidi", "files", "lib");
        // when
        var response = server.as("heidi").postJson("/api/v1/packages/heidi/files/lib/versions",
                "{\"name\": \"1.0-SNAPSHOT\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
    }

    // --- Update Version ---------------------------------------------------------------------------

    @Test
    void updateChangesTheGivenFieldsOnly() {
        // given
        server.createRepository("ivo", "tools");
        server.createPackage("ivo", "tools", "file");
        server.as("ivo").postJson("/api/v1/packages/ivo/tools/file/versions",
                "{\"name\": \"1.0\", \"desc\": \"old\", \"vcs_tag\": \"v1.0\", \"released\": \"2019-01-01\"}");
        // when
        var response = server.as("ivo").patchJson("/api/v1/packages/ivo/tools/file/versions/1.0",
                "{\"desc\": \"new\", \"github_use_tag_release_notes\": true, \"released\": \"2019-07-07T12:00:00.000+02:00\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var version = server.as("ivo").get("/api/v1/packages/ivo/tools/file/versions/1.0").json();
        assertThat(version.get("desc").asText()).isEqualTo("new");
        assertThat(version.get("github_use_tag_release_notes").asBoolean()).isTrue();
        assertThat(version.get("released").asText()).isEqualTo("2019-07-07T10:00:00.000Z");
        assertThat(version.get("vcs_tag").asText()).isEqualTo("v1.0");
    }

    @Test
    void updateIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("jakob", "tools");
        server.createPackage("jakob", "tools", "file");
        server.as("jakob").postJson("/api/v1/packages/jakob/tools/file/versions", "{\"name\": \"1.0\"}");
        // when
        var outsider = server.as("jule").patchJson("/api/v1/packages/jakob/tools/file/versions/1.0", "{\"desc\": \"x\"}");
        var anonymous = server.anonymous().patchJson("/api/v1/packages/jakob/tools/file/versions/1.0", "{\"desc\": \"x\"}");
        var unknown = server.as("jakob").patchJson("/api/v1/packages/jakob/tools/file/versions/2.0", "{\"desc\": \"x\"}");
        var badDate = server.as("jakob").patchJson("/api/v1/packages/jakob/tools/file/versions/1.0",
                "{\"released\": \"07/07/2019\"}");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(badDate.message()).contains("released");
        assertThat(server.anonymous().get("/api/v1/packages/jakob/tools/file/versions/1.0").json().get("desc").isNull())
                .isTrue();
    }

    // --- Delete Version ---------------------------------------------------------------------------

    @Test
    void deleteRemovesTheVersionAndItsFiles() {
        // given
        server.createRepository("kim", "tools");
        server.createPackage("kim", "tools", "file");
        server.publishFile("kim", "tools", "file", "1.0", "kim-1.0.txt", "one");
        server.publishFile("kim", "tools", "file", "2.0", "kim-2.0.txt", "two");
        // when
        var response = server.as("kim").delete("/api/v1/packages/kim/tools/file/versions/2.0");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.message()).isEqualTo("success");
        assertThat(server.anonymous().get("/api/v1/packages/kim/tools/file/versions/2.0").status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/file_version/kim/tools/kim-2.0.txt").status()).isEqualTo(404);
        var pkg = server.anonymous().get("/api/v1/packages/kim/tools/file").json();
        assertThat(texts(pkg.get("versions"))).containsExactly("1.0");
        assertThat(pkg.get("latest_version").asText()).isEqualTo("1.0");
    }

    @Test
    void deleteIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("kurt", "tools");
        server.createPackage("kurt", "tools", "file");
        server.as("kurt").postJson("/api/v1/packages/kurt/tools/file/versions", "{\"name\": \"1.0\"}");
        // when
        var outsider = server.as("kira").delete("/api/v1/packages/kurt/tools/file/versions/1.0");
        var anonymous = server.anonymous().delete("/api/v1/packages/kurt/tools/file/versions/1.0");
        var unknown = server.as("kurt").delete("/api/v1/packages/kurt/tools/file/versions/2.0");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/packages/kurt/tools/file/versions/1.0").status()).isEqualTo(200);
    }

    // --- HEAD -------------------------------------------------------------------------------------

    @Test
    void headAnswers200ForAnExistingVersionAnd404Otherwise() {
        // given
        server.createRepository("lea", "tools");
        server.createPackage("lea", "tools", "file");
        server.as("lea").postJson("/api/v1/packages/lea/tools/file/versions", "{\"name\": \"1.0\"}");
        // when
        var present = server.anonymous().head("/api/v1/packages/lea/tools/file/versions/1.0");
        var absent = server.anonymous().head("/api/v1/packages/lea/tools/file/versions/2.0");
        var noLatest = server.anonymous().head("/api/v1/packages/lea/tools/file/versions/_latest");
        // then
        assertThat(present.status()).isEqualTo(200);
        assertThat(present.bytes()).isEmpty();
        assertThat(absent.status()).isEqualTo(404);
        assertThat(noLatest.status()).isEqualTo(404);
    }

    // --- Version for File -------------------------------------------------------------------------

    @Test
    void versionForFileAnswersTheVersionOfAPublishedFile() {
        // given
        server.createRepository("mia", "files");
        server.createPackage("mia", "files", "bundle");
        server.publishFile("mia", "files", "bundle", "3.1", "dist/3.1/bundle.zip", "zip");
        // when
        var response = server.anonymous().get("/api/v1/file_version/mia/files/dist/3.1/bundle.zip");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("name").asText()).isEqualTo("3.1");
        assertThat(response.json().get("package").asText()).isEqualTo("bundle");
        assertThat(response.json().get("repo").asText()).isEqualTo("files");
        assertThat(response.json().get("owner").asText()).isEqualTo("mia");
        assertThat(response.json().get("published").asBoolean()).isTrue();
    }

    @Test
    void versionForFileHidesUnpublishedAndUnknownFiles() {
        // given
        server.createRepository("milo", "files");
        server.createPackage("milo", "files", "draft");
        server.as("milo").put("/api/v1/content/milo/files/draft/0.1/draft-0.1.txt", "wip");
        // when
        var owner = server.as("milo").get("/api/v1/file_version/milo/files/draft-0.1.txt");
        var outsider = server.as("mats").get("/api/v1/file_version/milo/files/draft-0.1.txt");
        var unknown = server.anonymous().get("/api/v1/file_version/milo/files/none.txt");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(owner.json().get("name").asText()).isEqualTo("0.1");
        assertThat(owner.json().get("published").asBoolean()).isFalse();
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(unknown.status()).isEqualTo(404);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
