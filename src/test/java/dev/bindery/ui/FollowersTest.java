package dev.bindery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Response;
import dev.bindery.ui.AccountSecurityTest.Visitor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Following packages and their owners over HTTP: the Follow buttons' form posts, what Get Package,
 * Get User, Get Organization and Get Followers answer afterwards, and the refusals (cross-site
 * posts, packages the follower may not read, following oneself).
 */
class FollowersTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @BeforeAll
    static void seed() {
        server.createRepository("fiona", "tools", "{\"type\": \"generic\"}");
        server.createPackage("fiona", "tools", "hammer");
        server.createPackage("fiona", "tools", "saw");
        server.createRepository("fiona", "hidden", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("fiona", "hidden", "secret-tool");
        server.createOrg("forge", "fiona");
    }

    private static Visitor loggedIn(String user) {
        var visitor = new Visitor(server);
        assertThat(visitor.logIn(user, server.apiKey(user)).status()).isEqualTo(303);
        return visitor;
    }

    /** Presses the page's Follow (or Unfollow) button: the form's own fields, posted from this site. */
    private static Response pressFollowButton(Visitor visitor, String page) {
        var html = visitor.get(page).body();
        var form = html.substring(html.indexOf("<form class=\"inline\" action=\"/_follow\""));
        form = form.substring(0, form.indexOf("</form>"));
        var fields = new HashMap<String, String>();
        var matcher = java.util.regex.Pattern.compile("name=\"([a-z_]+)\" value=\"([^\"]*)\"").matcher(form);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(2).replace("&#47;", "/").replace("&amp;", "&"));
        }
        return visitor.post("/_follow", fields);
    }

    private static int packageFollowers(String pkg) {
        return server.as("fiona").get("/api/v1/packages/fiona/tools/" + pkg).json().get("followers_count").asInt();
    }

    @Test
    void followingAPackageCountsOncePerUserInGetPackageAndOnThePage() {
        // given
        var gina = loggedIn("gina");
        var hugo = loggedIn("hugo");
        assertThat(packageFollowers("hammer")).isZero();
        assertThat(gina.get("/fiona/tools/hammer").body()).contains("0 followers").contains(">Follow</button>");
        // when: gina follows, twice (a second tab), and hugo follows
        var followed = pressFollowButton(gina, "/fiona/tools/hammer");
        var again = gina.post("/_follow", Map.of("csrf", AccountSecurityTest.metaToken(gina.get("/").body()),
                "subject", "fiona", "repo", "tools", "package", "hammer", "action", "follow"));
        pressFollowButton(hugo, "/fiona/tools/hammer");
        // then: back to the page, counted once per user, in the API and on the page
        assertThat(followed.status()).isEqualTo(303);
        assertThat(followed.header("Location")).isEqualTo("/fiona/tools/hammer");
        assertThat(again.status()).isEqualTo(303);
        assertThat(packageFollowers("hammer")).isEqualTo(2);
        assertThat(packageFollowers("saw")).isZero();
        var page = gina.get("/fiona/tools/hammer").body();
        assertThat(page).contains("2 followers").contains(">Unfollow</button>");
        assertThat(server.anonymous().get("/fiona/tools/hammer").body()).contains("2 followers")
                .contains("Log in to follow");
        assertThat(gina.get("/_account").body()).contains("data-followed=\"fiona/tools/hammer\"");
        // when: gina unfollows
        var unfollowed = pressFollowButton(gina, "/fiona/tools/hammer");
        // then
        assertThat(unfollowed.status()).isEqualTo(303);
        assertThat(packageFollowers("hammer")).isEqualTo(1);
        assertThat(gina.get("/fiona/tools/hammer").body()).contains("1 follower<").contains(">Follow</button>");
        assertThat(gina.get("/_account").body()).doesNotContain("data-followed=\"fiona/tools/hammer\"");
    }

    @Test
    void getFollowersListsWhoFollowsAUserOrAnOrganizationByNamePageByPage() {
        // given: three users follow fiona, two follow the organization forge
        for (var user : new String[] {"zoe", "ivan", "jack"}) {
            pressFollowButton(loggedIn(user), "/fiona");
        }
        pressFollowButton(loggedIn("ivan"), "/forge");
        pressFollowButton(loggedIn("jack"), "/forge");
        // when
        var followers = server.as("ivan").get("/api/v1/users/fiona/followers");
        var page = server.as("ivan").get("/api/v1/users/fiona/followers?start_pos=1");
        // then: by name, with Bintray's range headers
        assertThat(followers.status()).isEqualTo(200);
        assertThat(followers.json().findValuesAsText("name")).containsExactly("ivan", "jack", "zoe");
        assertThat(followers.header("X-RangeLimit-Total")).isEqualTo("3");
        assertThat(page.json().findValuesAsText("name")).containsExactly("jack", "zoe");
        assertThat(page.header("X-RangeLimit-StartPos")).isEqualTo("1");
        assertThat(page.header("X-RangeLimit-EndPos")).isEqualTo("2");
        assertThat(server.as("ivan").get("/api/v1/users/fiona").json().get("followers_count").asInt()).isEqualTo(3);
        assertThat(server.as("ivan").get("/api/v1/orgs/forge/followers").json().findValuesAsText("name"))
                .containsExactly("ivan", "jack");
        assertThat(server.as("ivan").get("/api/v1/orgs/forge").json().get("followers_count").asInt()).isEqualTo(2);
        assertThat(server.anonymous().get("/forge").body()).contains("2 followers");
        // and: authenticated callers only; a user is no organization and the other way round
        assertThat(server.anonymous().get("/api/v1/users/fiona/followers").status()).isEqualTo(401);
        assertThat(server.as("ivan").get("/api/v1/users/forge/followers").status()).isEqualTo(404);
        assertThat(server.as("ivan").get("/api/v1/orgs/fiona/followers").status()).isEqualTo(404);
        assertThat(server.as("ivan").get("/api/v1/users/nobody-here/followers").status()).isEqualTo(404);
        assertThat(server.as("ivan").get("/api/v1/users/fiona/followers?start_pos=x").status()).isEqualTo(400);
    }

    @Test
    void crossSiteAndTokenlessFollowPostsAreRefusedAndChangeNothing() {
        // given
        var kim = loggedIn("kim");
        var csrf = AccountSecurityTest.metaToken(kim.get("/").body());
        var form = Map.of("csrf", csrf, "subject", "fiona", "repo", "tools", "package", "saw", "action", "follow");
        // when
        var crossSite = kim.post("/_follow", form, "https://evil.example");
        var noToken = kim.post("/_follow", Map.of("subject", "fiona", "repo", "tools", "package", "saw",
                "action", "follow"));
        var anonymous = new Visitor(server).post("/_follow", form);
        // then
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(packageFollowers("saw")).isZero();
    }

    @Test
    void aPackageOneMayNotReadCannotBeFollowedAndNobodyFollowsThemself() {
        // given
        var lena = loggedIn("lena");
        var csrf = AccountSecurityTest.metaToken(lena.get("/").body());
        // when
        var hidden = lena.post("/_follow", Map.of("csrf", csrf, "subject", "fiona", "repo", "hidden",
                "package", "secret-tool", "action", "follow"));
        var self = lena.post("/_follow", Map.of("csrf", csrf, "subject", "lena", "action", "follow"));
        var badAction = lena.post("/_follow", Map.of("csrf", csrf, "subject", "fiona", "action", "star"));
        var unknown = lena.post("/_follow", Map.of("csrf", csrf, "subject", "fiona", "repo", "tools",
                "package", "drill", "action", "follow"));
        // then: 404 as for anything the caller may not see, 400 for the rest
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(self.status()).isEqualTo(400);
        assertThat(self.body()).contains("cannot follow yourself");
        assertThat(badAction.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(server.as("fiona").get("/api/v1/packages/fiona/hidden/secret-tool").json()
                .get("followers_count").asInt()).isZero();
    }

    @Test
    void aDeletedPackageTakesItsFollowersWithIt() {
        // given
        server.createPackage("fiona", "tools", "chisel");
        pressFollowButton(loggedIn("mona"), "/fiona/tools/chisel");
        assertThat(packageFollowers("chisel")).isEqualTo(1);
        // when: deleted and created again
        assertThat(server.as("fiona").delete("/api/v1/packages/fiona/tools/chisel").status()).isEqualTo(200);
        server.createPackage("fiona", "tools", "chisel");
        // then
        assertThat(packageFollowers("chisel")).isZero();
        assertThat(loggedIn("mona").get("/_account").body()).doesNotContain("data-followed=\"fiona/tools/chisel\"");
    }
}
