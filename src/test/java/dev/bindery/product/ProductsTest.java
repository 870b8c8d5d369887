package dev.bindery.product;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Products: create, get, list, update, delete, their validation and who may do what. */
class ProductsTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @BeforeAll
    static void seed() {
        server.createRepository("paula", "generic");
        server.createRepository("paula", "rpms", "{\"type\": \"rpm\"}");
        server.createRepository("paula", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("paula", "generic", "tool");
        server.createPackage("paula", "rpms", "tool-rpm");
        server.createPackage("paula", "secret", "hidden");
        server.publishFile("paula", "generic", "tool", "1.0", "tool/1.0/tool.txt", "one");
        server.publishFile("paula", "generic", "tool", "1.1", "tool/1.1/tool.txt", "two");
        server.publishFile("paula", "secret", "hidden", "2.0", "hidden/2.0/hidden.txt", "secret");
        server.apiKey("oscar");
    }

    private static List<String> texts(JsonNode array) {
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    @Test
    void createsProductWithTheDocumentedShape() {
        // when
        var created = server.as("paula").postJson("/api/v1/products/paula", """
                {"name": "suite", "display_name": "The Suite", "desc": "Everything",
                 "website_url": "http://great-prod.io", "vcs_url": "",
                 "packages": ["generic/tool", "rpms/tool-rpm"], "sign_url_expiry": 10}""");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        var json = created.json();
        assertThat(json.get("name").asText()).isEqualTo("suite");
        assertThat(json.get("display_name").asText()).isEqualTo("The Suite");
        assertThat(json.get("desc").asText()).isEqualTo("Everything");
        assertThat(json.get("website_url").asText()).isEqualTo("http://great-prod.io");
        assertThat(json.get("vcs_url").asText()).isEmpty();
        assertThat(json.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(texts(json.get("packages"))).containsExactly("generic/tool", "rpms/tool-rpm");
        assertThat(texts(json.get("versions"))).containsExactly("1.0", "1.1");
        assertThat(json.get("sign_url_expiry").asInt()).isEqualTo(10);

        // and: it reads back the same, and is listed by name
        var read = server.as("paula").get("/api/v1/products/paula/suite");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json()).isEqualTo(json);
        var list = server.as("paula").get("/api/v1/products/paula");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().findValuesAsText("name")).contains("suite");
        assertThat(list.json().get(0).size()).isEqualTo(1);
    }

    @Test
    void rejectsPackagesThatAreNotInTheSubjectsRepositories() {
        // when
        var missing = server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"broken\", \"packages\": [\"generic/tool\", \"generic/nope\"]}");
        var malformed = server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"broken\", \"packages\": [\"tool\"]}");
        var otherSubject = server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"broken\", \"packages\": [\"oscars/tool\"]}");
        // then
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("generic/nope");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.message()).contains("repo/package");
        assertThat(otherSubject.status()).isEqualTo(400);
        assertThat(otherSubject.message()).contains("oscars/tool");
        assertThat(server.as("paula").get("/api/v1/products/paula/broken").status()).isEqualTo(404);
    }

    @Test
    void rejectsInvalidFields() {
        // when
        var noName = server.as("paula").postJson("/api/v1/products/paula", "{\"desc\": \"x\"}");
        var badName = server.as("paula").postJson("/api/v1/products/paula", "{\"name\": \"a b\"}");
        var negativeExpiry = server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"neg\", \"sign_url_expiry\": -1}");
        var wrongType = server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"typed\", \"packages\": \"generic/tool\"}");
        // then
        assertThat(noName.status()).isEqualTo(400);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(negativeExpiry.status()).isEqualTo(400);
        assertThat(negativeExpiry.message()).contains("sign_url_expiry");
        assertThat(wrongType.status()).isEqualTo(400);
    }

    @Test
    void refusesADuplicateName() {
        // given
        assertThat(server.as("paula").postJson("/api/v1/products/paula", "{\"name\": \"twice\"}").status())
                .isEqualTo(201);
        // when
        var again = server.as("paula").postJson("/api/v1/products/paula", "{\"name\": \"twice\"}");
        // then
        assertThat(again.status()).isEqualTo(409);
    }

    @Test
    void updatesWithPatch() {
        // given
        server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"patched\", \"desc\": \"old\", \"packages\": [\"generic/tool\"]}");
        // when
        var updated = server.as("paula").patchJson("/api/v1/products/paula/patched",
                "{\"desc\": \"new\", \"packages\": [\"rpms/tool-rpm\"]}");
        var empty = server.as("paula").patchJson("/api/v1/products/paula/patched", "{}");
        var badPackage = server.as("paula").patchJson("/api/v1/products/paula/patched",
                "{\"packages\": [\"rpms/missing\"]}");
        // then
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("desc").asText()).isEqualTo("new");
        assertThat(updated.json().get("display_name").asText()).isEqualTo("patched");
        assertThat(texts(updated.json().get("packages"))).containsExactly("rpms/tool-rpm");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(badPackage.status()).isEqualTo(400);
        assertThat(badPackage.message()).contains("rpms/missing");
        var read = server.as("paula").get("/api/v1/products/paula/patched").json();
        assertThat(texts(read.get("packages"))).containsExactly("rpms/tool-rpm");
    }

    @Test
    void deletesAProduct() {
        // given
        server.as("paula").postJson("/api/v1/products/paula", "{\"name\": \"doomed\"}");
        // when
        var deleted = server.as("paula").delete("/api/v1/products/paula/doomed");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("deleted");
        assertThat(server.as("paula").get("/api/v1/products/paula/doomed").status()).isEqualTo(404);
        assertThat(server.as("paula").delete("/api/v1/products/paula/doomed").status()).isEqualTo(404);
    }

    @Test
    void onlyTheSubjectsAdministratorsManageProducts() {
        // given: a product of public packages, which anyone may read
        server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"open\", \"packages\": [\"generic/tool\"]}");
        // when
        var anonymousCreate = server.anonymous().postJson("/api/v1/products/paula", "{\"name\": \"x\"}");
        var outsiderCreate = server.as("oscar").postJson("/api/v1/products/paula", "{\"name\": \"x\"}");
        var outsiderPatch = server.as("oscar").patchJson("/api/v1/products/paula/open", "{\"desc\": \"mine\"}");
        var outsiderDelete = server.as("oscar").delete("/api/v1/products/paula/open");
        var anonymousDelete = server.anonymous().delete("/api/v1/products/paula/open");
        // then
        assertThat(anonymousCreate.status()).isEqualTo(401);
        assertThat(outsiderCreate.status()).isEqualTo(403);
        assertThat(outsiderPatch.status()).isEqualTo(403);
        assertThat(outsiderDelete.status()).isEqualTo(403);
        assertThat(anonymousDelete.status()).isEqualTo(401);
        assertThat(server.as("oscar").get("/api/v1/products/paula/open").status()).isEqualTo(200);
        assertThat(server.anonymous().get("/api/v1/products/paula/open").status()).isEqualTo(200);
    }

    @Test
    void hidesProductsOfPrivatePackagesFromOutsiders() {
        // given
        server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"private-suite\", \"packages\": [\"secret/hidden\"]}");
        server.as("paula").postJson("/api/v1/products/paula",
                "{\"name\": \"mixed\", \"packages\": [\"secret/hidden\", \"generic/tool\"]}");
        // when
        var outsider = server.as("oscar").get("/api/v1/products/paula/private-suite");
        var anonymous = server.anonymous().get("/api/v1/products/paula/private-suite");
        var outsiderPatch = server.as("oscar").patchJson("/api/v1/products/paula/private-suite", "{\"desc\": \"x\"}");
        var list = server.as("oscar").get("/api/v1/products/paula");
        var mixed = server.as("oscar").get("/api/v1/products/paula/mixed");
        var owner = server.as("paula").get("/api/v1/products/paula/mixed");
        // then
        assertThat(outsider.status()).isEqualTo(404);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsiderPatch.status()).isEqualTo(404);
        assertThat(list.json().findValuesAsText("name")).doesNotContain("private-suite").contains("mixed");
        assertThat(texts(mixed.json().get("packages"))).containsExactly("generic/tool");
        assertThat(texts(mixed.json().get("versions"))).containsExactly("1.0", "1.1");
        assertThat(texts(owner.json().get("versions"))).containsExactly("1.0", "1.1", "2.0");
        assertThat(texts(owner.json().get("packages"))).containsExactly("secret/hidden", "generic/tool");
        assertThat(server.as("paula").get("/api/v1/products/paula/private-suite").status()).isEqualTo(200);
    }

    @Test
    void answersNotFoundForUnknownSubjects() {
        // when
        var response = server.as("paula").get("/api/v1/products/nobody-here");
        // then
        assertThat(response.status()).isEqualTo(404);
    }
}
