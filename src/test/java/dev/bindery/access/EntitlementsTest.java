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
 * Entitlements on repository (with and without a path), package and version scopes: their API,
 * and what they open to access keys in a private repository (downloads, uploads, deletes).
 */
class EntitlementsTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";
    private static final String REPO = "/api/v1/repos/olga/vault";

    @BeforeAll
    static void seed() {
        server.createRepository("olga", "vault", PRIVATE);
        server.createPackage("olga", "vault", "alpha");
        server.createPackage("olga", "vault", "beta");
        server.publishFile("olga", "vault", "alpha", "1.0", "alpha/1.0/a1.txt", "alpha one");
        server.publishFile("olga", "vault", "alpha", "2.0", "alpha/2.0/a2.txt", "alpha two");
        server.publishFile("olga", "vault", "beta", "1.0", "docs/b1.txt", "beta docs");
        server.publishFile("olga", "vault", "beta", "1.0", "docs/sub/b2.txt", "beta deeper");
        server.publishFile("olga", "vault", "beta", "1.0", "docsx/b3.txt", "beta sibling");
    }

    private static Client olga() {
        return server.as("olga");
    }

    /** A new access key of olga, as a client. */
    private static Client newKey(String keyId) {
        var response = olga().postJson("/api/v1/users/olga/access_keys", "{\"id\": \"" + keyId + "\"}");
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return server.withCredentials(keyId + "@olga", response.json().get("password").asText());
    }

    private static JsonNode entitle(String scope, String json) {
        var response = olga().postJson(scope + "/entitlements", json);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        return response.json();
    }

    private static int download(Client client, String path) {
        return client.get("/dl/olga/vault/" + path).status();
    }

    private static List<String> ids(JsonNode array) {
        var ids = new ArrayList<String>();
        array.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void readEntitlementOnRepositoryOpensEveryFileForDownloadOnly() {
        // given
        var key = newKey("reader");
        assertThat(download(server.anonymous(), "alpha/1.0/a1.txt")).isEqualTo(401);
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(404);
        // when
        entitle(REPO, "{\"access\": \"r\", \"access_keys\": [\"reader\"]}");
        // then
        var response = key.get("/dl/olga/vault/alpha/1.0/a1.txt");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("alpha one");
        assertThat(download(key, "docsx/b3.txt")).isEqualTo(200);
        assertThat(key.put("/api/v1/content/olga/vault/alpha/1.0/alpha/1.0/r.txt", "x").status()).isEqualTo(403);
        assertThat(key.delete("/api/v1/content/olga/vault/alpha/1.0/a1.txt").status()).isEqualTo(403);
    }

    @Test
    void readWriteEntitlementOnRepositoryUploadsAndDeletes() {
        // given
        var key = newKey("writer");
        entitle(REPO, "{\"access\": \"rw\", \"access_keys\": [\"writer\"]}");
        // when
        var upload = key.put("/api/v1/content/olga/vault/alpha/3.0/alpha/3.0/a3.txt?publish=1", "alpha three");
        // then
        assertThat(upload.status()).as("%s", upload).isEqualTo(201);
        assertThat(key.get("/dl/olga/vault/alpha/3.0/a3.txt").body()).isEqualTo("alpha three");
        assertThat(key.delete("/api/v1/content/olga/vault/alpha/3.0/a3.txt").status()).isEqualTo(200);
        assertThat(download(olga(), "alpha/3.0/a3.txt")).isEqualTo(404);
    }

    @Test
    void packageEntitlementOpensOnlyThatPackage() {
        // given
        var key = newKey("alphaonly");
        // when
        entitle("/api/v1/packages/olga/vault/alpha", "{\"access\": \"rw\", \"access_keys\": [\"alphaonly\"]}");
        // then
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(200);
        assertThat(download(key, "alpha/2.0/a2.txt")).isEqualTo(200);
        assertThat(download(key, "docs/b1.txt")).isEqualTo(404);
        var upload = key.put("/api/v1/content/olga/vault/alpha/2.0/alpha/2.0/extra.txt?publish=1", "extra");
        assertThat(upload.status()).as("%s", upload).isEqualTo(201);
        assertThat(key.delete("/api/v1/content/olga/vault/alpha/2.0/extra.txt").status()).isEqualTo(200);
        assertThat(key.put("/api/v1/content/olga/vault/beta/1.0/docs/evil.txt", "evil").status()).isIn(403, 404);
        assertThat(key.delete("/api/v1/content/olga/vault/docs/b1.txt").status()).isIn(403, 404);
        assertThat(download(olga(), "docs/b1.txt")).isEqualTo(200);
    }

    @Test
    void readWriteEntitlementsPublishAndUploadWithinTheirScopeOnly() {
        // given: one key for package alpha, one for the folder uploads/
        var packageKey = newKey("alphapublisher");
        var pathKey = newKey("uploader");
        entitle("/api/v1/packages/olga/vault/alpha", "{\"access\": \"rw\", \"access_keys\": [\"alphapublisher\"]}");
        entitle(REPO, "{\"access\": \"rw\", \"access_keys\": [\"uploader\"], \"path\": \"uploads\"}");
        // when: an unpublished upload, then the publish call
        var upload = packageKey.put("/api/v1/content/olga/vault/alpha/4.0/alpha/4.0/a4.txt", "alpha four");
        var publish = packageKey.post("/api/v1/content/olga/vault/alpha/4.0/publish");
        var foreignPublish = packageKey.post("/api/v1/content/olga/vault/beta/1.0/publish");
        // then
        assertThat(upload.status()).as("%s", upload).isEqualTo(201);
        assertThat(publish.status()).as("%s", publish).isEqualTo(200);
        assertThat(download(server.as("olga"), "alpha/4.0/a4.txt")).isEqualTo(200);
        assertThat(foreignPublish.status()).isIn(403, 404);
        // and the path key writes under its folder only
        assertThat(pathKey.put("/api/v1/content/olga/vault/beta/1.0/uploads/u.txt?publish=1", "u").status())
                .isEqualTo(201);
        assertThat(download(pathKey, "uploads/u.txt")).isEqualTo(200);
        assertThat(pathKey.put("/api/v1/content/olga/vault/beta/1.0/uploadsx/u.txt?publish=1", "u").status())
                .isIn(403, 404);
        assertThat(pathKey.delete("/api/v1/content/olga/vault/uploads/u.txt").status()).isEqualTo(200);
    }

    @Test
    void versionEntitlementOpensOnlyThatVersion() {
        // given
        var key = newKey("alphaone");
        // when
        entitle("/api/v1/packages/olga/vault/alpha/versions/1.0", "{\"access\": \"r\", \"access_keys\": [\"alphaone\"]}");
        // then
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(200);
        assertThat(download(key, "alpha/2.0/a2.txt")).isEqualTo(404);
        assertThat(download(key, "docs/b1.txt")).isEqualTo(404);
    }

    @Test
    void pathEntitlementOpensTheFolderAndBelowOnly() {
        // given
        var key = newKey("docsreader");
        // when
        var created = entitle(REPO, "{\"access\": \"r\", \"access_keys\": [\"docsreader\"], \"path\": \"docs/\"}");
        // then
        assertThat(created.get("path").asText()).isEqualTo("docs");
        assertThat(download(key, "docs/b1.txt")).isEqualTo(200);
        assertThat(download(key, "docs/sub/b2.txt")).isEqualTo(200);
        assertThat(download(key, "docsx/b3.txt")).isEqualTo(404);
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(404);
    }

    @Test
    void entitlementLifecycle() {
        // given
        newKey("k1");
        newKey("k2");
        // when: created without an id
        var created = entitle(REPO, "{\"access\": \"r\", \"access_keys\": [\"k1\"], \"tags\": [\"t1\"]}");
        var id = created.get("id").asText();
        // then
        assertThat(id).matches("[0-9a-f]{40}");
        assertThat(created.get("access").asText()).isEqualTo("r");
        assertThat(created.get("access_keys").toString()).isEqualTo("[\"k1\"]");
        assertThat(created.get("tags").toString()).isEqualTo("[\"t1\"]");
        assertThat(ids(olga().get(REPO + "/entitlements").json())).contains(id);
        assertThat(olga().get(REPO + "/entitlements/" + id).json().get("id").asText()).isEqualTo(id);
        // not at another scope
        assertThat(olga().get("/api/v1/packages/olga/vault/alpha/entitlements/" + id).status()).isEqualTo(404);

        // when: patched
        var patched = olga().patchJson(REPO + "/entitlements/" + id, "{\"access\": \"rw\", \"access_keys_add\": [\"k2\"],"
                + " \"access_keys_remove\": [\"k1\"], \"tags_add\": [\"t2\"], \"tags_remove\": [\"t1\"]}");
        // then
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("access").asText()).isEqualTo("rw");
        assertThat(patched.json().get("access_keys").toString()).isEqualTo("[\"k2\"]");
        assertThat(patched.json().get("tags").toString()).isEqualTo("[\"t2\"]");
        var replaced = olga().patchJson(REPO + "/entitlements/" + id, "{\"access_keys\": [\"k1\", \"k2\"], \"tags\": []}");
        assertThat(replaced.json().get("access_keys").toString()).isEqualTo("[\"k1\",\"k2\"]");
        assertThat(replaced.json().get("tags").toString()).isEqualTo("[]");

        // when: deleted
        var deleted = olga().delete(REPO + "/entitlements/" + id);
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("success");
        assertThat(olga().get(REPO + "/entitlements/" + id).status()).isEqualTo(404);
    }

    @Test
    void changesCountAtOnce() {
        // given: a key that downloads through an entitlement
        var key = newKey("revoked");
        var id = entitle(REPO, "{\"id\": \"revocable\", \"access\": \"r\", \"access_keys\": [\"revoked\"]}")
                .get("id").asText();
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(200);
        // when: the key is taken off
        olga().patchJson(REPO + "/entitlements/" + id, "{\"access_keys_remove\": [\"revoked\"]}");
        // then
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(404);
        // when: put back, then the entitlement deleted
        olga().patchJson(REPO + "/entitlements/" + id, "{\"access_keys\": [\"revoked\"]}");
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(200);
        olga().delete(REPO + "/entitlements/" + id);
        assertThat(download(key, "alpha/1.0/a1.txt")).isEqualTo(404);
    }

    @Test
    void refusesBadEntitlements() {
        // given
        newKey("known");
        // when
        var unknownKeys = olga().postJson(REPO + "/entitlements",
                "{\"access\": \"r\", \"access_keys\": [\"known\", \"ghost\", \"phantom\"]}");
        var badAccess = olga().postJson(REPO + "/entitlements", "{\"access\": \"x\"}");
        var pathOnPackage = olga().postJson("/api/v1/packages/olga/vault/alpha/entitlements",
                "{\"access\": \"r\", \"path\": \"alpha\"}");
        var traversal = olga().postJson(REPO + "/entitlements", "{\"access\": \"r\", \"path\": \"docs/../alpha\"}");
        var absolute = olga().postJson(REPO + "/entitlements", "{\"access\": \"r\", \"path\": \"/docs\"}");
        var unknownPackage = olga().postJson("/api/v1/packages/olga/vault/nope/entitlements", "{\"access\": \"r\"}");
        entitle(REPO, "{\"id\": \"taken\", \"access\": \"r\"}");
        var duplicate = olga().postJson(REPO + "/entitlements", "{\"id\": \"taken\", \"access\": \"r\"}");
        // then
        assertThat(unknownKeys.status()).isEqualTo(400);
        assertThat(unknownKeys.message()).contains("ghost").contains("phantom").doesNotContain("known,");
        assertThat(badAccess.status()).isEqualTo(400);
        assertThat(pathOnPackage.status()).isEqualTo(400);
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(absolute.status()).isEqualTo(400);
        assertThat(unknownPackage.status()).isEqualTo(404);
        assertThat(duplicate.status()).isEqualTo(409);
    }

    @Test
    void onlyRepositoryAdminsManageEntitlements() {
        // given
        var key = newKey("nosy");
        entitle(REPO, "{\"access\": \"rw\", \"access_keys\": [\"nosy\"]}");
        server.apiKey("outsider");
        // then
        assertThat(server.anonymous().get(REPO + "/entitlements").status()).isEqualTo(401);
        assertThat(server.as("outsider").get(REPO + "/entitlements").status()).isEqualTo(404);
        assertThat(key.get(REPO + "/entitlements").status()).isEqualTo(403);
        assertThat(key.postJson(REPO + "/entitlements", "{\"access\": \"rw\"}").status()).isEqualTo(403);
    }

    @Test
    void searchesByAccessKeyAndTagWithinScope() {
        // given
        newKey("searched");
        entitle(REPO, "{\"id\": \"s-repo\", \"access\": \"r\", \"access_keys\": [\"searched\"], \"tags\": [\"red\"]}");
        entitle("/api/v1/packages/olga/vault/alpha", "{\"id\": \"s-pkg\", \"access\": \"r\","
                + " \"access_keys\": [\"searched\"], \"tags\": [\"red\"]}");
        entitle("/api/v1/packages/olga/vault/alpha/versions/1.0", "{\"id\": \"s-ver\", \"access\": \"rw\","
                + " \"access_keys\": [\"searched\"], \"tags\": [\"blue\"]}");
        // when
        var repoOnly = olga().get("/api/v1/search/entitlements?access_key=searched&scope=olga/vault");
        var deep = olga().get("/api/v1/search/entitlements?access_key=searched&scope=olga/vault&deep=true");
        var packageDeep = olga().get("/api/v1/search/entitlements?access_key=searched&scope=olga/vault/alpha&deep=1");
        var byTag = olga().get("/api/v1/search/entitlements?tag=red&scope=olga&deep=true");
        var product = olga().get("/api/v1/search/entitlements?tag=red&scope=olga&product=suite");
        var outsider = server.as("outsider2").get("/api/v1/search/entitlements?tag=red&scope=olga");
        // then
        assertThat(repoOnly.status()).isEqualTo(200);
        assertThat(ids(repoOnly.json())).containsExactly("s-repo");
        var first = repoOnly.json().get(0);
        assertThat(first.get("repo").asText()).isEqualTo("/olga/vault");
        assertThat(first.get("access").asText()).isEqualTo("r");
        assertThat(first.get("access_keys").toString()).isEqualTo("[\"searched\"]");
        assertThat(first.get("tags").toString()).isEqualTo("[\"red\"]");
        assertThat(ids(deep.json())).containsExactlyInAnyOrder("s-repo", "s-pkg", "s-ver");
        assertThat(ids(packageDeep.json())).containsExactlyInAnyOrder("s-pkg", "s-ver");
        assertThat(ids(byTag.json())).containsExactlyInAnyOrder("s-repo", "s-pkg");
        assertThat(product.status()).isEqualTo(404); // olga has no product 'suite' (see ProductEntitlementsTest)
        assertThat(outsider.status()).isEqualTo(403);
    }

    @Test
    void existenceCheckMayNotTargetPrivateAddressesByDefault() {
        // when: this server does not allow private callbacks
        var response = olga().postJson("/api/v1/users/olga/access_keys", "{\"id\": \"internal\","
                + " \"existence_check\": {\"url\": \"http://127.0.0.1:8080/users/:username\", \"cache_for_secs\": 60}}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("private");
    }
}
