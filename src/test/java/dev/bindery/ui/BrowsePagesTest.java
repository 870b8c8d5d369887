package dev.bindery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The browse pages in a real browser: each renders what was seeded through the REST API, and
 * what an anonymous caller may not read is missing from every page, as in the API.
 */
class BrowsePagesTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @RegisterExtension
    static final Browser browser = new Browser(server::baseUrl);

    private static String sha256;

    @BeforeAll
    static void seed() {
        // A public generic repository with a package, one version and two files (one in the download list)
        server.createRepository("ursula", "tools", "{\"type\": \"generic\", \"desc\": \"Ursula's tools\","
                + " \"labels\": [\"cli\", \"workshop\"]}");
        var created = server.as("ursula").postJson("/api/v1/packages/ursula/tools", """
                {"name": "hammer", "desc": "Hammers <b>nails</b> & more", "labels": ["hardware"],
                 "licenses": ["Apache-2.0"], "website_url": "https://hammer.example.com",
                 "vcs_url": "https://git.example.com/hammer.git", "issue_tracker_url": "https://bugs.example.com/hammer",
                 "public_download_numbers": true}""");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        server.publishFile("ursula", "tools", "hammer", "1.0", "hammer/1.0/hammer-1.0.tar.gz", "hammer bytes");
        server.publishFile("ursula", "tools", "hammer", "1.0", "hammer/1.0/README.txt", "read me");
        var listed = server.as("ursula").putJson("/api/v1/file_metadata/ursula/tools/hammer/1.0/hammer-1.0.tar.gz",
                "{\"list_in_downloads\": true}");
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        sha256 = sha256Of("hammer bytes");
        // One download, for the package page's count
        assertThat(server.anonymous().get("/dl/ursula/tools/hammer/1.0/hammer-1.0.tar.gz").status()).isEqualTo(200);
        server.awaitAnalytics(1);
        // A private repository, published too: nobody anonymous may see any of it
        server.createRepository("ursula", "secret", "{\"type\": \"generic\", \"private\": true}");
        server.createPackage("ursula", "secret", "hidden");
        server.publishFile("ursula", "secret", "hidden", "9.9", "hidden-9.9.bin", "secret bytes");
        // An organization with a public repository
        server.createOrg("acme", "ursula");
        var org = server.as("ursula").postJson("/api/v1/repos/acme/releases", "{\"type\": \"generic\"}");
        assertThat(org.status()).as(org.toString()).isEqualTo(201);
        var sneaky = server.as("ursula").postJson("/api/v1/packages/acme/releases", """
                {"name": "sneaky", "licenses": ["MIT"], "vcs_url": "https://git.example.com/sneaky.git",
                 "website_url": "javascript:alert(1)"}""");
        assertThat(sneaky.status()).as(sneaky.toString()).isEqualTo(201);
    }

    private static String sha256Of(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void packageAndVersionPagesShowTheReadmeAndReleaseNotesWithHtmlEscaped() {
        // given: a Markdown readme with raw HTML and a javascript: link, version release notes in plain text
        var ursula = server.as("ursula");
        assertThat(ursula.postJson("/api/v1/packages/ursula/tools/hammer/readme", "{\"bintray\": {\"content\":"
                + " \"# Hammer\\n\\nHits **nails**. <script>alert(1)</script> [x](javascript:alert(1))\"}}").status())
                .isEqualTo(200);
        assertThat(ursula.postJson("/api/v1/packages/ursula/tools/hammer/versions/1.0/release_notes",
                "{\"bintray\": {\"syntax\": \"plain_text\", \"content\": \"Heavier <head>.\"}}").status())
                .isEqualTo(200);
        // when
        browser.open("/ursula/tools/hammer");
        // then: Markdown rendered, raw HTML shown as text, no script element, no javascript: link
        assertThat(browser.text("#readme h1")).isEqualTo("Hammer");
        assertThat(browser.text("#readme strong")).isEqualTo("nails");
        assertThat(browser.text("#readme")).contains("<script>alert(1)</script>");
        assertThat(browser.findAll("#readme script")).isEmpty();
        assertThat(browser.links("#readme a")).noneMatch(href -> href != null && href.startsWith("javascript"));
        // when
        browser.open("/ursula/tools/hammer/1.0");
        // then
        assertThat(browser.text("#release-notes")).contains("Heavier <head>.");
    }

    @Test
    void homeListsRecentlyPublishedVersionsButNotPrivateOnes() {
        // when
        browser.open("/");
        browser.screenshot("home");
        // then
        assertThat(browser.texts("#recent li a")).contains("hammer 1.0").doesNotContain("hidden 9.9");
        assertThat(browser.links("#recent li a")).contains("/ursula/tools/hammer/1.0");
        assertThat(browser.find("footer a[href='https://db-ip.com']").getText()).isEqualTo("DB-IP");
        assertThat(browser.text("footer")).contains("IP geolocation by DB-IP");
    }

    @Test
    void searchFindsPackagesAndFilesThroughTheSearchBox() {
        // given
        browser.open("/");
        // when: typing into the header's search box
        var box = browser.find("header form.search input[name=q]");
        box.sendKeys("hamm");
        box.submit();
        // then
        browser.awaitPath("/?q=hamm");
        assertThat(browser.find("header form.search input[name=q]").getDomProperty("value")).isEqualTo("hamm");
        assertThat(browser.links("#package-results li > a")).containsExactly("/ursula/tools/hammer");
        assertThat(browser.texts("#file-results li > a:first-child")).containsExactly("hammer-1.0.tar.gz");
        assertThat(browser.links("#file-results li > a:first-child"))
                .containsExactly("/dl/ursula/tools/hammer/1.0/hammer-1.0.tar.gz");
        // Repository search needs an authenticated caller, as in the API
        assertThat(browser.text("#repository-results")).contains("Log in to search repositories");
    }

    @Test
    void searchDoesNotFindPackagesOfPrivateRepositories() {
        // when
        browser.open("/?q=hidden");
        // then
        assertThat(browser.text("#package-results")).contains("No package matches");
        assertThat(browser.text("#file-results")).contains("No file matches");
    }

    @Test
    void subjectPageListsOnlyTheRepositoriesTheCallerMayRead() {
        // when
        browser.open("/ursula");
        browser.screenshot("subject");
        // then
        assertThat(browser.text("h1")).contains("ursula").contains("user");
        assertThat(browser.links("#repositories li > a")).containsExactly("/ursula/tools");
        assertThat(browser.text("#repositories")).contains("Ursula's tools").doesNotContain("secret");
    }

    @Test
    void organizationPageListsItsRepositories() {
        // when
        browser.open("/acme");
        // then
        assertThat(browser.text("h1")).contains("acme").contains("organization");
        assertThat(browser.links("#repositories li > a")).containsExactly("/acme/releases");
        // members are shown to authenticated callers only, like the API's Get Organization
        assertThat(browser.findAll("#members")).isEmpty();
    }

    @Test
    void repositoryPageShowsPackagesTypeLabelsAndADownloadCommandThatWorks() throws Exception {
        // when
        browser.open("/ursula/tools");
        browser.screenshot("repository");
        // then
        assertThat(browser.text("#repository-type")).isEqualTo("generic");
        assertThat(browser.texts("ul.labels li")).containsExactly("cli", "workshop");
        assertThat(browser.links("#packages li > a")).containsExactly("/ursula/tools/hammer");
        var command = browser.text("#setup-curl pre");
        var url = server.baseUrl() + "/dl/ursula/tools/hammer/1.0/README.txt";
        assertThat(command).isEqualTo("curl -fLO " + url);
        // and the URL it prints downloads the file
        var download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("read me");
    }

    @Test
    void packagePageShowsItsMetadataVersionsAndDownloads() {
        // when
        browser.open("/ursula/tools/hammer");
        browser.screenshot("package");
        // then: the description is text, not markup
        assertThat(browser.text("#description")).isEqualTo("Hammers <b>nails</b> & more");
        assertThat(browser.findAll("#description b")).isEmpty();
        assertThat(browser.texts("ul.labels li")).containsExactly("hardware");
        assertThat(browser.text("#licenses")).isEqualTo("Apache-2.0");
        assertThat(browser.find("#website").getDomAttribute("href")).isEqualTo("https://hammer.example.com");
        assertThat(browser.find("#vcs").getDomAttribute("href")).isEqualTo("https://git.example.com/hammer.git");
        assertThat(browser.find("#issues").getDomAttribute("href")).isEqualTo("https://bugs.example.com/hammer");
        assertThat(browser.text("#latest-version")).isEqualTo("1.0");
        assertThat(browser.links("#versions li > a")).containsExactly("/ursula/tools/hammer/1.0");
        assertThat(browser.text("#downloads")).isEqualTo("1");
    }

    @Test
    void packageLinksThatAreNotWebAddressesAreNotLinked() {
        // when
        browser.open("/acme/releases/sneaky");
        // then: shown as text, never as a link that runs script
        assertThat(browser.text("#website")).isEqualTo("javascript:alert(1)");
        assertThat(browser.find("#website").getDomAttribute("href")).isNull();
        assertThat(browser.find("#vcs").getDomAttribute("href")).isEqualTo("https://git.example.com/sneaky.git");
    }

    @Test
    void versionPageListsFilesWithTheDownloadListFirst() {
        // when
        browser.open("/ursula/tools/hammer/1.0");
        browser.resize(390, 844);
        browser.screenshot("version-phone");
        browser.resize(1280, 900);
        browser.screenshot("version");
        // then
        assertThat(browser.links("table.files a.download")).containsExactly(
                "/dl/ursula/tools/hammer/1.0/hammer-1.0.tar.gz", "/dl/ursula/tools/hammer/1.0/README.txt");
        var first = browser.find("table.files tbody tr");
        assertThat(first.getText()).contains("download list").contains("12 B").contains(sha256);
    }

    @Test
    void privateRepositoryPagesAskAnonymousCallersToLogIn() {
        // when
        var repository = server.anonymous().get("/ursula/secret");
        var pkg = server.anonymous().get("/ursula/secret/hidden");
        browser.open("/ursula/secret/hidden/9.9");
        // then: the API's answer to the same caller (401), as a page without a Basic prompt
        assertThat(server.anonymous().get("/api/v1/repos/ursula/secret").status()).isEqualTo(401);
        assertThat(repository.status()).isEqualTo(401);
        assertThat(pkg.status()).isEqualTo(401);
        assertThat(pkg.header("Content-Type")).startsWith("text/html");
        assertThat(pkg.header("WWW-Authenticate")).isNull();
        assertThat(browser.text("h1")).isEqualTo("Log in required");
        assertThat(browser.text("main")).doesNotContain("9.9").doesNotContain("hidden-9.9.bin");
    }

    @Test
    void missingPagesAreNotFound() {
        // when
        browser.open("/ursula/nothing-here");
        // then
        assertThat(browser.text("h1")).isEqualTo("Not found");
        assertThat(browser.text("p.error")).isEqualTo("Repository 'ursula/nothing-here' was not found");
        assertThat(server.anonymous().get("/nobody").status()).isEqualTo(404);
    }

    @Test
    void fixedPathsAreNotTakenBySubjectPages() {
        // then: /health and the API keep answering JSON
        assertThat(server.anonymous().get("/health").body()).contains("\"status\"");
        assertThat(server.anonymous().get("/api/v1/repos/ursula").header("Content-Type")).startsWith("application/json");
        var unknown = server.anonymous().get("/api/v1/no/such/thing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.message()).isEqualTo("Resource '/api/v1/no/such/thing' was not found");
        var css = server.anonymous().get("/assets/bindery.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.header("Content-Type")).startsWith("text/css");
        assertThat(css.body()).contains("prefers-color-scheme: dark");
        assertThat(server.anonymous().get("/assets/../ui/assets/bindery.css").status()).isEqualTo(404);
        assertThat(server.anonymous().get("/assets/nothing.css").status()).isEqualTo(404);
    }
}
