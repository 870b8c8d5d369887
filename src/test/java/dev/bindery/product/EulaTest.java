package dev.bindery.product;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EULAs of products, and "EULA-Protected Product Version download": an access key downloading a
 * protected version is refused until it accepts the EULA, on the page the refusal names or through
 * the API; the signed EULAs report who accepted what.
 */
class EulaTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String EULAS = "/api/v1/products/erin/suite/eulas";

    @BeforeAll
    static void seed() {
        // A public repository: access keys may read it without entitlements.
        server.createRepository("erin", "generic");
        server.createPackage("erin", "generic", "tool");
        server.createPackage("erin", "generic", "free");
        for (var version : List.of("1.0", "2.0", "3.0", "4.0")) {
            server.publishFile("erin", "generic", "tool", version, "tool/" + version + "/tool.txt", "tool " + version);
        }
        server.publishFile("erin", "generic", "free", "1.0", "free/1.0/free.txt", "free");
        var product = server.as("erin").postJson("/api/v1/products/erin",
                "{\"name\": \"suite\", \"packages\": [\"generic/tool\"]}");
        assertThat(product.status()).as("%s", product).isEqualTo(201);
        server.apiKey("oscar");
    }

    /** A new access key of erin: its username and password. */
    private static Client accessKey(String id) {
        var created = server.as("erin").postJson("/api/v1/users/erin/access_keys", "{\"id\": \"" + id + "\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return server.withCredentials(created.json().get("username").asText(),
                created.json().get("password").asText());
    }

    private static void createEula(String json) {
        var response = server.as("erin").postJson(EULAS, json);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
    }

    private static List<String> texts(JsonNode array) {
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static String acceptUrl(String version, String username) {
        return server.baseUrl() + "/erin/product/suite/" + version + "/accept_eula?username=" + username;
    }

    @Test
    void createsReadsUpdatesAndDeletesEulas() {
        // when
        var created = server.as("erin").postJson(EULAS, """
                {"name": "crud", "syntax": "plain_text", "content": "Be nice.", "default": false,
                 "versions": ["9.0", "9.1"]}""");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        var json = created.json();
        assertThat(json.get("name").asText()).isEqualTo("crud");
        assertThat(json.get("syntax").asText()).isEqualTo("plain_text");
        assertThat(json.get("content").asText()).isEqualTo("Be nice.");
        assertThat(texts(json.get("versions"))).containsExactly("9.0", "9.1");
        assertThat(json.get("created").asText()).endsWith("Z");

        // and: listed without content, read with it
        var list = server.as("erin").get(EULAS);
        assertThat(list.status()).isEqualTo(200);
        var listed = list.json().findParents("name").stream().filter(node -> node.get("name").asText().equals("crud"))
                .findFirst().orElseThrow();
        assertThat(listed.has("content")).isFalse();
        assertThat(texts(listed.get("versions"))).containsExactly("9.0", "9.1");
        assertThat(server.as("erin").get(EULAS + "/crud").json().get("content").asText()).isEqualTo("Be nice.");

        // when: updated
        var updated = server.as("erin").patchJson(EULAS + "/crud",
                "{\"syntax\": \"markdown\", \"content\": \"# Be nicer\", \"versions\": [\"9.2\"]}");
        // then
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        var read = server.as("erin").get(EULAS + "/crud").json();
        assertThat(read.get("syntax").asText()).isEqualTo("markdown");
        assertThat(read.get("content").asText()).isEqualTo("# Be nicer");
        assertThat(texts(read.get("versions"))).containsExactly("9.2");

        // when: deleted
        var deleted = server.as("erin").delete(EULAS + "/crud");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("deleted");
        assertThat(server.as("erin").get(EULAS + "/crud").status()).isEqualTo(404);
    }

    @Test
    void validatesEulas() {
        // when
        var badSyntax = server.as("erin").postJson(EULAS, "{\"name\": \"bad\", \"syntax\": \"html\"}");
        var noName = server.as("erin").postJson(EULAS, "{\"content\": \"x\"}");
        var emptyPatch = server.as("erin").postJson(EULAS, "{\"name\": \"empty-patch\"}");
        var patch = server.as("erin").patchJson(EULAS + "/empty-patch", "{}");
        var duplicate = server.as("erin").postJson(EULAS, "{\"name\": \"empty-patch\"}");
        // then
        assertThat(badSyntax.status()).isEqualTo(400);
        assertThat(badSyntax.message()).contains("syntax");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(emptyPatch.status()).isEqualTo(201);
        assertThat(emptyPatch.json().get("syntax").asText()).isEqualTo("markdown");
        assertThat(patch.status()).isEqualTo(400);
        assertThat(duplicate.status()).isEqualTo(409);
    }

    @Test
    void aVersionIsCoveredByOneEulaAndAProductHasOneDefault() {
        // given
        createEula("{\"name\": \"first-default\", \"default\": true, \"versions\": [\"7.0\"]}");
        // when
        var clash = server.as("erin").postJson(EULAS, "{\"name\": \"clash\", \"versions\": [\"7.0\"]}");
        createEula("{\"name\": \"second-default\", \"default\": true}");
        // then
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.message()).contains("7.0").contains("first-default");
        assertThat(server.as("erin").get(EULAS + "/first-default").json().get("default").asBoolean()).isFalse();
        assertThat(server.as("erin").get(EULAS + "/second-default").json().get("default").asBoolean()).isTrue();
        // cleanup: other tests expect no default EULA
        server.as("erin").delete(EULAS + "/first-default");
        server.as("erin").delete(EULAS + "/second-default");
    }

    @Test
    void onlyAdministratorsReadEulaContentAndManageEulas() {
        // given
        createEula("{\"name\": \"guarded\", \"content\": \"terms\"}");
        // when
        var outsiderList = server.as("oscar").get(EULAS);
        var outsiderRead = server.as("oscar").get(EULAS + "/guarded");
        var outsiderCreate = server.as("oscar").postJson(EULAS, "{\"name\": \"mine\"}");
        var anonymousCreate = server.anonymous().postJson(EULAS, "{\"name\": \"mine\"}");
        var anonymousRead = server.anonymous().get(EULAS + "/guarded");
        // then: the product's packages are public, so its EULA list is readable
        assertThat(outsiderList.status()).isEqualTo(200);
        assertThat(outsiderRead.status()).isEqualTo(403);
        assertThat(outsiderCreate.status()).isEqualTo(403);
        assertThat(anonymousCreate.status()).isEqualTo(401);
        assertThat(anonymousRead.status()).isEqualTo(401);
    }

    @Test
    void accessKeyMustAcceptTheEulaOnThePageBeforeDownloading() {
        // given: a EULA protecting 1.0, and an access key
        createEula("{\"name\": \"pro-eula\", \"syntax\": \"plain_text\", \"content\": \"You <must> agree.\","
                + " \"versions\": [\"1.0\"]}");
        var key = accessKey("key1");
        // when
        var refused = key.get("/dl/erin/generic/tool/1.0/tool.txt");
        // then
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).isEqualTo("To download the resource tool/1.0/tool.txt you need to accept its"
                + " EULA at: " + acceptUrl("1.0", "key1@erin"));

        // when: the key opens the page the message names
        var path = URI.create(acceptUrl("1.0", "key1@erin")).getRawPath() + "?username=key1@erin";
        var page = key.get(path);
        // then: it shows the EULA, escaped, and a form
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("You &lt;must&gt; agree.").contains("<form method=\"post\"");
        // and: before accepting, still refused
        assertThat(key.get("/dl/erin/generic/tool/1.0/tool.txt").status()).isEqualTo(403);

        // when: the key accepts
        var accepted = key.post(path);
        // then
        assertThat(accepted.status()).as("%s", accepted).isEqualTo(200);
        var download = key.get("/dl/erin/generic/tool/1.0/tool.txt");
        assertThat(download.status()).as("%s", download).isEqualTo(200);
        assertThat(download.body()).isEqualTo("tool 1.0");
        assertThat(key.head("/dl/erin/generic/tool/1.0/tool.txt").status()).isEqualTo(200);
    }

    @Test
    void thePageNeedsTheAccessKey() {
        // given
        createEula("{\"name\": \"page-eula\", \"versions\": [\"4.0\"]}");
        accessKey("key-page");
        var path = "/erin/product/suite/4.0/accept_eula?username=key-page@erin";
        // when
        var anonymous = server.anonymous().get(path);
        var user = server.as("oscar").post(path);
        var otherKey = accessKey("key-other").post(path);
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(user.status()).isEqualTo(403);
        assertThat(otherKey.status()).isEqualTo(403);
    }

    @Test
    void accessKeyMayAcceptThroughTheApi() {
        // given
        createEula("{\"name\": \"api-eula\", \"versions\": [\"2.0\"]}");
        var key = accessKey("key2");
        assertThat(key.get("/dl/erin/generic/tool/2.0/tool.txt").status()).isEqualTo(403);
        // when
        var wrongVersion = key.postJson(EULAS + "/api-eula/accept", "{\"version\": \"3.0\"}");
        var byUser = server.as("oscar").postJson(EULAS + "/api-eula/accept", "{\"version\": \"2.0\"}");
        var accepted = key.postJson(EULAS + "/api-eula/accept", "{\"version\": \"2.0\"}");
        // then
        assertThat(wrongVersion.status()).isEqualTo(400);
        assertThat(byUser.status()).isEqualTo(403);
        assertThat(accepted.status()).as("%s", accepted).isEqualTo(200);
        assertThat(texts(accepted.json().get("versions"))).containsExactly("2.0");
        assertThat(key.get("/dl/erin/generic/tool/2.0/tool.txt").status()).isEqualTo(200);
    }

    @Test
    void onlyAccessKeysAndOnlyProtectedVersionsAreHeldToEulas() {
        // given: 3.0 protected by a EULA nobody accepted yet
        createEula("{\"name\": \"only-3\", \"versions\": [\"3.0\"]}");
        var key = accessKey("key3");
        // when
        var anonymous = server.anonymous().get("/dl/erin/generic/tool/3.0/tool.txt");
        var user = server.as("oscar").get("/dl/erin/generic/tool/3.0/tool.txt");
        var notInProduct = key.get("/dl/erin/generic/free/1.0/free.txt");
        // then
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(user.status()).isEqualTo(200);
        assertThat(notInProduct.status()).isEqualTo(200);
        assertThat(key.get("/dl/erin/generic/tool/3.0/tool.txt").status()).isEqualTo(403);
    }

    @Test
    void reportsSignedEulasWithFilters() {
        // given: two keys accept one EULA, one of them another
        createEula("{\"name\": \"report-a\", \"versions\": [\"5.0\"]}");
        createEula("{\"name\": \"report-b\", \"versions\": [\"6.0\"]}");
        var alpha = accessKey("alpha");
        var beta = accessKey("beta");
        assertThat(alpha.postJson(EULAS + "/report-a/accept", "{\"version\": \"5.0\"}").status()).isEqualTo(200);
        assertThat(beta.postJson(EULAS + "/report-a/accept", "{\"version\": \"5.0\"}").status()).isEqualTo(200);
        assertThat(beta.postJson(EULAS + "/report-b/accept", "{}").status()).isEqualTo(400);
        assertThat(beta.postJson(EULAS + "/report-b/accept", "{\"version\": \"6.0\"}").status()).isEqualTo(200);

        // when
        var all = server.as("erin").get("/api/v1/products/erin/suite/signed_eulas?eula_name=report-a");
        var byUser = server.as("erin").get("/api/v1/products/erin/suite/signed_eulas?username=beta@erin");
        var allProducts = server.as("erin").get("/api/v1/products/erin/_all/signed_eulas?username=alpha@erin");
        var future = server.as("erin").get("/api/v1/products/erin/suite/signed_eulas?from=2999-01-01T00:00:00.000Z");
        var past = server.as("erin").get("/api/v1/products/erin/suite/signed_eulas?to=2000-01-01T00:00:00.000Z"
                + "&username=alpha@erin");
        var badDate = server.as("erin").get("/api/v1/products/erin/suite/signed_eulas?from=yesterday");
        var outsider = server.as("oscar").get("/api/v1/products/erin/suite/signed_eulas");
        var outsiderAll = server.as("oscar").get("/api/v1/products/erin/_all/signed_eulas");
        var anonymous = server.anonymous().get("/api/v1/products/erin/_all/signed_eulas");

        // then
        assertThat(all.status()).as("%s", all).isEqualTo(200);
        var signatures = all.json().get("suite");
        assertThat(signatures.findValuesAsText("username")).containsExactlyInAnyOrder("alpha@erin", "beta@erin");
        assertThat(signatures.findValuesAsText("eula_name")).containsOnly("report-a");
        var first = signatures.get(0);
        assertThat(first.get("product_version_name").asText()).isEqualTo("5.0");
        assertThat(first.get("date_signed").asText()).endsWith("Z");
        assertThat(first.size()).isEqualTo(4);
        assertThat(byUser.json().get("suite").findValuesAsText("eula_name"))
                .containsExactlyInAnyOrder("report-a", "report-b");
        assertThat(allProducts.json().get("suite").findValuesAsText("eula_name")).containsExactly("report-a");
        assertThat(future.json().get("suite")).isEmpty();
        assertThat(past.json().get("suite")).isEmpty();
        assertThat(badDate.status()).isEqualTo(400);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsiderAll.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void findsTheEulaOfAFilePath() {
        // given
        createEula("{\"name\": \"by-path\", \"content\": \"path terms\", \"versions\": [\"2.5\"]}");
        server.publishFile("erin", "generic", "tool", "2.5", "tool/2.5/tool.txt", "tool 2.5");
        // when
        var found = server.as("erin").get("/api/v1/file_eula/erin/generic/tool/2.5/tool.txt");
        var unprotected = server.as("erin").get("/api/v1/file_eula/erin/generic/free/1.0/free.txt");
        var outsider = server.as("oscar").get("/api/v1/file_eula/erin/generic/tool/2.5/tool.txt");
        // then
        assertThat(found.status()).as("%s", found).isEqualTo(200);
        assertThat(found.json().get("name").asText()).isEqualTo("by-path");
        assertThat(found.json().get("content").asText()).isEqualTo("path terms");
        assertThat(unprotected.status()).isEqualTo(404);
        assertThat(outsider.status()).isEqualTo(403);
    }

    @Test
    void entitledAccessKeyAcceptsTheEulaOfAPrivateRepository() {
        // given: a product of a private repository with a default EULA; one key entitled, one not
        server.createRepository("erin", "closed", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("erin", "closed", "secret-tool");
        server.publishFile("erin", "closed", "secret-tool", "1.0", "secret/1.0/secret.txt", "secret 1.0");
        assertThat(server.as("erin").postJson("/api/v1/products/erin",
                "{\"name\": \"closed-suite\", \"packages\": [\"closed/secret-tool\"]}").status()).isEqualTo(201);
        assertThat(server.as("erin").postJson("/api/v1/products/erin/closed-suite/eulas",
                "{\"name\": \"closed-terms\", \"default\": true}").status()).isEqualTo(201);
        var entitled = accessKey("entitled");
        var stranger = accessKey("stranger");
        var entitlement = server.as("erin").postJson("/api/v1/repos/erin/closed/entitlements",
                "{\"access\": \"r\", \"access_keys\": [\"entitled\"]}");
        assertThat(entitlement.status()).as("%s", entitlement).isEqualTo(201);
        // when
        var refused = entitled.get("/dl/erin/closed/secret/1.0/secret.txt");
        var hidden = stranger.get("/dl/erin/closed/secret/1.0/secret.txt");
        var product = entitled.get("/api/v1/products/erin/closed-suite");
        var strangerProduct = stranger.get("/api/v1/products/erin/closed-suite");
        var strangerAccepts = stranger.postJson("/api/v1/products/erin/closed-suite/eulas/closed-terms/accept",
                "{\"version\": \"1.0\"}");
        // then: the entitled key is asked to accept; the other one sees nothing
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).isEqualTo("To download the resource secret/1.0/secret.txt you need to accept"
                + " its EULA at: " + server.baseUrl()
                + "/erin/product/closed-suite/1.0/accept_eula?username=entitled@erin");
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(product.status()).isEqualTo(200);
        assertThat(strangerProduct.status()).isEqualTo(404);
        assertThat(strangerAccepts.status()).isEqualTo(404);

        // when: the entitled key accepts every version the EULA protects
        var accepted = entitled.postJson("/api/v1/products/erin/closed-suite/eulas/closed-terms/accept", "");
        // then
        assertThat(accepted.status()).as("%s", accepted).isEqualTo(200);
        assertThat(texts(accepted.json().get("versions"))).containsExactly("1.0");
        var download = entitled.get("/dl/erin/closed/secret/1.0/secret.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("secret 1.0");
    }

    @Test
    void aDefaultEulaProtectsVersionsNoOtherEulaNames() {
        // given: a second product with a default EULA
        server.createPackage("erin", "generic", "addon");
        server.publishFile("erin", "generic", "addon", "1.0", "addon/1.0/addon.txt", "addon");
        server.as("erin").postJson("/api/v1/products/erin",
                "{\"name\": \"addons\", \"packages\": [\"generic/addon\"]}");
        var created = server.as("erin").postJson("/api/v1/products/erin/addons/eulas",
                "{\"name\": \"standard\", \"default\": true}");
        assertThat(created.status()).isEqualTo(201);
        var key = accessKey("key-default");
        // when
        var refused = key.get("/dl/erin/generic/addon/1.0/addon.txt");
        // then
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).endsWith("/erin/product/addons/1.0/accept_eula?username=key-default@erin");

        // when: accepted for 1.0, and a new version is published
        assertThat(key.postJson("/api/v1/products/erin/addons/eulas/standard/accept", "{\"version\": \"1.0\"}")
                .status()).isEqualTo(200);
        server.publishFile("erin", "generic", "addon", "1.1", "addon/1.1/addon.txt", "addon 1.1");
        // then: acceptance is per version
        assertThat(key.get("/dl/erin/generic/addon/1.0/addon.txt").status()).isEqualTo(200);
        assertThat(key.get("/dl/erin/generic/addon/1.1/addon.txt").status()).isEqualTo(403);

        // when: the EULA is deleted, no version is protected any more
        server.as("erin").delete("/api/v1/products/erin/addons/eulas/standard");
        // then
        assertThat(key.get("/dl/erin/generic/addon/1.1/addon.txt").status()).isEqualTo(200);
    }
}
