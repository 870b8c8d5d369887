package dev.bindery.ui;

import static dev.bindery.support.GeoTestFiles.ASN_TYPES;
import static dev.bindery.support.GeoTestFiles.GEOIP2_TYPES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Browser;
import dev.bindery.support.GeoTestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The statistics page in a real browser, against downloads from known places: a small GeoIP
 * database puts 81.2.69.0/24 in GB, 216.160.83.0/24 in US and 2001:218::/32 in JP, and the server
 * trusts X-Forwarded-For from 127.0.0.1, so each download comes from where the test says. What the
 * page shows is compared with what the statistics API answers for the same range.
 */
class StatsPageTest {

    private static final String GB = "81.2.69.10";
    private static final String US = "216.160.83.5";
    private static final String JP = "2001:218::1";
    private static final String APT = "Debian APT-HTTP/1.3 (2.6.1)";
    private static final String MAVEN_WINDOWS = "Apache-Maven/3.9.6 (Java 21.0.2; Windows 11 10.0)";
    private static final String PAGE = "/ann/generic/tool/_stats";
    private static final String API = "/api/v1/packages/ann/generic/tool/stats/";

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> {
        try {
            var dir = Files.createTempDirectory("bindery-stats-page");
            dir.toFile().deleteOnExit();
            var country = GeoTestFiles.writeMmdb(dir.resolve("country.mmdb"), "GeoLite2-Country", 6, GEOIP2_TYPES,
                    Map.of("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")),
                            "216.160.83.0/24", Map.of("country", Map.of("iso_code", "US")),
                            "2001:218::/32", Map.of("country", Map.of("iso_code", "JP"))));
            var asn = GeoTestFiles.writeMmdb(dir.resolve("asn.mmdb"), "GeoLite2-ASN", 6, ASN_TYPES,
                    Map.of("81.2.69.0/24", Map.of("autonomous_system_number", 20712,
                            "autonomous_system_organization", "Andrews & Arnold Ltd")));
            return config.withTrustedProxies(List.of("127.0.0.1")).withGeoDatabases(country, asn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    @RegisterExtension
    static final Browser browser = new Browser(server::baseUrl);

    private static final AtomicLong downloads = new AtomicLong();

    @BeforeAll
    static void seed() {
        // given: a package with public statistics and two versions, downloaded from three countries
        server.createRepository("ann", "generic", "{\"type\": \"generic\"}");
        server.createPackage("ann", "generic", "tool");
        assertThat(server.as("ann").patchJson("/api/v1/packages/ann/generic/tool", "{\"public_stats\": true}").status())
                .isEqualTo(200);
        server.publishFile("ann", "generic", "tool", "1.0", "tool-1.0.zip", "one");
        server.publishFile("ann", "generic", "tool", "2.0", "tool-2.0.zip", "two");
        download("tool-1.0.zip", GB, MAVEN_WINDOWS);
        download("tool-2.0.zip", GB, MAVEN_WINDOWS);
        download("tool-2.0.zip", GB, APT);
        download("tool-2.0.zip", US, APT);
        download("tool-1.0.zip", US, APT);
        download("tool-2.0.zip", US, APT);
        download("tool-2.0.zip", US, MAVEN_WINDOWS);
        download("tool-1.0.zip", JP, MAVEN_WINDOWS);
        // and a package of the same publisher without public statistics
        server.createPackage("ann", "generic", "secret");
        server.publishFile("ann", "generic", "secret", "1.0", "secret-1.0.zip", "secret");
        server.awaitAnalytics(downloads.get());
    }

    private static void download(String file, String ip, String userAgent) {
        var response = server.anonymous().get("/dl/ann/generic/" + file, "X-Forwarded-For", ip, "User-Agent", userAgent);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        downloads.incrementAndGet();
    }

    @BeforeEach
    void startLoggedOut() {
        browser.open("/");
        browser.driver().manage().deleteAllCookies();
    }

    /** Logs in to the web UI: from then on the page and its calls to the API are the user's. */
    private static void logIn(String user) {
        browser.open("/_login");
        browser.find("#login input[name=user]").sendKeys(user);
        browser.find("#login input[name=api_key]").sendKeys(server.apiKey(user));
        browser.find("#login button[type=submit]").click();
        waitFor(() -> !browser.currentPath().startsWith("/_login"));
    }

    /** Opens the page and waits until its script has drawn everything the API answered. */
    private static void openStats() {
        browser.open(PAGE);
        waitFor(() -> "true".equals(browser.find("#stats").getDomAttribute("data-loaded"))
                && "true".equals(browser.find("#map").getDomAttribute("data-loaded")));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser.driver(), Duration.ofSeconds(15)).until(ignored -> condition.getAsBoolean());
    }

