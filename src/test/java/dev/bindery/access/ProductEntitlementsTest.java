package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Entitlements on product scopes (Bintray Enterprise): their API (read access only, no path, for
 * the subject's admins), what they open to access keys (the files of the product's packages, as the
 * product is now) and the search by product.
 */
class ProductEntitlementsTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";

    @BeforeAll
    static void seed() {
        server.createRepository("priya", "shelf", PRIVATE);
        server.createPackage("priya", "shelf", "app");
        server.createPackage("priya", "shelf", "lib");
        server.createPackage("priya", "shelf", "other");
        server.publishFile("priya", "shelf", "app", "1.0", "app/1.0/app.txt", "app one");
        server.publishFile("priya", "shelf", "lib", "1.0", "lib/1.0/lib.txt", "lib one");
        server.publishFile("priya", "shelf", "other", "1.0", "other/1.0/other.txt", "other one");
        server.apiKey("oscar");
    }

    private static Client priya() {
        return server.as("priya");
    }

    private static String products(String product) {
        return "/api/v1/products/priya/" + product;
    }

    private static void createProduct(String name, String... packages) {
        var json = new StringBuilder("{\"name\": \"" + name + "\", \"packages\": [");
        for (int i = 0; i < packages.length; i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(packages[i]).append('"');
        }
        var response = priya().postJson("/api/v1/products/priya", json.append("]}").toString());
        assertThat(response.status()).as("%s", response).isEqualTo(201);
    }

    /** A new access key of priya, as a client. */
    private static Client newKey(String keyId) {
        var response = priya().postJson("/api/v1/users/priya/access_keys", "{\"id\": \"" + keyId + "\"}");
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return server.withCredentials(keyId + "@priya", response.json().get("password").asText());
    }

    private static JsonNode entitle(String scope, String json) {
        var response = priya().postJson(scope + "/entitlements", json);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return response.json();
    }

    private static int download(Client client, String path) {
        return client.get("/dl/priya/shelf/" + path).status();
    }

    private static List<String> ids(JsonNode array) {
        var ids = new ArrayList<String>();
        array.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void productEntitlementOpensTheFilesOfTheProductsPackagesOnly() {
        // given
        createProduct("suite", "shelf/app");
        var key = newKey("suitereader");
        assertThat(download(key, "app/1.0/app.txt")).isEqualTo(404);
        // when
        entitle(products("suite"), "{\"access\": \"r\", \"access_keys\": [\"suitereader\"]}");
        // then
        var response = key.get("/dl/priya/shelf/app/1.0/app.txt");
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.body()).isEqualTo("app one");
        assertThat(download(key, "lib/1.0/lib.txt")).isIn(403, 404);
        assertThat(download(key, "other/1.0/other.txt")).isIn(403, 404);
        assertThat(key.put("/api/v1/content/priya/shelf/app/1.0/app/1.0/more.txt", "x").status()).isIn(403, 404);
        assertThat(key.delete("/api/v1/content/priya/shelf/app/1.0/app.txt").status()).isIn(403, 404);
        assertThat(download(priya(), "app/1.0/app.txt")).isEqualTo(200);
    }

    @Test
    void productEntitlementFollowsTheProductsPackagesAndGoesWithIt() {
        // given
        createProduct("growing", "shelf/app");
        var key = newKey("grower");
        entitle(products("growing"), "{\"access\": \"r\", \"access_keys\": [\"grower\"]}");
        assertThat(download(key, "lib/1.0/lib.txt")).isEqualTo(404);
        // when: a package is added to the product
        var patched = priya().patchJson(products("growing"), "{\"packages\": [\"shelf/app\", \"shelf/lib\"]}");
        // then
        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        assertThat(download(key, "lib/1.0/lib.txt")).isEqualTo(200);
        assertThat(download(key, "other/1.0/other.txt")).isEqualTo(404);
        // when: the product is deleted
        assertThat(priya().delete(products("growing")).status()).isEqualTo(200);
        // then
        assertThat(download(key, "app/1.0/app.txt")).isEqualTo(404);
        assertThat(download(key, "lib/1.0/lib.txt")).isEqualTo(404);
    }

    @Test
    void productEntitlementsAreReadOnlyAndHaveNoPath() {
        // given
        createProduct("strict", "shelf/app");
        newKey("strictkey");
        // when
        var readWrite = priya().postJson(products("strict") + "/entitlements",
                "{\"access\": \"rw\", \"access_keys\": [\"strictkey\"]}");
        var withPath = priya().postJson(products("strict") + "/entitlements",
                "{\"access\": \"r\", \"path\": \"app\", \"access_keys\": [\"strictkey\"]}");
        var noAccess = priya().postJson(products("strict") + "/entitlements",
                "{\"id\": \"implicit\", \"access_keys\": [\"strictkey\"]}");
        var patchToReadWrite = priya().patchJson(products("strict") + "/entitlements/implicit", "{\"access\": \"rw\"}");
        // then
        assertThat(readWrite.status()).as("%s", readWrite).isEqualTo(400);
        assertThat(readWrite.json().get("message").asText()).contains("'r'");
        assertThat(withPath.status()).as("%s", withPath).isEqualTo(400);
        assertThat(noAccess.status()).as("%s", noAccess).isEqualTo(201);
        assertThat(noAccess.json().get("access").asText()).isEqualTo("r");
        assertThat(patchToReadWrite.status()).as("%s", patchToReadWrite).isEqualTo(400);
        assertThat(priya().get(products("strict") + "/entitlements/implicit").json().get("access").asText())
                .isEqualTo("r");
    }

    @Test
    void managesProductEntitlementsWithTheDocumentedShapes() {
        // given
        createProduct("crud", "shelf/app");
        newKey("crudone");
        newKey("crudtwo");
        var scope = products("crud") + "/entitlements";
        // when
        var created = entitle(products("crud"),
                "{\"id\": \"crud-ent\", \"access\": \"r\", \"access_keys\": [\"crudone\"], \"tags\": [\"t1\"]}");
        var list = priya().get(scope);
        var one = priya().get(scope + "/crud-ent");
        var updated = priya().patchJson(scope + "/crud-ent",
                "{\"access_keys_add\": [\"crudtwo\"], \"tags_add\": [\"t2\"], \"tags_remove\": [\"t1\"]}");
        var deleted = priya().delete(scope + "/crud-ent");
        // then
        assertThat(created.get("id").asText()).isEqualTo("crud-ent");
        assertThat(created.get("access").asText()).isEqualTo("r");
        assertThat(created.has("path")).isFalse();
        assertThat(created.get("access_keys").toString()).isEqualTo("[\"crudone\"]");
        assertThat(created.get("tags").toString()).isEqualTo("[\"t1\"]");
        assertThat(list.status()).isEqualTo(200);
        assertThat(ids(list.json())).containsExactly("crud-ent");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json()).isEqualTo(created);
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("access_keys").toString()).isEqualTo("[\"crudone\",\"crudtwo\"]");
        assertThat(updated.json().get("tags").toString()).isEqualTo("[\"t2\"]");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("success");
        assertThat(priya().get(scope + "/crud-ent").status()).isEqualTo(404);
        assertThat(priya().get(scope).json()).isEmpty();
    }

    @Test
    void productEntitlementsAreForTheSubjectsAdminsOfExistingProducts() {
        // given
        createProduct("guarded", "shelf/app");
        var scope = products("guarded") + "/entitlements";
        var key = newKey("guardkey");
        // when
        var anonymous = server.anonymous().get(scope);
        var outsider = server.as("oscar").get(scope);
        var outsiderCreate = server.as("oscar").postJson(scope, "{\"access\": \"r\"}");
        var accessKey = key.get(scope);
        var missing = priya().get(products("nosuch") + "/entitlements");
        var missingCreate = priya().postJson(products("nosuch") + "/entitlements", "{\"access\": \"r\"}");
        var missingOne = priya().get(scope + "/nosuch");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(outsiderCreate.status()).isEqualTo(403);
        assertThat(accessKey.status()).isIn(401, 403);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missingCreate.status()).isEqualTo(404);
        assertThat(missingOne.status()).isEqualTo(404);
    }

    @Test
    void searchesTheEntitlementsOfAProduct() {
        // given: a tagged entitlement on the product, on one of its packages and on the repository
        createProduct("found", "shelf/lib");
        newKey("seeker");
        entitle(products("found"), "{\"id\": \"on-product\", \"access\": \"r\", \"access_keys\": [\"seeker\"],"
                + " \"tags\": [\"find\"]}");
        entitle("/api/v1/packages/priya/shelf/lib", "{\"id\": \"on-lib\", \"access\": \"r\","
                + " \"access_keys\": [\"seeker\"], \"tags\": [\"find\"]}");
        entitle("/api/v1/repos/priya/shelf", "{\"id\": \"on-shelf\", \"access\": \"r\","
                + " \"access_keys\": [\"seeker\"], \"tags\": [\"find\"]}");
        var search = "/api/v1/search/entitlements?scope=priya&product=found";
        // when
        var byTag = priya().get(search + "&tag=find");
        var byKey = priya().get(search + "&access_key=seeker");
        var deep = priya().get(search + "&tag=find&deep=true");
        var subjectOnly = priya().get("/api/v1/search/entitlements?scope=priya&tag=find");
        var subjectDeep = priya().get("/api/v1/search/entitlements?scope=priya&tag=find&deep=true");
        var withRepo = priya().get("/api/v1/search/entitlements?scope=priya/shelf&product=found&tag=find");
        var unknown = priya().get("/api/v1/search/entitlements?scope=priya&product=nosuch&tag=find");
        var outsider = server.as("oscar").get(search + "&tag=find");
        // then
        assertThat(byTag.status()).as("%s", byTag).isEqualTo(200);
        assertThat(ids(byTag.json())).containsExactly("on-product");
        var found = byTag.json().get(0);
        assertThat(found.get("product").asText()).isEqualTo("found");
        assertThat(found.has("repo")).isFalse();
        assertThat(found.get("access").asText()).isEqualTo("r");
        assertThat(found.get("access_keys").toString()).isEqualTo("[\"seeker\"]");
        assertThat(ids(byKey.json())).containsExactly("on-product");
        assertThat(ids(deep.json())).containsExactlyInAnyOrder("on-product", "on-lib");
        assertThat(ids(subjectOnly.json())).containsExactly("on-shelf");
        assertThat(ids(subjectDeep.json())).containsExactlyInAnyOrder("on-product", "on-lib", "on-shelf");
        assertThat(withRepo.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(outsider.status()).isEqualTo(403);
    }
}
