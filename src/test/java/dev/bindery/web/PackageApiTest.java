package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Packages: Get Packages, Get/Create/Update/Delete Package, Package Search, Package for File, OSS licenses. */
class PackageApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";

    // --- Get Packages -----------------------------------------------------------------------------

    @Test
    void listGivesAnonymousCallersAtMostFiftyPackagesPerPage() {
        // given: 55 packages
        server.createRepository("paula", "many");
        for (int i = 0; i < 55; i++) {
            server.createPackage("paula", "many", "pkg-%02d".formatted(i));
        }
        // when
        var first = server.anonymous().get("/api/v1/repos/paula/many/packages");
        var second = server.anonymous().get("/api/v1/repos/paula/many/packages?start_pos=50");
        // then
        assertThat(first.status()).isEqualTo(200);
        assertThat(names(first.json())).hasSize(50).startsWith("pkg-00").endsWith("pkg-49");
        assertThat(first.header("X-RangeLimit-Total")).isEqualTo("55");
        assertThat(first.header("X-RangeLimit-StartPos")).isEqualTo("0");
        assertThat(first.header("X-RangeLimit-EndPos")).isEqualTo("49");
        assertThat(first.json().get(0).get("linked").asBoolean()).isFalse();
        assertThat(fieldNames(first.json().get(0))).containsExactlyInAnyOrder("name", "linked");
        assertThat(names(second.json())).containsExactly("pkg-50", "pkg-51", "pkg-52", "pkg-53", "pkg-54");
        assertThat(second.header("X-RangeLimit-Total")).isEqualTo("55");
        assertThat(second.header("X-RangeLimit-StartPos")).isEqualTo("50");
        assertThat(second.header("X-RangeLimit-EndPos")).isEqualTo("54");
    }

    @Test
    void listGivesAuthenticatedCallersEverythingFromTheStartPosition() {
        // given: 55 packages
        server.createRepository("peer", "many");
        for (int i = 0; i < 55; i++) {
            server.createPackage("peer", "many", "lib-%02d".formatted(i));
        }
        // when
        var all = server.as("pablo").get("/api/v1/repos/peer/many/packages");
        var fromTen = server.as("pablo").get("/api/v1/repos/peer/many/packages?start_pos=10");
        // then
        assertThat(names(all.json())).hasSize(55).endsWith("lib-54");
        assertThat(all.header("X-RangeLimit-EndPos")).isEqualTo("54");
        assertThat(names(fromTen.json())).hasSize(45).startsWith("lib-10");
        assertThat(fromTen.header("X-RangeLimit-StartPos")).isEqualTo("10");
    }

    @Test
    void listFiltersByNamePrefix() {
        // given
        server.createRepository("petra", "mixed");
        for (var name : List.of("core", "core-api", "corner", "extra", "x_core")) {
            server.createPackage("petra", "mixed", name);
        }
        // when
        var response = server.anonymous().get("/api/v1/repos/petra/mixed/packages?start_name=core");
        var underscore = server.anonymous().get("/api/v1/repos/petra/mixed/packages?start_name=x_");
        var withPos = server.anonymous().get("/api/v1/repos/petra/mixed/packages?start_name=cor&start_pos=1");
        // then
        assertThat(names(response.json())).containsExactly("core", "core-api");
        assertThat(response.header("X-RangeLimit-Total")).isEqualTo("2");
        assertThat(names(underscore.json())).containsExactly("x_core");
        assertThat(names(withPos.json())).containsExactly("core-api", "corner");
        assertThat(withPos.header("X-RangeLimit-Total")).isEqualTo("3");
    }

    @Test
    void listRejectsANegativeOrNonNumericStartPosition() {
        // given
        server.createRepository("pius", "some");
        // when
        var negative = server.anonymous().get("/api/v1/repos/pius/some/packages?start_pos=-1");
        var text = server.anonymous().get("/api/v1/repos/pius/some/packages?start_pos=ten");
        // then
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.message()).contains("start_pos");
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.message()).contains("start_pos");
    }

    @Test
    void listOfPrivateRepositoryIsHiddenFromOutsiders() {
        // given
        server.createRepository("priya", "closed", PRIVATE);
        server.createPackage("priya", "closed", "secret");
        // when
        var owner = server.as("priya").get("/api/v1/repos/priya/closed/packages");
        var outsider = server.as("pedro").get("/api/v1/repos/priya/closed/packages");
        var anonymous = server.anonymous().get("/api/v1/repos/priya/closed/packages");
        // then
        assertThat(names(owner.json())).containsExactly("secret");
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
    }

    // --- Get Package ------------------------------------------------------------------------------

    @Test
    void getAnswersTheDocumentedFieldsToThePublisher() {
        // given: a package with one published version
        server.createRepository("gabi", "tools");
        var created = server.as("gabi").postJson("/api/v1/packages/gabi/tools", """
                {"name": "hammer", "desc": "Hits things", "labels": ["tool", "heavy"],
                 "licenses": ["Apache-2.0", "MIT"], "vcs_url": "https://example.com/hammer.git",
                 "website_url": "https://hammer.example.com", "issue_tracker_url": "https://example.com/issues",
                 "github_repo": "gabi/hammer", "github_release_notes_file": "RELEASE.txt",
                 "public_download_numbers": true, "public_stats": true}""");
        assertThat(created.status()).isEqualTo(201);
        server.publishFile("gabi", "tools", "hammer", "1.0", "hammer-1.0.txt", "bang");
        // when
        var response = server.as("gabi").get("/api/v1/packages/gabi/tools/hammer");
        // then
        assertThat(response.status()).isEqualTo(200);
        var pkg = response.json();
        assertThat(pkg.get("name").asText()).isEqualTo("hammer");
        assertThat(pkg.get("repo").asText()).isEqualTo("tools");
        assertThat(pkg.get("owner").asText()).isEqualTo("gabi");
        assertThat(pkg.get("desc").asText()).isEqualTo("Hits things");
        assertThat(texts(pkg.get("labels"))).containsExactly("tool", "heavy");
        assertThat(pkg.get("attribute_names").isArray()).isTrue();
        assertThat(texts(pkg.get("licenses"))).containsExactly("Apache-2.0", "MIT");
        assertThat(pkg.get("custom_licenses").isArray()).isTrue();
        assertThat(pkg.get("followers_count").isInt()).isTrue();
        assertThat(pkg.get("created").asText()).matches(DATE);
        assertThat(pkg.get("website_url").asText()).isEqualTo("https://hammer.example.com");
        assertThat(pkg.get("rating").isInt()).isTrue();
        assertThat(pkg.get("issue_tracker_url").asText()).isEqualTo("https://example.com/issues");
        assertThat(pkg.get("linked_to_repos").isArray()).isTrue();
        assertThat(pkg.get("github_repo").asText()).isEqualTo("gabi/hammer");
        assertThat(pkg.get("github_release_notes_file").asText()).isEqualTo("RELEASE.txt");
        assertThat(pkg.get("public_download_numbers").asBoolean()).isTrue();
        assertThat(pkg.get("public_stats").asBoolean()).isTrue();
        assertThat(pkg.get("permissions").isArray()).isTrue();
        assertThat(texts(pkg.get("versions"))).containsExactly("1.0");
        assertThat(pkg.get("latest_version").asText()).isEqualTo("1.0");
        assertThat(pkg.get("rating_count").isInt()).isTrue();
        assertThat(pkg.get("system_ids").isArray()).isTrue();
        assertThat(pkg.get("updated").asText()).matches(DATE);
        assertThat(pkg.get("vcs_url").asText()).isEqualTo("https://example.com/hammer.git");
        assertThat(pkg.has("attributes")).isFalse();
    }

    @Test
    void getHidesPublisherOnlyFieldsFromOthers() {
        // given
        server.createRepository("hilde", "tools");
        server.as("hilde").postJson("/api/v1/packages/hilde/tools", """
                {"name": "saw", "licenses": ["MIT"], "vcs_url": "https://example.com/saw.git",
                 "github_repo": "hilde/saw", "public_stats": true}""");
        // when
        var other = server.as("henry").get("/api/v1/packages/hilde/tools/saw");
        var anonymous = server.anonymous().get("/api/v1/packages/hilde/tools/saw");
        // then
        for (var response : List.of(other, anonymous)) {
            assertThat(response.status()).isEqualTo(200);
            var pkg = response.json();
            assertThat(pkg.get("name").asText()).isEqualTo("saw");
            assertThat(pkg.has("github_repo")).isFalse();
            assertThat(pkg.has("github_release_notes_file")).isFalse();
            assertThat(pkg.has("public_download_numbers")).isFalse();
            assertThat(pkg.has("public_stats")).isFalse();
            assertThat(pkg.get("vcs_url").asText()).isEqualTo("https://example.com/saw.git");
        }
    }

    @Test
    void getWithAttributeValuesReplacesAttributeNamesWithAttributes() {
        // given
        server.createRepository("ines", "tools");
        server.createPackage("ines", "tools", "drill");
        // when
        var response = server.anonymous().get("/api/v1/packages/ines/tools/drill?attribute_values=1");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().has("attribute_names")).isFalse();
        assertThat(response.json().get("attributes").isObject()).isTrue();
    }

    @Test
    void getOfUnknownPackageAnswers404() {
        // given
        server.createRepository("jan", "tools");
        // when
        var response = server.anonymous().get("/api/v1/packages/jan/tools/nope");
        var head = server.anonymous().head("/api/v1/packages/jan/tools/nope");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).isEqualTo("Package 'jan/tools/nope' was not found");
        assertThat(head.status()).isEqualTo(404);
    }

    @Test
    void packageInPrivateRepositoryIsHiddenFromOutsiders() {
        // given
        server.createRepository("jana", "closed", PRIVATE);
        server.createPackage("jana", "closed", "secret");
        // when
        var owner = server.as("jana").get("/api/v1/packages/jana/closed/secret");
        var outsider = server.as("jens").get("/api/v1/packages/jana/closed/secret");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(outsider.message()).doesNotContain("secret");
    }

    // --- Create Package ---------------------------------------------------------------------------

    @Test
    void createAcceptsLicensesFromTheOssLicenseList() {
        // given: a license from the list other than the usual ones
        server.createRepository("karl", "libs");
        var licenses = server.anonymous().get("/api/v1/licenses/oss_licenses").json();
        var license = licenses.get(licenses.size() / 2).get("name").asText();
        // when
        var response = server.as("karl").postJson("/api/v1/packages/karl/libs",
                "{\"name\": \"lib\", \"licenses\": [\"" + license + "\"], \"vcs_url\": \"https://example.com/lib.git\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(texts(response.json().get("licenses"))).containsExactly(license);
        assertThat(response.json().get("name").asText()).isEqualTo("lib");
        assertThat(response.json().get("owner").asText()).isEqualTo("karl");
        assertThat(response.json().get("versions")).isEmpty();
        assertThat(response.json().get("created").asText()).matches(DATE);
    }

    @Test
    void createRejectsALicenseNotInTheOssLicenseList() {
        // given
        server.createRepository("karla", "libs");
        // when
        var response = server.as("karla").postJson("/api/v1/packages/karla/libs",
                "{\"name\": \"lib\", \"licenses\": [\"Beerware-9\"], \"vcs_url\": \"https://example.com/lib.git\"}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("Beerware-9");
        assertThat(server.anonymous().get("/api/v1/packages/karla/libs/lib").status()).isEqualTo(404);
    }

    @Test
    void createInPublicRepositoryRequiresLicensesAndVcsUrl() {
        // given
        server.createRepository("lara", "oss");
        // when
        var noLicenses = server.as("lara").postJson("/api/v1/packages/lara/oss",
                "{\"name\": \"a\", \"vcs_url\": \"https://example.com/a.git\"}");
        var emptyLicenses = server.as("lara").postJson("/api/v1/packages/lara/oss",
                "{\"name\": \"b\", \"licenses\": [], \"vcs_url\": \"https://example.com/b.git\"}");
        var noVcsUrl = server.as("lara").postJson("/api/v1/packages/lara/oss",
                "{\"name\": \"c\", \"licenses\": [\"MIT\"]}");
        // then
        assertThat(noLicenses.status()).isEqualTo(400);
        assertThat(noLicenses.message()).contains("licenses");
        assertThat(emptyLicenses.status()).isEqualTo(400);
        assertThat(noVcsUrl.status()).isEqualTo(400);
        assertThat(noVcsUrl.message()).contains("vcs_url");
        assertThat(server.anonymous().get("/api/v1/repos/lara/oss/packages").json()).isEmpty();
    }

    @Test
    void createInPrivateRepositoryNeedsNeitherLicensesNorVcsUrl() {
        // given
        server.createRepository("leon", "inhouse", PRIVATE);
        // when
        var response = server.as("leon").postJson("/api/v1/packages/leon/inhouse", "{\"name\": \"internal\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("licenses")).isEmpty();
    }

    @Test
    void createRejectsADuplicate() {
        // given
        server.createRepository("mara", "libs");
        server.createPackage("mara", "libs", "twin");
        // when
        var response = server.as("mara").postJson("/api/v1/packages/mara/libs",
                "{\"name\": \"twin\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/twin.git\"}");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains("twin");
    }

    @Test
    void createRejectsAnInvalidOrMissingName() {
        // given
        server.createRepository("max", "libs");
        // when
        var invalid = server.as("max").postJson("/api/v1/packages/max/libs",
                "{\"name\": \"bad name\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}");
        var missing = server.as("max").postJson("/api/v1/packages/max/libs",
                "{\"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}");
        // then
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.message()).contains("bad name");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("name");
    }

    @Test
    void createIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("nora", "libs");
        server.createRepository("nora", "closed", PRIVATE);
        var body = "{\"name\": \"intruder\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}";
        // when
        var outsider = server.as("noah").postJson("/api/v1/packages/nora/libs", body);
        var hidden = server.as("noah").postJson("/api/v1/packages/nora/closed", body);
        var anonymous = server.anonymous().postJson("/api/v1/packages/nora/libs", body);
        var unknownRepo = server.as("nora").postJson("/api/v1/packages/nora/absent", body);
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknownRepo.status()).isEqualTo(404);
        assertThat(unknownRepo.message()).contains("nora/absent");
        assertThat(server.anonymous().get("/api/v1/repos/nora/libs/packages").json()).isEmpty();
    }

    // --- Update Package ---------------------------------------------------------------------------

    @Test
    void updateChangesTheGivenFieldsOnly() {
        // given
        server.createRepository("olga", "libs");
        server.as("olga").postJson("/api/v1/packages/olga/libs", """
                {"name": "widget", "desc": "old", "labels": ["a"], "licenses": ["MIT"],
                 "vcs_url": "https://example.com/widget.git", "website_url": "https://old.example.com"}""");
        // when
        var response = server.as("olga").patchJson("/api/v1/packages/olga/libs/widget",
                "{\"desc\": \"new\", \"labels\": [\"b\"], \"licenses\": [\"Apache-2.0\", \"MIT\"],"
                        + " \"github_repo\": \"olga/widget\"}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var pkg = server.as("olga").get("/api/v1/packages/olga/libs/widget").json();
        assertThat(pkg.get("desc").asText()).isEqualTo("new");
        assertThat(texts(pkg.get("labels"))).containsExactly("b");
        assertThat(texts(pkg.get("licenses"))).containsExactly("Apache-2.0", "MIT");
        assertThat(pkg.get("github_repo").asText()).isEqualTo("olga/widget");
        assertThat(pkg.get("website_url").asText()).isEqualTo("https://old.example.com");
        assertThat(pkg.get("vcs_url").asText()).isEqualTo("https://example.com/widget.git");
    }

    @Test
    void updateRejectsUnknownLicensesAndRemovingLicensesInPublicRepositories() {
        // given
        server.createRepository("oskar", "libs");
        server.createPackage("oskar", "libs", "gadget");
        // when
        var unknown = server.as("oskar").patchJson("/api/v1/packages/oskar/libs/gadget", "{\"licenses\": [\"Nope-1.0\"]}");
        var empty = server.as("oskar").patchJson("/api/v1/packages/oskar/libs/gadget", "{\"licenses\": []}");
        // then
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.message()).contains("Nope-1.0");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.message()).contains("licenses");
        assertThat(texts(server.anonymous().get("/api/v1/packages/oskar/libs/gadget").json().get("licenses")))
                .containsExactly("Apache-2.0");
    }

    @Test
    void updateIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("otto", "libs");
        server.createPackage("otto", "libs", "gizmo");
        // when
        var outsider = server.as("ole").patchJson("/api/v1/packages/otto/libs/gizmo", "{\"desc\": \"hacked\"}");
        var anonymous = server.anonymous().patchJson("/api/v1/packages/otto/libs/gizmo", "{\"desc\": \"hacked\"}");
        var unknown = server.as("otto").patchJson("/api/v1/packages/otto/libs/nope", "{\"desc\": \"x\"}");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/packages/otto/libs/gizmo").json().get("desc").isNull()).isTrue();
    }

    // --- Delete Package ---------------------------------------------------------------------------

    @Test
    void deleteRemovesThePackageWithItsVersionsAndFiles() {
        // given
        server.createRepository("rosa", "libs");
        server.createPackage("rosa", "libs", "doomed");
        server.publishFile("rosa", "libs", "doomed", "1.0", "doomed-1.0.txt", "bye");
        // when
        var response = server.as("rosa").delete("/api/v1/packages/rosa/libs/doomed");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.message()).isEqualTo("success");
        assertThat(server.anonymous().get("/api/v1/packages/rosa/libs/doomed").status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/file_package/rosa/libs/doomed-1.0.txt").status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/repos/rosa/libs").json().get("package_count").asInt()).isZero();
    }

    @Test
    void deleteIsForbiddenToOthersAndNeedsAuthentication() {
        // given
        server.createRepository("rolf", "libs");
        server.createPackage("rolf", "libs", "kept");
        // when
        var outsider = server.as("ronja").delete("/api/v1/packages/rolf/libs/kept");
        var anonymous = server.anonymous().delete("/api/v1/packages/rolf/libs/kept");
        var unknown = server.as("rolf").delete("/api/v1/packages/rolf/libs/never");
        // then
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.anonymous().get("/api/v1/packages/rolf/libs/kept").status()).isEqualTo(200);
    }

    // --- Package Search ---------------------------------------------------------------------------

    @Test
    void searchFindsPublicPackagesOnly() {
        // given: matching packages in a public and a private repository
        server.createRepository("sina", "public-libs");
        server.createRepository("sina", "private-libs", PRIVATE);
        server.createPackage("sina", "public-libs", "frobnicator");
        server.createPackage("sina", "private-libs", "frobnicator-secret");
        // when
        var anonymous = server.anonymous().get("/api/v1/search/packages?name=frobnic");
        var owner = server.as("sina").get("/api/v1/search/packages?name=frobnic");
        // then
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(names(anonymous.json())).containsExactly("frobnicator");
        var hit = anonymous.json().get(0);
        assertThat(hit.get("repo").asText()).isEqualTo("public-libs");
        assertThat(hit.get("owner").asText()).isEqualTo("sina");
        assertThat(hit.get("created").asText()).matches(DATE);
        assertThat(names(owner.json())).containsExactly("frobnicator");
    }

    @Test
    void searchCombinesCriteriaAndMatchesSubjectAndRepoExactly() {
        // given
        server.createRepository("sonja", "alpha");
        server.createRepository("sonja", "beta");
        server.as("sonja").postJson("/api/v1/packages/sonja/alpha", "{\"name\": \"quux-core\", \"desc\": \"fast parser\","
                + " \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/q.git\"}");
        server.as("sonja").postJson("/api/v1/packages/sonja/beta", "{\"name\": \"quux-extra\", \"desc\": \"slow parser\","
                + " \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/q.git\"}");
        // when
        var byNameAndDesc = server.anonymous().get("/api/v1/search/packages?name=quux&desc=FAST");
        var byRepo = server.anonymous().get("/api/v1/search/packages?subject=sonja&repo=beta");
        var bySubjectPrefix = server.anonymous().get("/api/v1/search/packages?subject=sonj");
        var byRepoPrefix = server.anonymous().get("/api/v1/search/packages?subject=sonja&repo=alp");
        // then
        assertThat(names(byNameAndDesc.json())).containsExactly("quux-core");
        assertThat(names(byRepo.json())).containsExactly("quux-extra");
        assertThat(bySubjectPrefix.json()).isEmpty();
        assertThat(byRepoPrefix.json()).isEmpty();
    }

    @Test
    void searchHidesPublisherOnlyFieldsFromOthers() {
        // given
        server.createRepository("sophie", "libs");
        server.as("sophie").postJson("/api/v1/packages/sophie/libs", "{\"name\": \"zonkifier\", \"github_repo\": \"s/z\","
                + " \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/z.git\"}");
        // when
        var anonymous = server.anonymous().get("/api/v1/search/packages?name=zonkifier");
        var owner = server.as("sophie").get("/api/v1/search/packages?name=zonkifier");
        // then
        assertThat(anonymous.json().get(0).has("github_repo")).isFalse();
        assertThat(owner.json().get(0).get("github_repo").asText()).isEqualTo("s/z");
    }

    @Test
    void searchRequiresAtLeastOneCriterion() {
        // when
        var response = server.anonymous().get("/api/v1/search/packages");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("name");
    }

    // --- Package for File -------------------------------------------------------------------------

    @Test
    void packageForFileAnswersThePackageOfAPublishedFile() {
        // given
        server.createRepository("tom", "files");
        server.createPackage("tom", "files", "bundle");
        server.publishFile("tom", "files", "bundle", "2.0", "dist/bundle-2.0.zip", "zip");
        // when
        var response = server.anonymous().get("/api/v1/file_package/tom/files/dist/bundle-2.0.zip");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("name").asText()).isEqualTo("bundle");
        assertThat(response.json().get("repo").asText()).isEqualTo("files");
        assertThat(response.json().get("owner").asText()).isEqualTo("tom");
        assertThat(texts(response.json().get("versions"))).containsExactly("2.0");
    }

    @Test
    void packageForFileHidesUnpublishedAndUnknownFiles() {
        // given: an unpublished file
        server.createRepository("tilda", "files");
        server.createPackage("tilda", "files", "draft");
        assertThat(server.as("tilda").put("/api/v1/content/tilda/files/draft/0.1/draft.txt", "wip").status())
                .isEqualTo(201);
        // when
        var owner = server.as("tilda").get("/api/v1/file_package/tilda/files/draft.txt");
        var anonymous = server.anonymous().get("/api/v1/file_package/tilda/files/draft.txt");
        var unknown = server.anonymous().get("/api/v1/file_package/tilda/files/nothing.txt");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(owner.json().get("name").asText()).isEqualTo("draft");
        assertThat(anonymous.status()).isEqualTo(404);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("nothing.txt");
    }

    // --- OSS licenses -----------------------------------------------------------------------------

    @Test
    void ossLicensesAreListedForAnonymousCallers() {
        // when
        var response = server.anonymous().get("/api/v1/licenses/oss_licenses");
        // then
        assertThat(response.status()).isEqualTo(200);
        var licenses = response.json();
        assertThat(licenses.size()).isGreaterThan(10);
        for (var license : licenses) {
            assertThat(fieldNames(license)).containsExactlyInAnyOrder("name", "longname", "url");
        }
        assertThat(names(licenses)).contains("Apache-2.0", "MIT", "GPL-3.0");
        var apache = find(licenses, "Apache-1.0");
        assertThat(apache.get("longname").asText()).isEqualTo("The Apache Software License, Version 1.0");
        assertThat(apache.get("url").asText()).isEqualTo("http://apache.org/licenses/LICENSE-1.0");
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static JsonNode find(JsonNode array, String name) {
        for (var node : array) {
            if (node.get("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError(name + " not in " + array);
    }

    private static List<String> names(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.get("name").asText()));
        return values;
    }

    private static List<String> texts(JsonNode array) {
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static List<String> fieldNames(JsonNode object) {
        var names = new ArrayList<String>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
