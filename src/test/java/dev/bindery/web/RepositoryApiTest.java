package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Repositories: Get Repositories, Get/Create/Update/Delete Repository, HEAD, Repository Search. */
class RepositoryApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";

    // --- Get Repositories -------------------------------------------------------------------------

    @Test
    void listShowsPrivateRepositoriesOnlyToTheOwner() {
        // given
        server.createRepository("lena", "public-one");
        server.createRepository("lena", "private-one", PRIVATE);
        // when
        var owner = server.as("lena").get("/api/v1/repos/lena");
        var outsider = server.as("lars").get("/api/v1/repos/lena");
        var anonymous = server.anonymous().get("/api/v1/repos/lena");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(names(owner.json())).containsExactly("private-one", "public-one");
        assertThat(owner.json().get(0).get("owner").asText()).isEqualTo("lena");
        assertThat(fieldNames(owner.json().get(0))).containsExactlyInAnyOrder("name", "owner");
        assertThat(outsider.status()).isEqualTo(200);
        assertThat(names(outsider.json())).containsExactly("public-one");
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(names(anonymous.json())).containsExactly("public-one");
    }

    @Test
    void listOfUnknownSubjectAnswers404() {
        // when
        var response = server.as("lars").get("/api/v1/repos/ghost-subject");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("ghost-subject");
    }

    // --- Get Repository ---------------------------------------------------------------------------

    @Test
    void getAnswersTheDocumentedFields() {
        // given: a maven repository with two packages
        server.createRepository("greg", "jars", "{\"type\": \"maven\", \"desc\": \"Java things\","
                + " \"labels\": [\"java\", \"maven\"], \"business_unit\": \"bu1\"}");
        server.createPackage("greg", "jars", "one");
        server.createPackage("greg", "jars", "two");
        // when
        var response = server.anonymous().get("/api/v1/repos/greg/jars");
        // then
        assertThat(response.status()).isEqualTo(200);
        var repo = response.json();
        assertThat(repo.get("name").asText()).isEqualTo("jars");
        assertThat(repo.get("owner").asText()).isEqualTo("greg");
        assertThat(repo.get("type").asText()).isEqualTo("maven");
        assertThat(repo.get("private").asBoolean()).isFalse();
        assertThat(repo.get("private").isBoolean()).isTrue();
        assertThat(repo.get("premium").isBoolean()).isTrue();
        assertThat(repo.get("desc").asText()).isEqualTo("Java things");
        assertThat(texts(repo.get("labels"))).containsExactly("java", "maven");
        assertThat(repo.get("created").asText()).matches(DATE);
        assertThat(repo.get("package_count").asInt()).isEqualTo(2);
        assertThat(repo.get("business_unit").asText()).isEqualTo("bu1");
        assertThat(repo.get("gpg_sign_metadata").asBoolean()).isFalse();
        assertThat(repo.get("gpg_sign_files").asBoolean()).isFalse();
        assertThat(repo.get("gpg_use_owner_key").asBoolean()).isFalse();
        // "only if defined"
        assertThat(repo.has("version_update_max_days")).isFalse();
    }

    @Test
    void getShowsVersionUpdateMaxDaysWhenDefined() {
        // given
        server.createRepository("greta", "limited", "{\"type\": \"generic\", \"version_update_max_days\": 60}");
        // when
        var response = server.as("greta").get("/api/v1/repos/greta/limited");
        // then
        assertThat(response.json().get("version_update_max_days").asInt()).isEqualTo(60);
    }

    @Test
    void privateRepositoryIsVisibleToItsOwnerOnly() {
        // given
        server.createRepository("pia", "hidden", PRIVATE);
        // when
        var owner = server.as("pia").get("/api/v1/repos/pia/hidden");
        var admin = server.as("admin").get("/api/v1/repos/pia/hidden");
        var outsider = server.as("piet").get("/api/v1/repos/pia/hidden");
        var anonymous = server.anonymous().get("/api/v1/repos/pia/hidden");
        // then
        assertThat(owner.status()).isEqualTo(200);
        assertThat(owner.json().get("private").asBoolean()).isTrue();
        assertThat(admin.status()).isEqualTo(200);
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(outsider.message()).isEqualTo("Repository 'pia/hidden' was not found");
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void getOfUnknownRepositoryAnswers404() {
        // given
        server.apiKey("gus");
        // when
        var response = server.as("gus").get("/api/v1/repos/gus/nothing");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).isEqualTo("Repository 'gus/nothing' was not found");
    }

    @Test
    void headAnswers200ForAnExistingRepositoryAnd404Otherwise() {
        // given
        server.createRepository("hanna", "present");
        server.createRepository("hanna", "concealed", PRIVATE);
        // when
        var present = server.anonymous().head("/api/v1/repos/hanna/present");
        var absent = server.anonymous().head("/api/v1/repos/hanna/absent");
        var concealed = server.as("hector").head("/api/v1/repos/hanna/concealed");
        var own = server.as("hanna").head("/api/v1/repos/hanna/concealed");
        // then
        assertThat(present.status()).isEqualTo(200);
        assertThat(present.bytes()).isEmpty();
        assertThat(absent.status()).isEqualTo(404);
        assertThat(absent.bytes()).isEmpty();
        assertThat(concealed.status()).isEqualTo(404);
        assertThat(own.status()).isEqualTo(200);
    }

    // --- Create Repository ------------------------------------------------------------------------

    @Test
    void createAcceptsAllTenDocumentedTypes() {
        for (var type : List.of("maven", "debian", "conan", "rpm", "docker", "npm", "opkg", "nuget", "vagrant",
                "generic")) {
            // when
            var response = server.as("tina").postJson("/api/v1/repos/tina/" + type + "-repo",
                    "{\"name\": \"" + type + "-repo\", \"type\": \"" + type + "\"}");
            // then
            assertThat(response.status()).as(type).isEqualTo(201);
            assertThat(response.json().get("type").asText()).isEqualTo(type);
            assertThat(response.json().get("name").asText()).isEqualTo(type + "-repo");
            assertThat(response.json().get("owner").asText()).isEqualTo("tina");
            assertThat(response.json().get("package_count").asInt()).isZero();
            assertThat(response.json().get("created").asText()).matches(DATE);
        }
        assertThat(names(server.as("tina").get("/api/v1/repos/tina").json())).hasSize(10);
    }

    @Test
    void createWithoutBodyMakesAPublicGenericRepository() {
        // when
        var response = server.as("gina").post("/api/v1/repos/gina/plain");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("type").asText()).isEqualTo("generic");
        assertThat(response.json().get("private").asBoolean()).isFalse();
    }

    @Test
    void createRejectsAnUnknownType() {
        // when
        var response = server.as("uwe").postJson("/api/v1/repos/uwe/odd", "{\"type\": \"cargo\"}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("cargo").contains("maven").contains("generic");
        assertThat(server.as("uwe").get("/api/v1/repos/uwe/odd").status()).isEqualTo(404);
    }

    @Test
    void createStoresDebianDefaultCoordinates() {
        // when
        var response = server.as("dora").postJson("/api/v1/repos/dora/apt", "{\"type\": \"debian\","
                + " \"default_debian_architecture\": \"amd64\", \"default_debian_distribution\": \"jessie\","
                + " \"default_debian_component\": \"contrib\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        var repo = server.as("dora").get("/api/v1/repos/dora/apt").json();
        assertThat(repo.get("default_debian_architecture").asText()).isEqualTo("amd64");
        assertThat(repo.get("default_debian_distribution").asText()).isEqualTo("jessie");
        assertThat(repo.get("default_debian_component").asText()).isEqualTo("contrib");
    }

    @Test
    void createDefaultsTheDebianComponentToMain() {
        // when
        var response = server.as("dirk").postJson("/api/v1/repos/dirk/apt", "{\"type\": \"debian\","
                + " \"default_debian_architecture\": \"i386\", \"default_debian_distribution\": \"stretch\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        var repo = server.as("dirk").get("/api/v1/repos/dirk/apt").json();
        assertThat(repo.get("default_debian_distribution").asText()).isEqualTo("stretch");
        assertThat(repo.get("default_debian_component").asText()).isEqualTo("main");
    }

    @Test
    void createStoresRpmYumFields() {
        // when
        var response = server.as("rudi").postJson("/api/v1/repos/rudi/yum",
                "{\"type\": \"rpm\", \"yum_metadata_depth\": 3, \"yum_groups_file\": \"yumGroup.xml\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        var repo = server.as("rudi").get("/api/v1/repos/rudi/yum").json();
        assertThat(repo.get("yum_metadata_depth").asInt()).isEqualTo(3);
        assertThat(repo.get("yum_groups_file").asText()).isEqualTo("yumGroup.xml");
    }

    @Test
    void createRejectsANameThatDiffersFromThePath() {
        // when
        var response = server.as("nina").postJson("/api/v1/repos/nina/in-path", "{\"name\": \"in-body\"}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("in-body").contains("in-path");
        assertThat(server.as("nina").get("/api/v1/repos/nina/in-path").status()).isEqualTo(404);
        assertThat(server.as("nina").get("/api/v1/repos/nina/in-body").status()).isEqualTo(404);
    }

    @Test
    void createRejectsAnInvalidName() {
        // when
        var response = server.as("nils").postJson("/api/v1/repos/nils/.hidden", "{\"type\": \"generic\"}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains(".hidden");
    }

    @Test
    void createRejectsADuplicate() {
        // given
        server.createRepository("dana", "twice");
        // when
        var response = server.as("dana").postJson("/api/v1/repos/dana/twice", "{\"type\": \"maven\"}");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(response.message()).contains("dana/twice");
        assertThat(server.as("dana").get("/api/v1/repos/dana/twice").json().get("type").asText()).isEqualTo("generic");
    }

    @Test
    void createIsForbiddenForAnotherSubject() {
        // given
        server.apiKey("olaf");
        // when
        var response = server.as("mona").postJson("/api/v1/repos/olaf/intruder", "{\"type\": \"generic\"}");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("mona");
        assertThat(server.as("olaf").get("/api/v1/repos/olaf/intruder").status()).isEqualTo(404);
    }

    @Test
    void createRequiresAuthentication() {
        // given
        server.apiKey("arne");
        // when
        var response = server.anonymous().postJson("/api/v1/repos/arne/anon", "{\"type\": \"generic\"}");
        // then
        assertThat(response.status()).isEqualTo(401);
        assertThat(server.as("arne").get("/api/v1/repos/arne/anon").status()).isEqualTo(404);
    }

    @Test
    void createRejectsOwnerKeyTogetherWithBintrayKeySigning() {
        // when
        var files = server.as("gerd").postJson("/api/v1/repos/gerd/signed",
                "{\"type\": \"generic\", \"gpg_use_owner_key\": true, \"gpg_sign_files\": true}");
        var metadata = server.as("gerd").postJson("/api/v1/repos/gerd/signed",
                "{\"type\": \"generic\", \"gpg_use_owner_key\": true, \"gpg_sign_metadata\": true}");
        // then
        assertThat(files.status()).isEqualTo(400);
        assertThat(files.message()).contains("gpg_use_owner_key").contains("gpg_sign_files");
        assertThat(metadata.status()).isEqualTo(400);
        assertThat(server.as("gerd").get("/api/v1/repos/gerd/signed").status()).isEqualTo(404);
    }

    @Test
    void createStoresBintrayKeySigningFlags() {
        // when
        var response = server.as("gisela").postJson("/api/v1/repos/gisela/signed",
                "{\"type\": \"generic\", \"gpg_sign_files\": true, \"gpg_sign_metadata\": true}");
        // then
        assertThat(response.status()).isEqualTo(201);
        var repo = server.as("gisela").get("/api/v1/repos/gisela/signed").json();
        assertThat(repo.get("gpg_sign_files").asBoolean()).isTrue();
        assertThat(repo.get("gpg_sign_metadata").asBoolean()).isTrue();
        assertThat(repo.get("gpg_use_owner_key").asBoolean()).isFalse();
    }

    @Test
    void organizationOwnerCreatesRepositoriesForTheOrganization() {
        // given
        server.createOrg("acme-org", "alma");
        // when
        var owner = server.as("alma").postJson("/api/v1/repos/acme-org/releases", "{\"type\": \"generic\"}");
        var outsider = server.as("alwin").postJson("/api/v1/repos/acme-org/other", "{\"type\": \"generic\"}");
        // then
        assertThat(owner.status()).isEqualTo(201);
        assertThat(owner.json().get("owner").asText()).isEqualTo("acme-org");
        assertThat(outsider.status()).isEqualTo(403);
    }

    // --- Update Repository ------------------------------------------------------------------------

    @Test
    void updateChangesTheGivenFieldsOnly() {
        // given
        server.createRepository("ulla", "patched", "{\"type\": \"maven\", \"desc\": \"old\", \"labels\": [\"a\"],"
                + " \"business_unit\": \"bu\"}");
        // when
        var response = server.as("ulla").patchJson("/api/v1/repos/ulla/patched",
                "{\"desc\": \"new\", \"labels\": [\"b\", \"c\"], \"gpg_sign_metadata\": true,"
                        + " \"version_update_max_days\": 30}");
        // then
        assertThat(response.status()).isEqualTo(200);
        var repo = server.as("ulla").get("/api/v1/repos/ulla/patched").json();
        assertThat(repo.get("desc").asText()).isEqualTo("new");
        assertThat(texts(repo.get("labels"))).containsExactly("b", "c");
        assertThat(repo.get("gpg_sign_metadata").asBoolean()).isTrue();
        assertThat(repo.get("version_update_max_days").asInt()).isEqualTo(30);
        assertThat(repo.get("business_unit").asText()).isEqualTo("bu");
        assertThat(repo.get("type").asText()).isEqualTo("maven");
    }

    @Test
    void updateRejectsOwnerKeyTogetherWithBintrayKeySigning() {
        // given: a repository signing files with Bintray's key
        server.createRepository("udo", "signed", "{\"type\": \"generic\", \"gpg_sign_files\": true}");
        // when
        var response = server.as("udo").patchJson("/api/v1/repos/udo/signed", "{\"gpg_use_owner_key\": true}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("gpg_use_owner_key");
        assertThat(server.as("udo").get("/api/v1/repos/udo/signed").json().get("gpg_use_owner_key").asBoolean())
                .isFalse();
    }

    @Test
    void updateIsForbiddenToOthersAndHiddenForPrivateRepositories() {
        // given
        server.createRepository("vera", "open");
        server.createRepository("vera", "closed", PRIVATE);
        // when
        var forbidden = server.as("vince").patchJson("/api/v1/repos/vera/open", "{\"desc\": \"hacked\"}");
        var hidden = server.as("vince").patchJson("/api/v1/repos/vera/closed", "{\"desc\": \"hacked\"}");
        var anonymous = server.anonymous().patchJson("/api/v1/repos/vera/open", "{\"desc\": \"hacked\"}");
        var unknown = server.as("vera").patchJson("/api/v1/repos/vera/nope", "{\"desc\": \"x\"}");
        // then
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.as("vera").get("/api/v1/repos/vera/open").json().get("desc").isNull()).isTrue();
    }

    // --- Delete Repository ------------------------------------------------------------------------

    @Test
    void deleteRemovesTheRepositoryWithItsPackages() {
        // given
        server.createRepository("doris", "doomed");
        server.createPackage("doris", "doomed", "tool");
        // when
        var response = server.as("doris").delete("/api/v1/repos/doris/doomed");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.message()).isEqualTo("success");
        assertThat(server.as("doris").get("/api/v1/repos/doris/doomed").status()).isEqualTo(404);
        assertThat(server.as("doris").get("/api/v1/packages/doris/doomed/tool").status()).isEqualTo(404);
        // and the name is free again
        assertThat(server.as("doris").postJson("/api/v1/repos/doris/doomed", "{}").status()).isEqualTo(201);
    }

    @Test
    void deleteIsForbiddenToOthers() {
        // given
        server.createRepository("dieter", "kept");
        server.createRepository("dieter", "kept-private", PRIVATE);
        // when
        var forbidden = server.as("denise").delete("/api/v1/repos/dieter/kept");
        var hidden = server.as("denise").delete("/api/v1/repos/dieter/kept-private");
        var anonymous = server.anonymous().delete("/api/v1/repos/dieter/kept");
        var unknown = server.as("dieter").delete("/api/v1/repos/dieter/never");
        // then
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.as("dieter").get("/api/v1/repos/dieter").json()).hasSize(2);
    }

    // --- Repository Search ------------------------------------------------------------------------

    @Test
    void searchFindsPublicRepositoriesByNameOrDescription() {
        // given
        server.createRepository("sara", "quasar-libs", "{\"type\": \"maven\", \"desc\": \"plain\"}");
        server.createRepository("sara", "other", "{\"type\": \"generic\", \"desc\": \"All about QUASAR stuff\"}");
        server.createRepository("sara", "quasar-secret", "{\"type\": \"generic\", \"private\": true}");
        // when
        var byName = server.as("sven").get("/api/v1/search/repos?name=quasar");
        var byDesc = server.as("sven").get("/api/v1/search/repos?desc=quasar");
        var byOwner = server.as("sara").get("/api/v1/search/repos?name=quasar");
        // then: private repositories never show, not even to their owner
        assertThat(byName.status()).isEqualTo(200);
        assertThat(names(byName.json())).containsExactly("quasar-libs");
        assertThat(byName.json().get(0).get("owner").asText()).isEqualTo("sara");
        assertThat(byName.json().get(0).get("type").asText()).isEqualTo("maven");
        assertThat(byName.json().get(0).get("created").asText()).matches(DATE);
        assertThat(byName.json().get(0).has("package_count")).isTrue();
        assertThat(names(byDesc.json())).containsExactly("other");
        assertThat(names(byOwner.json())).containsExactly("quasar-libs");
    }

    @Test
    void searchCombinesNameAndDescription() {
        // given
        server.createRepository("selma", "zebra-one", "{\"type\": \"generic\", \"desc\": \"striped\"}");
        server.createRepository("selma", "zebra-two", "{\"type\": \"generic\", \"desc\": \"plain\"}");
        // when
        var response = server.as("selma").get("/api/v1/search/repos?name=zebra&desc=striped");
        // then
        assertThat(names(response.json())).containsExactly("zebra-one");
    }

    @Test
    void searchMatchesUnderscoreLiterally() {
        // given
        server.createRepository("selim", "snake_case", "{\"type\": \"generic\", \"desc\": \"100% pure\"}");
        server.createRepository("selim", "snakeXcase", "{\"type\": \"generic\", \"desc\": \"100 percent\"}");
        // when
        var byName = server.as("selim").get("/api/v1/search/repos?name=snake_c");
        var byDesc = server.as("selim").get("/api/v1/search/repos?name=snake&desc=100%25");
        // then
        assertThat(names(byName.json())).containsExactly("snake_case");
        assertThat(names(byDesc.json())).containsExactly("snake_case");
    }

    @Test
    void searchRequiresAuthentication() {
        // when
        var response = server.anonymous().get("/api/v1/search/repos?name=quasar");
        // then
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void searchRequiresNameOrDescription() {
        // when
        var none = server.as("sven").get("/api/v1/search/repos");
        var blank = server.as("sven").get("/api/v1/search/repos?name=&desc=");
        // then
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.message()).contains("name").contains("desc");
        assertThat(blank.status()).isEqualTo(400);
    }

    // --- helpers ----------------------------------------------------------------------------------

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