    /** The API's answer for the range the page shows. */
    private static JsonNode apiAnswer(String kind) {
        var body = "{\"from\": \"" + browser.find("#range-from").getDomProperty("value") + "\", \"to\": \""
                + browser.find("#range-to").getDomProperty("value") + "\"}";
        var response = server.anonymous().postJson(API + kind, body);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static List<List<String>> rows(String table) {
        var rows = new ArrayList<List<String>>();
        for (var row : browser.findAll("#" + table + " tbody tr")) {
            rows.add(row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList());
        }
        return rows;
    }

    @Test
    void showsTheDownloadsTheApiCountsOnTheChartAndTheMap() throws IOException {
        // when
        openStats();
        // a screenshot for the README (docs/stats-page.png) and the test outputs, before anything is hovered
        var shot = browser.screenshot("stats");
        if (Boolean.getBoolean("bindery.update.readme.screenshot")) {
            Files.copy(shot, Path.of("docs/stats-page.png"), StandardCopyOption.REPLACE_EXISTING);
        }
        // then: the chart holds every download of the range, stacked by version
        long daily = 0;
        for (var day : apiAnswer("time_range_downloads").get("records")) {
            for (var version : day.get("downloads")) {
                daily += version.get("count").asLong();
            }
        }
        assertThat(daily).isEqualTo(downloads.get());
        assertThat(browser.find("#daily-chart").getDomAttribute("data-total")).isEqualTo(String.valueOf(daily));
        assertThat(browser.text("#daily-total")).isEqualTo(daily + " in total");
        // and the map shades exactly the countries of the API's answer, with its counts
        var expected = new HashMap<String, String>();
        apiAnswer("country_downloads").get("records").forEach(record ->
                expected.put(record.get("country").asText(), record.get("count").asText()));
        assertThat(expected).containsEntry("GB", "3").containsEntry("US", "4").containsKey("JP").hasSize(3);
        var shaded = new HashMap<String, String>();
        for (var path : browser.findAll("#map path.shaded")) {
            shaded.put(path.getDomAttribute("data-country"), path.getDomAttribute("data-count"));
            assertThat(path.getDomAttribute("fill")).startsWith("hsl(");
        }
        assertThat(shaded).isEqualTo(expected);
        assertThat(browser.find("#map path[data-country=FR]").getDomAttribute("fill")).isEqualTo("var(--map-empty)");
        // and hovering a country tells its count
        // (each country's title is its tooltip on hover; focusing a shaded country shows it too)
        var unitedStates = browser.find("#map path[data-country=US]");
        assertThat(unitedStates.findElement(By.tagName("title")).getDomProperty("textContent"))
                .isEqualTo("United States: 4 downloads");
        browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus()",
                unitedStates);
        waitFor(() -> browser.find("#map-tip").isDisplayed());
        assertThat(browser.text("#map-tip")).isEqualTo("United States: 4 downloads");
        // and the organizations and clients tables are the API's
        assertThat(rows("organizations")).contains(List.of("AS20712", "Andrews & Arnold Ltd", "3"));
        var clients = new HashMap<String, String>();
        apiAnswer("client_downloads").get("records").forEach(record ->
                clients.put(record.get("client").asText(), record.get("count").asText()));
        assertThat(rows("clients")).hasSize(clients.size())
                .allSatisfy(row -> assertThat(clients).containsEntry(row.get(0), row.get(1)));
    }

