package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Users & Organizations, and the admin-only extensions that create them. */
class SubjectApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final String DATE = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    // --- Get User ---------------------------------------------------------------------------------

    @Test
    void getUserAnswersTheDocumentedFieldsToAnotherUser() throws Exception {
        // given: a user with a repository and an organization
        server.createRepository("ursula", "tools");
        server.createOrg("ursula-org", "ursula");
        // when
        var response = server.as("victor").get("/api/v1/users/ursula");
        // then
        assertThat(response.status()).isEqualTo(200);
        var user = response.json();
        assertThat(fieldNames(user)).containsExactlyInAnyOrder("name", "full_name", "gravatar_id", "repos",
                "organizations", "followers_count", "registered");
        assertThat(user.get("name").asText()).isEqualTo("ursula");
        assertThat(user.get("full_name").asText()).isEqualTo("ursula Tester");
        assertThat(user.get("gravatar_id").asText()).isEqualTo(md5("ursula@example.com"));
        assertThat(texts(user.get("repos"))).containsExactly("tools");
        assertThat(texts(user.get("organizations"))).containsExactly("ursula-org");
        assertThat(user.get("followers_count").isInt()).isTrue();
        assertThat(user.get("registered").asText()).matches(DATE);
    }

    @Test
    void getUserShowsQuotaUsedBytesToTheUserThemselfAndToSiteAdmins() {
        // given: a user who stored five bytes
        server.createRepository("quinn", "files");
        server.createPackage("quinn", "files", "tool");
        server.publishFile("quinn", "files", "tool", "1.0", "tool.txt", "hello");
        // when
        var self = server.as("quinn").get("/api/v1/users/quinn");
        var admin = server.as("admin").get("/api/v1/users/quinn");
        var other = server.as("quentin").get("/api/v1/users/quinn");
        // then
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.json().get("quota_used_bytes").asLong()).isEqualTo(5);
        assertThat(admin.json().get("quota_used_bytes").asLong()).isEqualTo(5);
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().has("quota_used_bytes")).isFalse();
    }

    @Test
    void getUserListsPrivateRepositoriesOnlyToThoseWhoMayReadThem() {
        // given: a user with a public and a private repository
        server.createRepository("petra", "open");
        server.createRepository("petra", "secret", "{\"type\": \"generic\", \"private\": true}");
        // when
        var self = server.as("petra").get("/api/v1/users/petra");
        var other = server.as("paul").get("/api/v1/users/petra");
        // then
        assertThat(texts(self.json().get("repos"))).containsExactly("open", "secret");
        assertThat(texts(other.json().get("repos"))).containsExactly("open");
    }

    @Test
    void getUserRequiresAuthentication() {
        // given
        server.apiKey("una");
        // when
        var response = server.anonymous().get("/api/v1/users/una");
        // then
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(response.message()).contains("authentication");
    }

    @Test
    void getUserOfUnknownNameAnswers404() {
        // when
        var response = server.as("walter").get("/api/v1/users/nobody-here");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("nobody-here");
    }

    @Test
    void getUserOfAnOrganizationNameAnswers404() {
        // given
        server.createOrg("xavier-org", "xavier");
        // when
        var response = server.as("xavier").get("/api/v1/users/xavier-org");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("xavier-org");
    }

    // --- Get Organization -------------------------------------------------------------------------

    @Test
    void getOrganizationShowsMemberTypesAndQuotaToItsOwner() {
        // given: an organization with a repository
        server.createOrg("olga-org", "olga");
        var created = server.as("olga").postJson("/api/v1/repos/olga-org/libs", "{\"type\": \"maven\"}");
        assertThat(created.status()).isEqualTo(201);
        // when
        var response = server.as("olga").get("/api/v1/orgs/olga-org");
        // then
        assertThat(response.status()).isEqualTo(200);
        var org = response.json();
        assertThat(org.get("name").asText()).isEqualTo("olga-org");
        assertThat(texts(org.get("repos"))).containsExactly("libs");
        assertThat(org.get("followers_count").isInt()).isTrue();
        assertThat(org.get("registered").asText()).matches(DATE);
        assertThat(org.get("owner").asText()).isEqualTo("olga");
        assertThat(org.has("full_name")).isTrue();
        assertThat(org.get("members")).hasSize(1);
        assertThat(org.get("members").get(0).get("name").asText()).isEqualTo("olga");
        assertThat(org.get("members").get(0).get("type").asText()).isEqualTo("owner");
        assertThat(org.get("quota_used_bytes").asLong()).isZero();
    }

    @Test
    void getOrganizationHidesMemberTypesAndQuotaFromOutsiders() {
        // given
        server.createOrg("oscar-org", "oscar");
        // when
        var response = server.as("otto").get("/api/v1/orgs/oscar-org");
        // then
        assertThat(response.status()).isEqualTo(200);
        var org = response.json();
        assertThat(org.get("owner").asText()).isEqualTo("oscar");
        assertThat(org.get("members").get(0).get("name").asText()).isEqualTo("oscar");
        assertThat(org.get("members").get(0).has("type")).isFalse();
        assertThat(org.has("quota_used_bytes")).isFalse();
    }

    @Test
    void getOrganizationRequiresAuthentication() {
        // given
        server.createOrg("orla-org", "orla");
        // when
        var response = server.anonymous().get("/api/v1/orgs/orla-org");
        // then
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void getOrganizationOfUnknownOrUserNameAnswers404() {
        // given: a user, which is not an organization
        server.apiKey("ophelia");
        // when
        var unknown = server.as("ophelia").get("/api/v1/orgs/no-such-org");
        var user = server.as("ophelia").get("/api/v1/orgs/ophelia");
        // then
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).contains("no-such-org");
        assertThat(user.status()).isEqualTo(404);
        assertThat(user.message()).contains("ophelia");
    }

    // --- User Search ------------------------------------------------------------------------------

    @Test
    void searchUsersFindsUsersByNameFragmentIgnoringCase() {
        // given
        server.apiKey("zorro-one");
        server.apiKey("zorro-two");
        server.createOrg("zorro-org", "zorro-one");
        // when
        var response = server.as("yvonne").get("/api/v1/search/users?name=ZORRO");
        // then: users only, with the Get User shape
        assertThat(response.status()).isEqualTo(200);
        var names = new ArrayList<String>();
        response.json().forEach(user -> names.add(user.get("name").asText()));
        assertThat(names).containsExactly("zorro-one", "zorro-two");
        var first = response.json().get(0);
        assertThat(texts(first.get("organizations"))).containsExactly("zorro-org");
        assertThat(first.get("registered").asText()).matches(DATE);
        assertThat(first.has("quota_used_bytes")).isFalse();
    }

    @Test
    void searchUsersRequiresAuthentication() {
        // when
        var response = server.anonymous().get("/api/v1/search/users?name=a");
        // then
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void searchUsersRequiresAName() {
        // when
        var response = server.as("yannick").get("/api/v1/search/users");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("name");
    }

    // --- admin: create user -----------------------------------------------------------------------

    @Test
    void adminCreatesUserWhoseApiKeyWorks() {
        // when
        var response = server.as("admin").postJson("/api/v1/admin/users",
                "{\"name\": \"newbie\", \"full_name\": \"New Bie\", \"email\": \"newbie@example.com\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("name").asText()).isEqualTo("newbie");
        var key = response.json().get("api_key").asText();
        assertThat(key).matches("[0-9a-f]{40}");
        var self = server.withCredentials("newbie", key).get("/api/v1/users/newbie");
        assertThat(self.status()).isEqualTo(200);
        assertThat(self.json().get("full_name").asText()).isEqualTo("New Bie");
    }

    @Test
    void createUserIsForbiddenToOrdinaryUsers() {
        // when
        var response = server.as("mallory").postJson("/api/v1/admin/users", "{\"name\": \"mallory-2\"}");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(server.as("admin").get("/api/v1/users/mallory-2").status()).isEqualTo(404);
    }

    @Test
    void createUserRequiresAuthentication() {
        // when
        var response = server.anonymous().postJson("/api/v1/admin/users", "{\"name\": \"sneaky\"}");
        // then
        assertThat(response.status()).isEqualTo(401);
        assertThat(server.as("admin").get("/api/v1/users/sneaky").status()).isEqualTo(404);
    }

    @Test
    void createUserRejectsATakenName() {
        // given: a user and an organization (users and organizations share one namespace)
        server.createOrg("taken-org", "taken");
        // when
        var user = server.as("admin").postJson("/api/v1/admin/users", "{\"name\": \"taken\"}");
        var org = server.as("admin").postJson("/api/v1/admin/users", "{\"name\": \"taken-org\"}");
        // then
        assertThat(user.status()).isEqualTo(409);
        assertThat(user.message()).contains("taken");
        assertThat(org.status()).isEqualTo(409);
        assertThat(org.message()).contains("taken-org");
    }

    @Test
    void createUserRejectsBadNames() {
        for (var body : List.of("{\"name\": \"has space\"}", "{\"name\": \"-dash\"}", "{\"name\": \"\"}",
                "{\"full_name\": \"No Name\"}", "{\"name\": \"" + "a".repeat(65) + "\"}")) {
            // when
            var response = server.as("admin").postJson("/api/v1/admin/users", body);
            // then
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.message()).as(body).contains("name");
        }
    }

    // --- admin: create organization ---------------------------------------------------------------

    @Test
    void adminCreatesOrganizationOwnedByAUser() {
        // given
        server.apiKey("frida");
        // when
        var response = server.as("admin").postJson("/api/v1/admin/orgs",
                "{\"name\": \"frida-org\", \"full_name\": \"Frida Inc.\", \"owner\": \"frida\"}");
        // then
        assertThat(response.status()).isEqualTo(201);
        var org = response.json();
        assertThat(org.get("name").asText()).isEqualTo("frida-org");
        assertThat(org.get("full_name").asText()).isEqualTo("Frida Inc.");
        assertThat(org.get("owner").asText()).isEqualTo("frida");
        assertThat(org.get("members").get(0).get("type").asText()).isEqualTo("owner");
        // and the owner administers it
        assertThat(server.as("frida").postJson("/api/v1/repos/frida-org/main", "{\"type\": \"npm\"}").status())
                .isEqualTo(201);
        assertThat(texts(server.as("frida").get("/api/v1/users/frida").json().get("organizations")))
                .containsExactly("frida-org");
    }

    @Test
    void createOrganizationIsForbiddenToOrdinaryUsers() {
        // when
        var response = server.as("greta").postJson("/api/v1/admin/orgs", "{\"name\": \"greta-org\", \"owner\": \"greta\"}");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(server.as("greta").get("/api/v1/orgs/greta-org").status()).isEqualTo(404);
    }

    @Test
    void createOrganizationRequiresAuthentication() {
        // given
        server.apiKey("hugo");
        // when
        var response = server.anonymous().postJson("/api/v1/admin/orgs", "{\"name\": \"hugo-org\", \"owner\": \"hugo\"}");
        // then
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void createOrganizationRejectsATakenName() {
        // given
        server.createOrg("ida-org", "ida");
        // when
        var org = server.as("admin").postJson("/api/v1/admin/orgs", "{\"name\": \"ida-org\", \"owner\": \"ida\"}");
        var user = server.as("admin").postJson("/api/v1/admin/orgs", "{\"name\": \"ida\", \"owner\": \"ida\"}");
        // then
        assertThat(org.status()).isEqualTo(409);
        assertThat(org.message()).contains("ida-org");
        assertThat(user.status()).isEqualTo(409);
    }

    @Test
    void createOrganizationRejectsBadNamesAndAMissingOwner() {
        // given
        server.apiKey("jonas");
        // when
        var badName = server.as("admin").postJson("/api/v1/admin/orgs", "{\"name\": \"bad/name\", \"owner\": \"jonas\"}");
        var noOwner = server.as("admin").postJson("/api/v1/admin/orgs", "{\"name\": \"jonas-org\"}");
        // then
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.message()).contains("bad/name");
        assertThat(noOwner.status()).isEqualTo(400);
        assertThat(noOwner.message()).contains("owner");
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        var values = new ArrayList<String>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static List<String> fieldNames(JsonNode object) {
        var names = new ArrayList<String>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
