package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Organization members, an admin extension ({@code PUT/DELETE /api/v1/orgs/:org/members/:user}):
 * adding, changing and removing members takes effect at once, and an organization keeps an owner.
 */
class OrgMembersTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    /** The members of an organization and their types, as its owner sees them. */
    private static Map<String, String> members(String org, String asOwner) {
        var response = server.as(asOwner).get("/api/v1/orgs/" + org);
        assertThat(response.status()).isEqualTo(200);
        var members = new HashMap<String, String>();
        response.json().get("members").forEach(node -> members.put(node.get("name").asText(), node.get("type").asText()));
        return members;
    }

    @Test
    void addsChangesAndRemovesMembers() {
        // given
        server.createOrg("crew", "owen");
        server.apiKey("ada");
        var owen = server.as("owen");
        // when
        var added = owen.putJson("/api/v1/orgs/crew/members/ada", "{\"type\": \"member\"}");
        // then
        assertThat(added.status()).as("%s", added).isEqualTo(200);
        assertThat(added.json().get("name").asText()).isEqualTo("ada");
        assertThat(added.json().get("type").asText()).isEqualTo("member");
        assertThat(members("crew", "owen")).containsEntry("ada", "member").containsEntry("owen", "owner");

        // when
        var changed = owen.putJson("/api/v1/orgs/crew/members/ada", "{\"type\": \"admin\"}");
        // then
        assertThat(changed.status()).isEqualTo(200);
        assertThat(members("crew", "owen")).containsEntry("ada", "admin");

        // when
        var removed = owen.delete("/api/v1/orgs/crew/members/ada");
        // then
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.message()).isEqualTo("success");
        assertThat(members("crew", "owen")).doesNotContainKey("ada");
        assertThat(owen.delete("/api/v1/orgs/crew/members/ada").status()).isEqualTo(404);
    }

    @Test
    void membershipChangesTakeEffectAtOnce() {
        // given: a private repository of an organization, and a user already authenticated (cached)
        server.createOrg("secretco", "sam");
        server.as("sam").postJson("/api/v1/repos/secretco/vault", "{\"type\": \"generic\", \"private\": true}");
        server.apiKey("tess");
        var tess = server.as("tess");
        assertThat(tess.get("/api/v1/repos/secretco/vault").status()).isEqualTo(404);
        // when
        server.as("sam").putJson("/api/v1/orgs/secretco/members/tess", "{\"type\": \"member\"}");
        // then: members read
        assertThat(tess.get("/api/v1/repos/secretco/vault").status()).isEqualTo(200);
        assertThat(tess.delete("/api/v1/repos/secretco/vault").status()).isEqualTo(403);
        // when: promoted to admin
        server.as("sam").putJson("/api/v1/orgs/secretco/members/tess", "{\"type\": \"admin\"}");
        // then
        assertThat(tess.patchJson("/api/v1/repos/secretco/vault", "{\"desc\": \"admin now\"}").status())
                .isEqualTo(200);
        // when: removed
        server.as("sam").delete("/api/v1/orgs/secretco/members/tess");
        // then
        assertThat(tess.get("/api/v1/repos/secretco/vault").status()).isEqualTo(404);
    }

    @Test
    void keepsLastOwner() {
        // given
        server.createOrg("solo", "olga");
        var olga = server.as("olga");
        // when
        var demoted = olga.putJson("/api/v1/orgs/solo/members/olga", "{\"type\": \"admin\"}");
        var removed = olga.delete("/api/v1/orgs/solo/members/olga");
        // then
        assertThat(demoted.status()).isEqualTo(409);
        assertThat(demoted.message()).contains("last owner");
        assertThat(removed.status()).isEqualTo(409);
        assertThat(removed.message()).contains("last owner");
        assertThat(members("solo", "olga")).containsEntry("olga", "owner");

        // when: a second owner, then the first may go
        server.apiKey("oscar");
        assertThat(olga.putJson("/api/v1/orgs/solo/members/oscar", "{\"type\": \"owner\"}").status()).isEqualTo(200);
        var leaving = olga.delete("/api/v1/orgs/solo/members/olga");
        // then
        assertThat(leaving.status()).isEqualTo(200);
        assertThat(members("solo", "oscar")).containsOnlyKeys("oscar").containsEntry("oscar", "owner");
        assertThat(server.as("oscar").delete("/api/v1/orgs/solo/members/oscar").status()).isEqualTo(409);
    }

    @Test
    void adminsManageMembersButNotOwners() {
        // given
        server.createOrg("ranks", "rhea");
        server.apiKey("rami");
        server.apiKey("rolf");
        server.as("rhea").putJson("/api/v1/orgs/ranks/members/rami", "{\"type\": \"admin\"}");
        var rami = server.as("rami");
        // when
        var addMember = rami.putJson("/api/v1/orgs/ranks/members/rolf", "{}");
        var makeOwner = rami.putJson("/api/v1/orgs/ranks/members/rolf", "{\"type\": \"owner\"}");
        var removeOwner = rami.delete("/api/v1/orgs/ranks/members/rhea");
        // then
        assertThat(addMember.status()).as("%s", addMember).isEqualTo(200);
        assertThat(addMember.json().get("type").asText()).isEqualTo("member");
        assertThat(makeOwner.status()).isEqualTo(403);
        assertThat(removeOwner.status()).isEqualTo(403);
        // and site admins may do anything
        assertThat(server.as("admin").putJson("/api/v1/orgs/ranks/members/rolf", "{\"type\": \"owner\"}").status())
                .isEqualTo(200);
    }

    @Test
    void refusesOutsidersAndBadInput() {
        // given
        server.createOrg("guarded", "gil");
        server.apiKey("gina");
        server.apiKey("gwen");
        server.as("gil").putJson("/api/v1/orgs/guarded/members/gwen", "{\"type\": \"member\"}");
        var gil = server.as("gil");
        // then: outsiders and plain members 403, anonymous 401
        assertThat(server.as("gina").putJson("/api/v1/orgs/guarded/members/gina", "{\"type\": \"owner\"}").status())
                .isEqualTo(403);
        assertThat(server.as("gwen").putJson("/api/v1/orgs/guarded/members/gina", "{}").status()).isEqualTo(403);
        assertThat(server.as("gwen").delete("/api/v1/orgs/guarded/members/gil").status()).isEqualTo(403);
        assertThat(server.anonymous().delete("/api/v1/orgs/guarded/members/gwen").status()).isEqualTo(401);
        // unknown organization or user: 404
        assertThat(gil.putJson("/api/v1/orgs/no-such-org/members/gina", "{}").status()).isEqualTo(404);
        var unknownUser = gil.putJson("/api/v1/orgs/guarded/members/no-such-user", "{}");
        assertThat(unknownUser.status()).isEqualTo(404);
        assertThat(unknownUser.message()).contains("no-such-user");
        assertThat(gil.putJson("/api/v1/orgs/guarded/members/guarded", "{}").status()).isEqualTo(404);
        // bad type: 400
        var badType = gil.putJson("/api/v1/orgs/guarded/members/gina", "{\"type\": \"boss\"}");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.message()).contains("boss");
        assertThat(gil.putJson("/api/v1/orgs/guarded/members/gina", "{\"type\": 3}").status()).isEqualTo(400);
        assertThat(members("guarded", "gil")).doesNotContainKey("gina");
    }
}
