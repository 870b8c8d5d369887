package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Teams ({@code /orgs/:org/teams}, {@code /users/:user/teams}) and team permissions on repositories
 * ({@code /repos/:subject/:repo/permissions}): their shapes, who may manage them, and that what they
 * grant takes effect, and stops, at once.
 */
class TeamsTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    /** An organization owned by {@code owner} with {@code members} as plain members. */
    private static void givenOrg(String org, String owner, String... members) {
        server.createOrg(org, owner);
        for (var member : members) {
            server.apiKey(member);
            var response = server.as(owner).putJson("/api/v1/orgs/" + org + "/members/" + member,
                    "{\"type\": \"member\"}");
            assertThat(response.status()).as("%s", response).isEqualTo(200);
        }
    }

    /** A private generic repository {@code repo} of {@code org}, with package {@code tool}, created by {@code owner}. */
    private static void givenPrivateRepository(String org, String repo, String owner) {
        var created = server.as(owner).postJson("/api/v1/repos/" + org + "/" + repo,
                "{\"type\": \"generic\", \"private\": true}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        var pkg = server.as(owner).postJson("/api/v1/packages/" + org + "/" + repo,
                "{\"name\": \"tool\", \"licenses\": [\"Apache-2.0\"], \"vcs_url\": \"https://example.com/tool.git\"}");
        assertThat(pkg.status()).as("%s", pkg).isEqualTo(201);
    }

    private static void givenTeam(String org, String owner, String json) {
        var response = server.as(owner).postJson("/api/v1/orgs/" + org + "/teams", json);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
    }

    private static void givenPermission(String org, String repo, String owner, String team, String permission) {
        var response = server.as(owner).putJson("/api/v1/repos/" + org + "/" + repo + "/permissions",
                "{\"team\": \"" + team + "\", \"permission\": \"" + permission + "\"}");
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.message()).isEqualTo("success");
    }

    private static int upload(Client client, String org, String repo, String path, String content) {
        return client.put("/api/v1/content/" + org + "/" + repo + "/tool/1.0/" + path + "?publish=1", content).status();
    }

    // --- shapes -------------------------------------------------------------------------------

    @Test
    void createsListsGetsUpdatesAndDeletesOrgTeam() {
        // given
        givenOrg("acme", "anna", "bert", "cleo");
        server.as("anna").postJson("/api/v1/repos/acme/libs", "{\"type\": \"generic\"}");
        var anna = server.as("anna");
        // when
        var created = anna.postJson("/api/v1/orgs/acme/teams",
                "{\"name\": \"devs\", \"members\": [\"bert\"], \"allow_repo_creation\": true,"
                        + " \"business_unit\": \"unit1\"}");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        var team = created.json();
        assertThat(team.get("name").asText()).isEqualTo("devs");
        assertThat(team.get("owner").asText()).isEqualTo("acme");
        assertThat(team.get("members")).extracting(node -> node.asText()).containsExactly("bert");
        assertThat(team.get("permitted_repos").isObject()).isTrue();
        assertThat(team.get("permitted_repos").size()).isZero();
        assertThat(team.get("allow_repo_creation").asBoolean()).isTrue();
        assertThat(team.get("business_unit").asText()).isEqualTo("unit1");

        // when: a permission, then list and get
        givenPermission("acme", "libs", "anna", "devs", "publish");
        var list = anna.get("/api/v1/orgs/acme/teams");
        var got = anna.get("/api/v1/orgs/acme/teams/devs");
        // then
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("teams")).extracting(node -> node.asText()).containsExactly("devs");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("permitted_repos").get("libs").asText()).isEqualTo("publish");

        // when: update members and turn repository creation off
        var updated = anna.patchJson("/api/v1/orgs/acme/teams/devs",
                "{\"members\": [\"cleo\", \"bert\"], \"allow_repo_creation\": false}");
        // then: the business unit goes with repository creation
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("members")).extracting(node -> node.asText()).containsExactly("bert", "cleo");
        assertThat(updated.json().get("allow_repo_creation").asBoolean()).isFalse();
        assertThat(updated.json().get("business_unit").isNull()).isTrue();
        assertThat(updated.json().get("permitted_repos").get("libs").asText()).isEqualTo("publish");

        // when: delete
        var deleted = anna.delete("/api/v1/orgs/acme/teams/devs");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.message()).isEqualTo("success");
        assertThat(anna.get("/api/v1/orgs/acme/teams/devs").status()).isEqualTo(404);
        assertThat(anna.get("/api/v1/orgs/acme/teams").json().get("teams").size()).isZero();
        assertThat(anna.get("/api/v1/repos/acme/libs/permissions").json().size()).isZero();
    }

    @Test
    void managesTeamsOfUser() {
        // given
        server.apiKey("fred");
        server.apiKey("gus");
        var fred = server.as("fred");
        // when
        var created = fred.postJson("/api/v1/users/fred/teams", "{\"name\": \"friends\", \"members\": [\"gus\"]}");
        var list = fred.get("/api/v1/users/fred/teams");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().get("owner").asText()).isEqualTo("fred");
        assertThat(created.json().get("allow_repo_creation").asBoolean()).isFalse();
        assertThat(list.json().get("teams")).extracting(node -> node.asText()).containsExactly("friends");
        assertThat(server.as("gus").get("/api/v1/users/fred/teams").status()).isEqualTo(403);
    }

    @Test
    void listsGetsAndDeletesRepositoryPermissions() {
        // given
        givenOrg("perms", "pam", "pia");
        givenPrivateRepository("perms", "repo", "pam");
        givenTeam("perms", "pam", "{\"name\": \"b-team\", \"members\": [\"pia\"]}");
        givenTeam("perms", "pam", "{\"name\": \"a-team\"}");
        givenPermission("perms", "repo", "pam", "b-team", "read");
        givenPermission("perms", "repo", "pam", "a-team", "admin");
        givenPermission("perms", "repo", "pam", "b-team", "publish");
        var pam = server.as("pam");
        // when
        var all = pam.get("/api/v1/repos/perms/repo/permissions");
        var one = pam.get("/api/v1/repos/perms/repo/permissions/b-team");
        // then
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().isArray()).isTrue();
        assertThat(all.json()).extracting(node -> node.get("team").asText() + "=" + node.get("permission").asText())
                .containsExactly("a-team=admin", "b-team=publish");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("team").asText()).isEqualTo("b-team");
        assertThat(one.json().get("permission").asText()).isEqualTo("publish");

        // when
        var deleted = pam.delete("/api/v1/repos/perms/repo/permissions/a-team");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.message()).isEqualTo("success");
        assertThat(pam.get("/api/v1/repos/perms/repo/permissions/a-team").status()).isEqualTo(404);
        assertThat(pam.delete("/api/v1/repos/perms/repo/permissions/a-team").status()).isEqualTo(404);
        assertThat(pam.get("/api/v1/repos/perms/repo/permissions").json()).hasSize(1);
    }

    // --- enforcement --------------------------------------------------------------------------

    @Test
    void publishPermissionLetsMemberUploadAndDownloadFromPrivateRepository() {
        // given
        givenOrg("pubco", "paul", "penny");
        givenPrivateRepository("pubco", "secret", "paul");
        givenTeam("pubco", "paul", "{\"name\": \"publishers\", \"members\": [\"penny\"]}");
        var penny = server.as("penny");
        // org members read, but may not upload before the team has a permission
        assertThat(upload(penny, "pubco", "secret", "before.txt", "x")).isEqualTo(403);
        givenPermission("pubco", "secret", "paul", "publishers", "publish");
        // when
        int uploaded = upload(penny, "pubco", "secret", "file.txt", "team content");
        var download = penny.get("/dl/pubco/secret/file.txt");
        // then
        assertThat(uploaded).isEqualTo(201);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("team content");
    }

    @Test
    void teamOfUserGrantsOutsiderAccessToPrivateRepository() {
        // given: an outsider with no permission on a private repository of a user
        server.apiKey("ursula");
        server.apiKey("otto");
        server.createRepository("ursula", "private", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("ursula", "private", "tool");
        server.publishFile("ursula", "private", "tool", "1.0", "file.txt", "hidden");
        var otto = server.as("otto");
        assertThat(otto.get("/dl/ursula/private/file.txt").status()).isEqualTo(404);
        // when: a read team
        server.as("ursula").postJson("/api/v1/users/ursula/teams", "{\"name\": \"readers\", \"members\": [\"otto\"]}");
        givenPermission("ursula", "private", "ursula", "readers", "read");
        // then
        var download = otto.get("/dl/ursula/private/file.txt");
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("hidden");
        assertThat(otto.get("/api/v1/repos/ursula/private").status()).isEqualTo(200);
        assertThat(upload(otto, "ursula", "private", "other.txt", "x")).isEqualTo(403);
    }

    @Test
    void readPermissionLetsOutsiderDownloadButNotUpload() {
        // given: a team member who is not... an org member would read anyway, so use a user's team
        server.apiKey("rita");
        server.apiKey("rob");
        server.createRepository("rita", "vault", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("rita", "vault", "tool");
        server.publishFile("rita", "vault", "tool", "1.0", "a.txt", "alpha");
        server.as("rita").postJson("/api/v1/users/rita/teams", "{\"name\": \"r\", \"members\": [\"rob\"]}");
        givenPermission("rita", "vault", "rita", "r", "read");
        var rob = server.as("rob");
        // when
        var download = rob.get("/dl/rita/vault/a.txt");
        int uploaded = upload(rob, "rita", "vault", "b.txt", "beta");
        // then
        assertThat(download.status()).isEqualTo(200);
        assertThat(uploaded).isEqualTo(403);
    }

    @Test
    void removingMemberOrPermissionTakesEffectAtOnce() {
        // given: an outsider in a publishing team of a user, warmed in every cache
        server.apiKey("mona");
        server.apiKey("milo");
        server.createRepository("mona", "box", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("mona", "box", "tool");
        server.publishFile("mona", "box", "tool", "1.0", "a.txt", "alpha");
        server.as("mona").postJson("/api/v1/users/mona/teams", "{\"name\": \"t\", \"members\": [\"milo\"]}");
        givenPermission("mona", "box", "mona", "t", "publish");
        var milo = server.as("milo");
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(200);
        assertThat(upload(milo, "mona", "box", "b.txt", "beta")).isEqualTo(201);

        // when: the permission is lowered to read
        givenPermission("mona", "box", "mona", "t", "read");
        // then
        assertThat(upload(milo, "mona", "box", "c.txt", "gamma")).isEqualTo(403);
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(200);

        // when: the member is removed from the team
        var patched = server.as("mona").patchJson("/api/v1/users/mona/teams/t", "{\"members\": []}");
        // then
        assertThat(patched.status()).isEqualTo(200);
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(404);

        // when: back in the team, then the permission is deleted
        server.as("mona").patchJson("/api/v1/users/mona/teams/t", "{\"members\": [\"milo\"]}");
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(200);
        server.as("mona").delete("/api/v1/repos/mona/box/permissions/t");
        // then
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(404);

        // when: the permission is back, then the team is deleted
        givenPermission("mona", "box", "mona", "t", "read");
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(200);
        server.as("mona").delete("/api/v1/users/mona/teams/t");
        // then
        assertThat(milo.get("/dl/mona/box/a.txt").status()).isEqualTo(404);
    }

    @Test
    void leavingOrganizationEndsTeamGrants() {
        // given: an org member publishing through a team
        givenOrg("leave", "lola", "leon");
        givenPrivateRepository("leave", "repo", "lola");
        givenTeam("leave", "lola", "{\"name\": \"pub\", \"members\": [\"leon\"]}");
        givenPermission("leave", "repo", "lola", "pub", "publish");
        var leon = server.as("leon");
        assertThat(upload(leon, "leave", "repo", "a.txt", "alpha")).isEqualTo(201);
        // when
        var removed = server.as("lola").delete("/api/v1/orgs/leave/members/leon");
        // then
        assertThat(removed.status()).as("%s", removed).isEqualTo(200);
        assertThat(upload(leon, "leave", "repo", "b.txt", "beta")).isEqualTo(404);
        assertThat(leon.get("/dl/leave/repo/a.txt").status()).isEqualTo(404);
        assertThat(server.as("lola").get("/api/v1/orgs/leave/teams/pub").json().get("members").size()).isZero();
    }

    @Test
    void allowRepoCreationLetsMemberCreateAndUpdateRepositoriesOfOrg() {
        // given
        givenOrg("makers", "mia", "max", "moe");
        givenTeam("makers", "mia", "{\"name\": \"creators\", \"members\": [\"max\"], \"allow_repo_creation\": true,"
                + " \"business_unit\": \"makers-bu\"}");
        // when
        var created = server.as("max").postJson("/api/v1/repos/makers/new-repo", "{\"type\": \"generic\"}");
        var explicit = server.as("max").postJson("/api/v1/repos/makers/own-bu",
                "{\"type\": \"generic\", \"business_unit\": \"other\"}");
        var updated = server.as("max").patchJson("/api/v1/repos/makers/new-repo", "{\"desc\": \"by max\"}");
        var refused = server.as("moe").postJson("/api/v1/repos/makers/other", "{\"type\": \"generic\"}");
        // then
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().get("business_unit").asText()).isEqualTo("makers-bu");
        assertThat(explicit.json().get("business_unit").asText()).isEqualTo("other");
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("desc").asText()).isEqualTo("by max");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.message()).isNotBlank();

        // when: repository creation is turned off
        server.as("mia").patchJson("/api/v1/orgs/makers/teams/creators", "{\"allow_repo_creation\": false}");
        // then
        assertThat(server.as("max").postJson("/api/v1/repos/makers/third", "{\"type\": \"generic\"}").status())
                .isEqualTo(403);
    }

    // --- refusals -----------------------------------------------------------------------------

    @Test
    void outsidersCannotManageTeams() {
        // given
        givenOrg("closed", "carl", "cora");
        givenTeam("closed", "carl", "{\"name\": \"core\"}");
        server.as("carl").postJson("/api/v1/repos/closed/pub", "{\"type\": \"generic\"}");
        server.apiKey("eve");
        var eve = server.as("eve");
        var cora = server.as("cora");
        // then: authenticated outsiders and plain members 403, anonymous 401, never 500
        assertThat(eve.get("/api/v1/orgs/closed/teams").status()).isEqualTo(403);
        assertThat(eve.get("/api/v1/orgs/closed/teams/core").status()).isEqualTo(403);
        assertThat(eve.postJson("/api/v1/orgs/closed/teams", "{\"name\": \"mine\"}").status()).isEqualTo(403);
        assertThat(eve.patchJson("/api/v1/orgs/closed/teams/core", "{\"members\": [\"eve\"]}").status())
                .isEqualTo(403);
        assertThat(eve.delete("/api/v1/orgs/closed/teams/core").status()).isEqualTo(403);
        assertThat(cora.get("/api/v1/orgs/closed/teams").status()).isEqualTo(403);
        assertThat(server.anonymous().get("/api/v1/orgs/closed/teams").status()).isEqualTo(401);
        assertThat(eve.get("/api/v1/repos/closed/pub/permissions").status()).isEqualTo(403);
        assertThat(eve.putJson("/api/v1/repos/closed/pub/permissions",
                "{\"team\": \"core\", \"permission\": \"admin\"}").status()).isEqualTo(403);
        assertThat(cora.putJson("/api/v1/repos/closed/pub/permissions",
                "{\"team\": \"core\", \"permission\": \"admin\"}").status()).isEqualTo(403);
        assertThat(server.anonymous().get("/api/v1/repos/closed/pub/permissions").status()).isEqualTo(401);
        assertThat(eve.delete("/api/v1/repos/closed/pub/permissions/core").status()).isEqualTo(403);
        assertThat(server.as("carl").get("/api/v1/orgs/closed/teams/core").json().get("members").size()).isZero();
    }

    @Test
    void unknownThingsAnswer404() {
        // given
        givenOrg("known", "kim");
        server.as("kim").postJson("/api/v1/repos/known/repo", "{\"type\": \"generic\"}");
        var kim = server.as("kim");
        // then
        assertThat(kim.get("/api/v1/orgs/nobody-org/teams").status()).isEqualTo(404);
        assertThat(kim.get("/api/v1/users/known/teams").status()).isEqualTo(404);
        assertThat(kim.get("/api/v1/orgs/known/teams/missing").status()).isEqualTo(404);
        assertThat(kim.get("/api/v1/orgs/known/teams/missing").message()).contains("missing");
        assertThat(kim.get("/api/v1/repos/known/missing/permissions").status()).isEqualTo(404);
        var unknownTeam = kim.putJson("/api/v1/repos/known/repo/permissions", "{\"team\": \"ghost\", \"permission\": \"read\"}");
        assertThat(unknownTeam.status()).isEqualTo(404);
        assertThat(unknownTeam.message()).contains("ghost");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"members\": []}",
            "{\"name\": \"\"}",
            "{\"name\": \"bad name\"}",
            "{\"name\": \"t1\", \"members\": [\"no-such-user\"]}",
            "{\"name\": \"t2\", \"members\": [\"outsider-ivy\"]}",
            "{\"name\": \"t3\", \"members\": [\"bad\"]}",
            "{\"name\": \"t4\", \"business_unit\": \"unit\"}",
            "{\"name\": \"t5\", \"allow_repo_creation\": false, \"business_unit\": \"unit\"}",
            "{\"name\": \"t6\", \"members\": \"ivan\"}",
            "{\"name\": \"t7\", \"allow_repo_creation\": \"yes\"}",
            "not json",
            ""
    })
    void refusesBadTeamWithMessage(String body) {
        // given
        if (server.bindery().subjects().findSubject("bad").isEmpty()) {
            givenOrg("bad", "ivan");
            server.apiKey("outsider-ivy");
        }
        // when
        var response = server.as("ivan").postJson("/api/v1/orgs/bad/teams", body);
        // then
        assertThat(response.status()).as("%s", response).isEqualTo(400);
        assertThat(response.message()).isNotBlank();
    }

    @Test
    void namesTheUnknownMember() {
        // given
        givenOrg("naming", "nina");
        server.apiKey("norm");
        // when
        var unknown = server.as("nina").postJson("/api/v1/orgs/naming/teams",
                "{\"name\": \"t\", \"members\": [\"nina\", \"nobody-at-all\"]}");
        var outsider = server.as("nina").postJson("/api/v1/orgs/naming/teams",
                "{\"name\": \"t\", \"members\": [\"norm\"]}");
        // then
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.message()).contains("nobody-at-all");
        assertThat(outsider.status()).isEqualTo(400);
        assertThat(outsider.message()).contains("norm").contains("naming");
    }

    @Test
    void refusesDuplicateTeamAndBadPermission() {
        // given
        givenOrg("dupes", "dora");
        givenTeam("dupes", "dora", "{\"name\": \"t\"}");
        server.as("dora").postJson("/api/v1/repos/dupes/repo", "{\"type\": \"generic\"}");
        var dora = server.as("dora");
        // when
        var duplicate = dora.postJson("/api/v1/orgs/dupes/teams", "{\"name\": \"t\"}");
        var badPermission = dora.putJson("/api/v1/repos/dupes/repo/permissions", "{\"team\": \"t\", \"permission\": \"write\"}");
        var noTeam = dora.putJson("/api/v1/repos/dupes/repo/permissions", "{\"permission\": \"read\"}");
        var businessUnitWithoutCreation = dora.patchJson("/api/v1/orgs/dupes/teams/t", "{\"business_unit\": \"u\"}");
        // then
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.message()).contains("'t'");
        assertThat(badPermission.status()).isEqualTo(400);
        assertThat(badPermission.message()).contains("permission");
        assertThat(noTeam.status()).isEqualTo(400);
        assertThat(businessUnitWithoutCreation.status()).isEqualTo(400);
    }
}