    @Test
    void sortsTheCountryTableByAnyColumnWithMouseOrKeyboardAndShowsPercentages() {
        // given: the table sorted by downloads, most first
        openStats();
        var countryOs = apiAnswer("country_os_downloads").get("records");
        assertThat(rows("country-os")).extracting(row -> row.get(0))
                .containsExactly("United States (US)", "United Kingdom (GB)", "Japan (JP)");
        var downloadsHeader = browser.find("#country-os thead th:nth-child(2)");
        assertThat(downloadsHeader.getDomAttribute("aria-sort")).isEqualTo("descending");
        // when: the downloads column is clicked
        downloadsHeader.findElement(By.tagName("button")).click();
        // then: fewest first
        assertThat(downloadsHeader.getDomAttribute("aria-sort")).isEqualTo("ascending");
        var ascending = rows("country-os").stream().map(row -> Long.parseLong(row.get(1))).toList();
        assertThat(ascending).isSorted().hasSize(3).endsWith(4L);
        // when: the country column's button is focused and Enter pressed, then Space
        var countryButton = browser.find("#country-os thead th:nth-child(1) button");
        countryButton.sendKeys(Keys.ENTER);
        // then: by name, Z to A first (a new column sorts descending), then A to Z
        var countryHeader = browser.find("#country-os thead th:nth-child(1)");
        assertThat(countryHeader.getDomAttribute("aria-sort")).isEqualTo("descending");
        assertThat(downloadsHeader.getDomAttribute("aria-sort")).isNull();
        assertThat(rows("country-os")).extracting(row -> row.get(0))
                .containsExactly("United States (US)", "United Kingdom (GB)", "Japan (JP)");
        countryButton.sendKeys(Keys.SPACE);
        assertThat(countryHeader.getDomAttribute("aria-sort")).isEqualTo("ascending");
        assertThat(rows("country-os")).extracting(row -> row.get(0))
                .containsExactly("Japan (JP)", "United Kingdom (GB)", "United States (US)");
        // when: percentages are chosen
        var headers = browser.texts("#country-os thead th");
        browser.find("input[name=country-os-mode][value=percentage]").click();
        // then: each OS cell is that OS's share of its country, as the API computed it
        var table = rows("country-os");
        for (var record : countryOs) {
            var name = record.get("country").asText();
            var row = table.stream().filter(cells -> cells.get(0).endsWith("(" + name + ")")).findFirst().orElseThrow();
            assertThat(row.get(1)).isEqualTo(record.get("count").asText());
            var shares = new HashMap<String, Double>();
            record.get("os").forEach(share -> shares.put(share.get("os").asText(), share.get("percentage").asDouble()));
            for (int column = 2; column < headers.size(); column++) {
                var share = shares.getOrDefault(headers.get(column), 0.0);
                assertThat(row.get(column)).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f %%", share));
            }
        }
        // and sorting an OS column orders the countries by that share
        var osColumn = headers.size() - 1;
        browser.find("#country-os thead th:nth-child(" + (osColumn + 1) + ") button").click();
        var shares = rows("country-os").stream().map(row -> Double.parseDouble(row.get(osColumn).replace(" %", ""))).toList();
        assertThat(shares).isSortedAccordingTo(Comparator.reverseOrder());
        // when: counts again
        browser.find("input[name=country-os-mode][value=count]").click();
        assertThat(rows("country-os")).allSatisfy(row -> assertThat(row.get(2)).doesNotContain("%"));
    }

    @Test
    void clickingACountryOnTheMapFiltersTheTable() {
        // given
        openStats();
        // when
        browser.find("#map path[data-country=GB]").click();
        // then
        assertThat(rows("country-os")).extracting(row -> row.get(0)).containsExactly("United Kingdom (GB)");
        assertThat(browser.text("#country-filter")).contains("United Kingdom");
        // when: the filter is cleared, by keyboard on a country and back with the button
        browser.find("#country-filter-clear").click();
        assertThat(rows("country-os")).hasSize(3);
        browser.find("#map path[data-country=JP]").sendKeys(Keys.ENTER);
        assertThat(rows("country-os")).extracting(row -> row.get(0)).containsExactly("Japan (JP)");
    }

    @Test
    void aDownloadAppearsInTheLiveFeedOfItsPublisher() {
        // given: the publisher is logged in, so the page's calls to the API are theirs too
        logIn("ann");
        openStats();
        waitFor(() -> browser.text("#feed-status").startsWith("Watching"));
        // and the daily log files are listed, with links in both formats
        waitFor(() -> !browser.findAll("#logs a.log-csv").isEmpty());
        var apache = browser.find("#logs a.log-apache").getDomAttribute("href");
        assertThat(apache).startsWith("/api/v1/packages/ann/generic/tool/logs/downloads-");
        assertThat(browser.find("#logs a.log-csv").getDomAttribute("href")).isEqualTo(apache + "?format=csv");
        assertThat(server.as("ann").get(apache).status()).isEqualTo(200);
        assertThat(browser.find("#usage-csv").getDomAttribute("href"))
                .startsWith("/api/v1/usage_data/traffic?filter_by%5Bsubject%5D=ann&")
                .contains("start_date=" + browser.find("#range-from").getDomProperty("value"));
        // when: somebody in Japan downloads while the page is open
        download("tool-2.0.zip", JP, APT);
        // then: it appears without a reload
        waitFor(() -> !browser.findAll("#feed li[data-path='tool-2.0.zip']").isEmpty());
        assertThat(browser.find("#feed li").getDomAttribute("data-country")).isEqualTo("JP");
        assertThat(browser.text("#feed li")).contains("tool-2.0.zip", "version 2.0", "Japan");
        server.awaitAnalytics(downloads.get());
    }

    @Test
    void visitorsOfPublicStatisticsSeeNoFeedAndNoLogs() {
        // when: anonymous, then logged in as somebody else
        openStats();
        var anonymous = browser.text("#publishers-only");
        logIn("gus");
        openStats();
        // then: the page offers neither (the API would refuse both)
        assertThat(anonymous).contains("publishers");
        assertThat(browser.text("#publishers-only")).contains("publishers");
        assertThat(browser.findAll("#feed")).isEmpty();
        assertThat(browser.findAll("#logs")).isEmpty();
        assertThat(server.as("gus").get("/api/v1/packages/ann/generic/tool/logs").status()).isEqualTo(403);
    }

