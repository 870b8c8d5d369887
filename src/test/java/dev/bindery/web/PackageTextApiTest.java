package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Readme and Release Notes as documented: Bintray or GitHub forms, read and publish rights, bad input. */
class PackageTextApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String PKG = "/api/v1/packages/rita/tools/saw";

    private static void givenPackage() {
        if (server.as("rita").get(PKG).status() == 200) {
            return;
        }
        server.createRepository("rita", "tools");
        server.createPackage("rita", "tools", "saw");
        server.publishFile("rita", "tools", "saw", "1.0", "saw-1.0.bin", "saw");
    }

    @Test
    void createsAndReadsAReadmeInEitherForm() {
        // given
        givenPackage();
        var rita = server.as("rita");
        assertThat(rita.get(PKG + "/readme").status()).isEqualTo(404);
        // when
        var created = rita.postJson(PKG + "/readme",
                "{\"bintray\": {\"syntax\": \"markdown\", \"content\": \"the quick brown fox\"}}");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        assertThat(created.json().get("package").asText()).isEqualTo("saw");
        assertThat(created.json().get("repo").asText()).isEqualTo("tools");
        assertThat(created.json().get("owner").asText()).isEqualTo("rita");
        assertThat(created.json().get("bintray").get("syntax").asText()).isEqualTo("markdown");
        assertThat(created.json().get("bintray").get("content").asText()).isEqualTo("the quick brown fox");
        assertThat(server.anonymous().get(PKG + "/readme").json()).isEqualTo(created.json());

        // when: replaced by a GitHub readme; the syntax defaults to markdown for Bintray ones
        var github = rita.postJson(PKG + "/readme", "{\"github\": {\"github_repo\": \"gh_user/repo\"}}");
        // then
        assertThat(github.status()).isEqualTo(200);
        assertThat(github.json().get("github").get("github_repo").asText()).isEqualTo("gh_user/repo");
        assertThat(github.json().has("bintray")).isFalse();
        assertThat(rita.get(PKG + "/readme").json().get("github").get("github_repo").asText())
                .isEqualTo("gh_user/repo");
        assertThat(rita.postJson(PKG + "/readme", "{\"bintray\": {\"content\": \"plain\"}}").json()
                .get("bintray").get("syntax").asText()).isEqualTo("markdown");
        assertThat(rita.delete(PKG + "/readme").status()).isEqualTo(200);
        assertThat(rita.get(PKG + "/readme").status()).isEqualTo(404);
    }

    @Test
    void keepsPackageAndVersionReleaseNotesApart() {
        // given
        givenPackage();
        var rita = server.as("rita");
        // when
        var pkg = rita.postJson(PKG + "/release_notes", "{\"github\": {\"github_repo\": \"gh_user/repo\","
                + " \"github_release_notes_file\": \"1.2/release_notes.md\"}}");
        var version = rita.postJson(PKG + "/versions/1.0/release_notes",
                "{\"bintray\": {\"syntax\": \"plain_text\", \"content\": \"Fixed the teeth.\"}}");
        // then
        assertThat(pkg.status()).as("%s", pkg).isEqualTo(200);
        assertThat(pkg.json().get("github").get("github_release_notes_file").asText())
                .isEqualTo("1.2/release_notes.md");
        assertThat(version.status()).as("%s", version).isEqualTo(200);
        assertThat(version.json().get("version").asText()).isEqualTo("1.0");
        assertThat(server.anonymous().get(PKG + "/versions/1.0/release_notes").json().get("bintray")
                .get("content").asText()).isEqualTo("Fixed the teeth.");
        assertThat(server.anonymous().get(PKG + "/release_notes").json().get("github").get("github_repo").asText())
                .isEqualTo("gh_user/repo");
        assertThat(rita.delete(PKG + "/release_notes").status()).isEqualTo(200);
        assertThat(rita.get(PKG + "/release_notes").status()).isEqualTo(404);
        assertThat(rita.get(PKG + "/versions/1.0/release_notes").status()).as("the version's stay").isEqualTo(200);
        assertThat(rita.get(PKG + "/versions/9.9/release_notes").status()).isEqualTo(404);
    }

    @Test
    void refusesStrangersAndBadBodies() {
        // given
        givenPackage();
        var rita = server.as("rita");
        var body = "{\"bintray\": {\"content\": \"x\"}}";
        // then
        assertThat(server.anonymous().postJson(PKG + "/readme", body).status()).isEqualTo(401);
        assertThat(server.as("stranger").postJson(PKG + "/readme", body).status()).isEqualTo(403);
        assertThat(server.as("stranger").delete(PKG + "/release_notes").status()).isEqualTo(403);
        assertThat(rita.postJson(PKG + "/readme", "{}").status()).isEqualTo(400);
        assertThat(rita.postJson(PKG + "/readme", "{\"bintray\": {\"content\": \"x\"}, \"github\":"
                + " {\"github_repo\": \"a/b\"}}").status()).isEqualTo(400);
        assertThat(rita.postJson(PKG + "/readme", "{\"bintray\": {\"syntax\": \"rtf\", \"content\": \"x\"}}")
                .message()).contains("syntax");
        assertThat(rita.postJson(PKG + "/readme", "{\"bintray\": {\"syntax\": \"markdown\"}}").message())
                .contains("content");
        assertThat(rita.postJson(PKG + "/readme", "{\"github\": {\"github_repo\": \"no slash\"}}").message())
                .contains("github_repo");
        assertThat(rita.postJson(PKG + "/release_notes", "{\"github\": {\"github_repo\": \"a/b\","
                + " \"github_release_notes_file\": \"../etc/passwd\"}}").status()).isEqualTo(400);
        assertThat(rita.postJson("/api/v1/packages/rita/tools/nope/readme", body).status()).isEqualTo(404);
        assertThat(rita.postJson(PKG + "/readme", "").status()).isEqualTo(400);
    }

    @Test
    void productReadmeGoesToEachOfItsPackagesAllOrNone() {
        // given: a product of two packages, and a package outside it
        givenPackage();
        assertThat(server.as("rita").get(PKG + "/readme").status()).isEqualTo(404);
        var rita = server.as("rita");
        server.createPackage("rita", "tools", "plane");
        server.createPackage("rita", "tools", "level");
        server.createPackage("rita", "tools", "vise");
        assertThat(rita.postJson("/api/v1/products/rita",
                "{\"name\": \"workshop\", \"packages\": [\"tools/level\", \"tools/plane\"]}").status()).isEqualTo(201);
        var readme = "{\"bintray\": {\"syntax\": \"plain_text\", \"content\": \"Tools for the workshop\"}}";
        // when: someone without publish rights, and a bad body
        var stranger = server.as("sven").postJson("/api/v1/products/rita/workshop/readme", readme);
        var bad = rita.postJson("/api/v1/products/rita/workshop/readme", "{\"bintray\": {\"syntax\": \"rtf\"}}");
        // then: refused, and no package got a readme
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(rita.get("/api/v1/packages/rita/tools/plane/readme").status()).isEqualTo(404);
        // when
        var created = rita.postJson("/api/v1/products/rita/workshop/readme", readme);
        // then: both packages have it, the one outside the product does not
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        assertThat(created.json().get("product").asText()).isEqualTo("workshop");
        assertThat(created.json().get("packages")).hasSize(2);
        for (var pkg : new String[] {"level", "plane"}) {
            var got = server.anonymous().get("/api/v1/packages/rita/tools/" + pkg + "/readme");
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.json().get("bintray").get("content").asText()).isEqualTo("Tools for the workshop");
            assertThat(got.json().get("bintray").get("syntax").asText()).isEqualTo("plain_text");
        }
        assertThat(rita.get("/api/v1/packages/rita/tools/vise/readme").status()).isEqualTo(404);
        // when: deleted
        assertThat(server.as("sven").delete("/api/v1/products/rita/workshop/readme").status()).isEqualTo(403);
        var deleted = rita.delete("/api/v1/products/rita/workshop/readme");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(rita.get("/api/v1/packages/rita/tools/level/readme").status()).isEqualTo(404);
        assertThat(rita.get("/api/v1/packages/rita/tools/plane/readme").status()).isEqualTo(404);
        assertThat(rita.postJson("/api/v1/products/rita/no-such-product/readme", readme).status()).isEqualTo(404);
    }
}
