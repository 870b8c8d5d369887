package dev.bindery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Browser;
import dev.bindery.support.Client;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Logging in and the account page in a real browser: what a user does there works against the
 * REST API at once (tokens, API keys, GPG keys), and logging out ends it.
 */
class AccountPagesTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @RegisterExtension
    static final Browser browser = new Browser(server::baseUrl);

    @BeforeAll
    static void seed() {
        // A private repository of victor's, which only he may see
        server.createRepository("victor", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createRepository("victor", "open", "{\"type\": \"generic\"}");
    }

    @BeforeEach
    void startLoggedOut() {
        browser.open("/");
        browser.driver().manage().deleteAllCookies();
    }

    private void logIn(String user, String apiKey) {
        browser.open("/_login");
        browser.find("#login input[name=user]").sendKeys(user);
        browser.find("#login input[name=api_key]").sendKeys(apiKey);
        browser.find("#login button[type=submit]").click();
    }

    @Test
    void logInWithTheRightKeyShowsPrivateRepositoriesAndTheUserInTheHeader() {
        // given: anonymous, the private repository is not listed
        browser.open("/victor");
        assertThat(browser.texts("#repositories li a")).contains("open").doesNotContain("secret");
        assertThat(browser.text("header nav a.login")).isEqualTo("Log in");
        // when: the account page sends us to log in, and back
        browser.open("/_account").awaitPath("/_login?next=%2F_account");
        browser.screenshot("login");
        browser.find("#login input[name=user]").sendKeys("victor");
        browser.find("#login input[name=api_key]").sendKeys(server.apiKey("victor"));
        browser.find("#login button[type=submit]").click();
        browser.awaitPath("/_account");
        // then
        assertThat(browser.text("h1")).isEqualTo("Account: victor");
        assertThat(browser.text("header nav a.who")).isEqualTo("victor");
        assertThat(browser.text("header nav form.logout button")).isEqualTo("Log out");
        assertThat(browser.findAll("header nav a.login")).isEmpty();
        var cookie = browser.driver().manage().getCookieNamed(WebSessions.COOKIE);
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");
        browser.open("/victor");
        assertThat(browser.texts("#repositories li a")).contains("open", "secret");
        browser.open("/victor/secret");
        assertThat(browser.text("h1")).contains("secret");
    }

    @Test
    void wrongKeyIsRefused() {
        // when
        logIn("victor", "0000000000000000000000000000000000000000");
        // then: the form again, with the error and the name typed, and no session
        browser.awaitPath("/_login");
        assertThat(browser.text("#login-error")).contains("Wrong user name or API key");
        assertThat(browser.find("#login input[name=user]").getDomProperty("value")).isEqualTo("victor");
        assertThat(browser.driver().manage().getCookieNamed(WebSessions.COOKIE)).isNull();
        browser.open("/victor");
        assertThat(browser.texts("#repositories li a")).doesNotContain("secret");
    }

    @Test
    void tokenIsShownOnceWorksAsBearerAndRevocationMakesIt401() {
        // given
        logIn("wendy", server.apiKey("wendy"));
        browser.awaitPath("/wendy");
        browser.open("/_account");
        // when: a token of scope admin, expiring in 30 days
        browser.find("#create-token input[name=name]").sendKeys("ci");
        new Select(browser.find("#create-token select[name=scope]")).selectByValue("admin");
        browser.find("#create-token input[name=expires_days]").sendKeys("30");
        browser.find("#create-token button[type=submit]").click();
        // then: shown once, and it works against the API
        var token = new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .until(driver -> driver.findElement(By.id("secret-value"))).getText();
        browser.screenshot("account-token");
        assertThat(token).startsWith("bdt_");
        assertThat(browser.text("#tokens tr[data-token=ci]")).contains("admin");
        var bearer = Client.bearer(server.baseUrl(), token);
        assertThat(bearer.get("/api/v1/users/wendy/tokens").status()).isEqualTo(200);
        assertThat(bearer.postJson("/api/v1/repos/wendy/made-with-token", "{\"type\": \"generic\"}").status())
                .isEqualTo(201);
        var listed = server.as("wendy").get("/api/v1/users/wendy/tokens").json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("expiry").isNull()).isFalse();
        browser.open("/_account");
        assertThat(browser.findAll("#secret-value")).isEmpty();
        assertThat(browser.driver().getPageSource()).doesNotContain(token);
        // when: revoked
        browser.find("#tokens tr[data-token=ci] button.revoke").click();
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("notice")));
        // then
        assertThat(browser.text("#notice")).contains("revoked");
        assertThat(bearer.get("/api/v1/repos/wendy").status()).isEqualTo(401);
        assertThat(browser.findAll("#tokens tr[data-token=ci]")).isEmpty();
    }

    @Test
    void regeneratingTheApiKeyMakesTheOldOneFail() {
        // given
        var oldKey = server.apiKey("xena");
        logIn("xena", oldKey);
        browser.awaitPath("/xena");
        browser.open("/_account");
        // when
        browser.find("#regenerate-api-key").click();
        var newKey = new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .until(driver -> driver.findElement(By.id("secret-value"))).getText();
        // then: the old key fails, the new one works, and this browser is still logged in
        assertThat(newKey).matches("[0-9a-f]{40}").isNotEqualTo(oldKey);
        assertThat(server.withCredentials("xena", oldKey).get("/api/v1/users/xena").status()).isEqualTo(401);
        assertThat(server.withCredentials("xena", newKey).get("/api/v1/users/xena").status()).isEqualTo(200);
        browser.open("/_account");
        assertThat(browser.text("h1")).isEqualTo("Account: xena");
    }

    @Test
    void generatedGpgKeyIsTheOneTheApiServes() {
        // given
        logIn("yuri", server.apiKey("yuri"));
        browser.awaitPath("/yuri");
        browser.open("/_account");
        assertThat(browser.find("#gpg .empty").getText()).contains("No GPG key");
        // when
        browser.find("#generate-gpg-key button[type=submit]").click();
        new WebDriverWait(browser.driver(), Duration.ofSeconds(60)).until(driver -> driver.findElement(By.id("gpg-fingerprint")));
        // then
        browser.screenshot("account-gpg");
        var shown = browser.find("#gpg-public-key").getText().strip();
        var served = server.anonymous().get("/api/v1/users/yuri/keys/gpg/public.key");
        assertThat(served.status()).isEqualTo(200);
        assertThat(shown).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----").isEqualTo(served.body().strip());
        var fingerprint = server.as("yuri").get("/api/v1/users/yuri/keys/gpg").json().get("fingerprint").asText();
        assertThat(browser.text("#gpg-fingerprint")).isEqualTo(fingerprint);
        // when: deleted
        browser.find("#delete-gpg-key").click();
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("notice")));
        assertThat(server.anonymous().get("/api/v1/users/yuri/keys/gpg/public.key").status()).isEqualTo(404);
    }

    @Test
    void crossSiteFormPostIsRefused() {
        // given: logged in, and a page of another origin (a data: URL) with a form posting here
        logIn("zoe", server.apiKey("zoe"));
        browser.awaitPath("/zoe");
        var html = "<form id=f method=post action='" + server.baseUrl() + "/_account/tokens'>"
                + "<input name=name value=evil><input name=scope value=admin><input name=csrf value=guess></form>"
                + "<script>document.getElementById('f').submit()</script>";
        // when
        browser.driver().get("data:text/html;charset=utf-8," + java.net.URLEncoder.encode(html,
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .until(driver -> driver.getCurrentUrl().startsWith(server.baseUrl()));
        // then: refused (SameSite keeps the cookie home; the origin and token checks refuse it anyway)
        assertThat(browser.driver().getPageSource()).containsAnyOf("Error 403", "Error 401");
        assertThat(server.as("zoe").get("/api/v1/users/zoe/tokens").json()).isEmpty();
    }

    @Test
    void logOutEndsTheSession() {
        // given
        logIn("victor", server.apiKey("victor"));
        browser.awaitPath("/victor");
        var session = browser.driver().manage().getCookieNamed(WebSessions.COOKIE).getValue();
        // when
        browser.find("header nav form.logout button").click();
        browser.awaitPath("/");
        // then
        assertThat(browser.text("header nav a.login")).isEqualTo("Log in");
        assertThat(browser.driver().manage().getCookieNamed(WebSessions.COOKIE)).isNull();
        var replay = server.anonymous().get("/_account", "Cookie", WebSessions.COOKIE + "=" + session);
        assertThat(replay.status()).isEqualTo(302);
        browser.open("/victor");
        assertThat(browser.texts("#repositories li a")).doesNotContain("secret");
    }

    @Test
    void followButtonFollowsThePackageAndTheAccountPageUnfollows() {
        // given
        server.createPackage("victor", "open", "lathe");
        browser.open("/victor/open/lathe");
        assertThat(browser.text("#follow a.login")).isEqualTo("Log in to follow");
        logIn("yara", server.apiKey("yara"));
        browser.awaitPath("/yara");
        browser.open("/victor/open/lathe");
        assertThat(browser.text("#followers-count")).isEqualTo("0 followers");
        // when
        browser.find("#follow-button").click();
        // then: back on the page, followed, and counted by the API
        // The page is replaced while the wait reads it: an element found on the old one goes stale.
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(driver -> driver.findElement(By.id("follow-button")).getText().equals("Unfollow"));
        assertThat(browser.currentPath()).isEqualTo("/victor/open/lathe");
        assertThat(browser.text("#followers-count")).isEqualTo("1 follower");
        browser.screenshot("package-followed");
        assertThat(server.as("victor").get("/api/v1/packages/victor/open/lathe").json().get("followers_count").asInt())
                .isEqualTo(1);
        // when: unfollowed from the account page
        browser.open("/_account");
        assertThat(browser.texts("#following li a")).contains("victor/open/lathe");
        browser.find("#following li[data-followed='victor/open/lathe'] button.unfollow").click();
        // then: the account page comes back without it (same path, so wait for the new page's list)
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(driver -> !browser.texts("#following li a").contains("victor/open/lathe"));
        assertThat(browser.currentPath()).isEqualTo("/_account");
        assertThat(server.as("victor").get("/api/v1/packages/victor/open/lathe").json().get("followers_count").asInt())
                .isZero();
    }
}