    @Test
    void theRepositoryPageShowsEachPackagesDownloadsToItsPublisher() {
        // given
        logIn("ann");
        // when: from the repository page
        browser.open("/ann/generic");
        browser.find("#stats-link").click();
        browser.awaitPath("/ann/generic/_stats");
        waitFor(() -> "true".equals(browser.find("#stats").getDomAttribute("data-loaded")));
        // then: the API's totals, each package linking to its own statistics
        var totals = server.as("ann").postJson("/api/v1/repos/ann/generic/stats/total_downloads", "{}").json();
        var expected = new ArrayList<List<String>>();
        totals.get("records").forEach(record -> expected.add(List.of(record.get("package").asText(),
                record.get("count").asText())));
        assertThat(rows("package-totals")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(browser.links("#package-totals a")).contains("/ann/generic/tool/_stats");
        waitFor(() -> browser.text("#feed-status").startsWith("Watching"));
    }

    @Test
    void refusesWhoTheApiRefusesAndOpensWhenStatisticsArePublic() {
        // given: statistics of 'secret' are its publishers'
        var api = server.anonymous().postJson("/api/v1/packages/ann/generic/secret/stats/country_downloads", "{}");
        var page = server.anonymous().get("/ann/generic/secret/_stats");
        // then: the page refuses as the API does
        assertThat(api.status()).isEqualTo(401);
        assertThat(page.status()).isEqualTo(401);
        browser.open("/ann/generic/secret/_stats");
        assertThat(browser.text("h1")).isEqualTo("Log in required");
        assertThat(browser.text("p.error")).isEqualTo(api.message());
        // and the repository's statistics are its publishers' too
        assertThat(server.anonymous().get("/ann/generic/_stats").status())
                .isEqualTo(server.anonymous().get("/api/v1/repos/ann/generic/live_feed").status()).isEqualTo(401);
        // and a logged-in outsider gets the API's 403
        var outsider = server.as("gus").postJson("/api/v1/packages/ann/generic/secret/stats/country_downloads", "{}");
        logIn("gus");
        browser.open("/ann/generic/secret/_stats");
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(browser.text("h1")).isEqualTo("Error 403");
        assertThat(browser.text("p.error")).isEqualTo(outsider.message());
        // and an unknown package is not found, as in the API
        assertThat(server.anonymous().get("/ann/generic/nope/_stats").status()).isEqualTo(404);
        try {
            // when: the publisher makes them public
            assertThat(server.as("ann").patchJson("/api/v1/packages/ann/generic/secret", "{\"public_stats\": true}")
                    .status()).isEqualTo(200);
            // then: the page opens for everybody, linked from the package page
            browser.open("/ann/generic/secret");
            browser.find("#stats-link").click();
            browser.awaitPath("/ann/generic/secret/_stats");
            assertThat(browser.text("h1")).isEqualTo("Statistics");
            try { Thread.sleep(2000); } catch (InterruptedException e) { }
            assertThat(browser.text("#status")).doesNotContain("Could not");
        } finally {
            server.as("ann").patchJson("/api/v1/packages/ann/generic/secret", "{\"public_stats\": false}");
        }
    }

    @Test
    void aCustomRangeAsksTheApiForThatRange() {
        // given
        openStats();
        // when: a range of days long before any download
        new org.openqa.selenium.support.ui.Select(browser.find("#range-preset")).selectByValue("custom");
        setDate("#range-from", "2020-01-01");
        setDate("#range-to", "2020-01-31");
        browser.find("#range-apply").click();
        waitFor(() -> browser.text("#status").startsWith("2020-01-01 to 2020-01-31"));
        // then
        assertThat(browser.find("#daily-chart").getDomAttribute("data-total")).isEqualTo("0");
        assertThat(browser.findAll("#map path.shaded")).isEmpty();
        assertThat(browser.text("#clients tbody")).isEqualTo("No downloads in this range.");
        // when: back to the last 7 days
        new org.openqa.selenium.support.ui.Select(browser.find("#range-preset")).selectByValue("7");
        waitFor(() -> "true".equals(browser.find("#stats").getDomAttribute("data-loaded"))
                && !browser.findAll("#map path.shaded").isEmpty());
        assertThat(browser.findAll("#map path.shaded")).hasSize(3);
    }

    private static void setDate(String css, String value) {
        browser.driver().executeScript("arguments[0].value = arguments[1]", browser.find(css), value);
    }
}
