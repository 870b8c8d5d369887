package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Response;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GET MyJFrog Usage Data ({@code /api/v1/usage_data/traffic}) over the daily CSV download log files. */
class UsageDataTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config
            .withTrustedProxies(List.of("127.0.0.1")));

    /** Every export comes from its own address, so the per-address rate limit never binds here. */
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private static final String DAY = TODAY + "T00:00:00Z";

    /**
     * Four downloads of {@code owner}'s files: the generic {@code tool-1.0.zip} (3 bytes) twice by
     * anonymous from .10 and once by {@code reader} from .11; the maven {@code lib-1.0.jar} (5 bytes)
     * once by anonymous from .12.
     */
    private static void givenTraffic(String owner) {
        server.createRepository(owner, "files");
        server.createPackage(owner, "files", "tool");
        server.publishFile(owner, "files", "tool", "1.0", "tool-1.0.zip", "abc");
        server.createRepository(owner, "jars", "{\"type\": \"maven\"}");
        server.createPackage(owner, "jars", "lib");
        server.publishFile(owner, "jars", "lib", "1.0", "com/example/lib/1.0/lib-1.0.jar", "12345");
        server.apiKey("reader");
        long before = server.bindery().analytics().recorded();
        download(server.anonymous().get("/dl/" + owner + "/files/tool-1.0.zip", "X-Forwarded-For", "198.51.100.10"));
        download(server.anonymous().get("/dl/" + owner + "/files/tool-1.0.zip", "X-Forwarded-For", "198.51.100.10"));
        download(server.as("reader").get("/dl/" + owner + "/files/tool-1.0.zip", "X-Forwarded-For", "198.51.100.11"));
        download(server.anonymous().get("/dl/" + owner + "/jars/com/example/lib/1.0/lib-1.0.jar",
                "X-Forwarded-For", "198.51.100.12"));
        server.awaitAnalytics(before + 4);
    }

    private static void download(Response response) {
        assertThat(response.status()).isEqualTo(200);
    }

    private static Response export(String user, String query) {
        var client = user == null ? server.anonymous() : server.as(user);
        int address = NEXT_ADDRESS.getAndIncrement();
        return client.get("/api/v1/usage_data/traffic?" + query, "X-Forwarded-For",
                "10.9." + (address / 250) + "." + (address % 250 + 1));
    }

    /** A valid query over the last {@code days} days (both ends counted) plus {@code extra}. */
    private static String query(String granularity, int days, String extra) {
        return "format=csv&start_date=" + TODAY.minusDays(days - 1) + "&end_date=" + TODAY + "&granularity="
                + granularity + "&samples=100" + extra;
    }

    private static List<String> lines(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.body().lines().toList();
    }

    @Test
    void sumsTheCallersDownloadsPerDayAsACsvDownload() {
        // given
        givenTraffic("alma");
        // when
        var response = export("alma", query("day", 10, ""));
        // then
        assertThat(lines(response)).containsExactly("day,downloads,bytes", DAY + ",4,14");
        assertThat(response.header("Content-Type")).startsWith("text/csv");
        var fileName = "Bindery-data-transfer-" + TODAY.minusDays(9).toString().replace("-", "") + "-"
                + TODAY.toString().replace("-", "") + ".csv";
        assertThat(response.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + fileName + "\"");
    }

    @Test
    void groupsByRepositoryAndUsernameMostBytesFirst() {
        // given
        givenTraffic("bert");
        // when
        var response = export("bert", query("day", 1, "&group_by=repository&group_by=username"));
        // then
        assertThat(lines(response)).containsExactly("day,repository,username,downloads,bytes",
                DAY + ",files,anonymous,2,6",
                DAY + ",jars,anonymous,1,5",
                DAY + ",files,reader,1,3");
    }

    @Test
    void groupsByPackageTypeActionAndSubject() {
        // given
        givenTraffic("cleo");
        // when
        var response = export("cleo", query("day", 3,
                "&group_by=package_type&group_by=repo_type&group_by=action&group_by=subject"));
        // then
        assertThat(lines(response)).containsExactly("day,package_type,repo_type,action,subject,downloads,bytes",
                DAY + ",generic,generic,download,cleo,3,9",
                DAY + ",maven,maven,download,cleo,1,5");
    }

    @Test
    void filtersWithAlternativesOfOneKeyAndAllKeys() {
        // given
        givenTraffic("dora");
        // when
        var maven = export("dora", query("day", 1, "&filter_by%5Bpackage_type%5D=maven"));
        var twoAddresses = export("dora", query("day", 1,
                "&filter_by%5Bip%5D=198.51.100.10&filter_by%5Bip%5D=198.51.100.11"));
        var bothKeys = export("dora", query("day", 1, "&filter_by%5Brepository%5D=files&filter_by%5Busername%5D=reader"
                + "&filter_by%5Baction%5D=download&filter_by%5Bartifact_path%5D=tool-1.0.zip"));
        var uploads = export("dora", query("day", 1, "&filter_by%5Baction%5D=upload"));
        // then
        assertThat(lines(maven)).containsExactly("day,downloads,bytes", DAY + ",1,5");
        assertThat(lines(twoAddresses)).containsExactly("day,downloads,bytes", DAY + ",3,9");
        assertThat(lines(bothKeys)).containsExactly("day,downloads,bytes", DAY + ",1,3");
        assertThat(lines(uploads)).containsExactly("day,downloads,bytes");
    }

    @Test
    void groupsByAddressAndPathOverThirtyTwoDaysAndKeepsTheTopSamples() {
        // given
        givenTraffic("emil");
        // when
        var byAddress = export("emil", query("day", 32, "&group_by=ip"));
        var topTwo = export("emil", query("day", 32, "&group_by=ip").replace("samples=100", "samples=2"));
        var byPath = export("emil", query("day", 40, "&group_by=artifact_path"));
        // then
        assertThat(lines(byAddress)).containsExactly("day,ip,downloads,bytes",
                DAY + ",198.51.100.10,2,6",
                DAY + ",198.51.100.12,1,5",
                DAY + ",198.51.100.11,1,3");
        assertThat(lines(topTwo)).containsExactly("day,ip,downloads,bytes",
                DAY + ",198.51.100.10,2,6",
                DAY + ",198.51.100.12,1,5");
        assertThat(lines(byPath)).containsExactly("day,artifact_path,downloads,bytes",
                DAY + ",tool-1.0.zip,3,9",
                DAY + ",com/example/lib/1.0/lib-1.0.jar,1,5");
    }

    @Test
    void sumsPerCalendarMonth() {
        // given
        givenTraffic("fred");
        // when
        var response = export("fred", query("month", 60, "&group_by=repository"));
        // then
        var month = TODAY.withDayOfMonth(1) + "T00:00:00Z";
        assertThat(lines(response)).containsExactly("month,repository,downloads,bytes",
                month + ",files,3,9",
                month + ",jars,1,5");
    }

    @Test
    void coversTheCallersAdministeredOrganizationsAndNarrowsBySubject() {
        // given: gina's own traffic and her organization's
        givenTraffic("gina");
        server.createOrg("gina-org", "gina");
        assertThat(server.as("gina").postJson("/api/v1/repos/gina-org/files", "{\"type\": \"generic\"}").status())
                .isEqualTo(201);
        assertThat(server.as("gina").postJson("/api/v1/packages/gina-org/files", "{\"name\": \"tool\","
                + " \"licenses\": [\"Apache-2.0\"], \"vcs_url\": \"https://example.com/tool.git\"}").status())
                .isEqualTo(201);
        assertThat(server.as("gina").put("/api/v1/content/gina-org/files/tool/1.0/tool-1.0.zip?publish=1", "abcdefg")
                .status()).isEqualTo(201);
        long before = server.bindery().analytics().recorded();
        download(server.anonymous().get("/dl/gina-org/files/tool-1.0.zip", "X-Forwarded-For", "198.51.100.20"));
        server.awaitAnalytics(before + 1);
        // when
        var all = export("gina", query("day", 1, "&group_by=subject"));
        var org = export("gina", query("day", 1, "&filter_by%5Bsubject%5D=gina-org"));
        var stranger = export("hugo", query("day", 1, ""));
        // then
        assertThat(lines(all)).containsExactly("day,subject,downloads,bytes",
                DAY + ",gina,4,14",
                DAY + ",gina-org,1,7");
        assertThat(lines(org)).containsExactly("day,downloads,bytes", DAY + ",1,7");
        assertThat(lines(stranger)).containsExactly("day,downloads,bytes");
    }

    @Test
    void refusesOtherSubjectsAndAnonymousCallers() {
        // given
        givenTraffic("ines");
        // when
        var other = export("jack", query("day", 1, "&filter_by%5Bsubject%5D=ines"));
        var anonymous = export(null, query("day", 1, ""));
        var badKey = server.withCredentials("ines", "wrong-key").get("/api/v1/usage_data/traffic?" + query("day", 1, ""));
        // then
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.message()).contains("jack").contains("ines");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.message()).isNotBlank();
        assertThat(badKey.status()).isEqualTo(401);
    }

    @Test
    void leavesOutAnIndexEntryCutOffWhileTodaysIndexIsAppended() throws Exception {
        // given: a batch being indexed, its first entry only partly written yet
        givenTraffic("nils");
        var index = server.dataDir().resolve("analytics/logs/nils/files/tool/downloads-"
                + DateTimeFormatter.ofPattern("dd-MM-yyyy").format(TODAY) + ".idx");
        Files.write(index, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);
        // when
        var response = export("nils", query("day", 1, "&filter_by%5Bip%5D=198.51.100.10"));
        var whole = export("nils", query("day", 1, "&filter_by%5Brepository%5D=jars"));
        // then: the whole entries count, the cut one does not
        assertThat(lines(response)).containsExactly("day,downloads,bytes", DAY + ",2,6");
        assertThat(lines(whole)).containsExactly("day,downloads,bytes", DAY + ",1,5");
    }

    @Test
    void refusesASubjectThatDoesNotExistLikeAForeignOne() {
        var response = export("olga", query("day", 1, "&filter_by%5Bsubject%5D=nobody-here"));
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("nobody-here");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "format=json&start_date=-9&end_date=0&granularity=day&samples=1| format 'json'",
        "start_date=-9&end_date=0&granularity=day&samples=1| 'format' is required",
        "format=csv&end_date=0&granularity=day&samples=1| 'start_date' is required",
        "format=csv&start_date=-9&granularity=day&samples=1| 'end_date' is required",
        "format=csv&start_date=2026-13-01&end_date=0&granularity=day&samples=1| start_date '2026-13-01' is not a date",
        "format=csv&start_date=-9&end_date=tomorrow&granularity=day&samples=1| end_date 'tomorrow' is not a date",
        "format=csv&start_date=-559&end_date=-500&granularity=day&samples=1| within the last 558 days",
        "format=csv&start_date=-9&end_date=1&granularity=day&samples=1| is in the future",
        "format=csv&start_date=-5&end_date=-9&granularity=day&samples=1| is before start_date",
        "format=csv&start_date=-9&end_date=0&samples=1| 'granularity' is required",
        "format=csv&start_date=-9&end_date=0&granularity=week&samples=1| granularity 'week' is not one of day, month",
        "format=csv&start_date=-120&end_date=0&granularity=day&samples=1| exceeds 3 months",
        "format=csv&start_date=-400&end_date=0&granularity=month&samples=1| exceeds 12 months",
        "format=csv&start_date=-9&end_date=0&granularity=day| 'samples' is required",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=0| samples 0 is not from 1 to 1999",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=2000| samples 2000 is not from 1 to 1999",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=many| samples 'many' is not a number",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&group_by=ip| group_by=ip needs a date range of 32 days",
        "format=csv&start_date=-30&end_date=0&granularity=day&samples=1&group_by=artifact_path| group_by=artifact_path needs a date range of 32 days or more",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&group_by=color| group_by key 'color' is not one of",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&group_by=project| group_by key 'project' has no meaning",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&filter_by%5Bserver_name%5D=a| filter_by key 'server_name' has no meaning",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&filter_by%5Bcolor%5D=red| filter_by key 'color' is not one of",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&filter_by%5Baction%5D=delete| filter_by[action] 'delete' is not one of upload, download",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&filter_by%5Bip%5D=| filter_by[ip] needs a value",
        "format=csv&start_date=-9&end_date=0&granularity=day&samples=1&filter_by=x| needs a key",
    })
    void rejectsInvalidParametersNamingTheProblem(String template, String expected) {
        // given: relative days (-9 is nine days ago) made into dates
        var query = new StringBuilder();
        for (var param : template.split("&")) {
            var equals = param.indexOf('=');
            var name = param.substring(0, equals);
            var value = param.substring(equals + 1);
            if ((name.equals("start_date") || name.equals("end_date")) && value.matches("-?\\d+")) {
                value = TODAY.plusDays(Integer.parseInt(value)).toString();
            }
            query.append(query.isEmpty() ? "" : "&").append(name).append('=').append(value);
        }
        // when
        var response = export("kira", query.toString());
        // then
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.message()).contains(expected.trim());
    }

    @Test
    void acceptsTheLongestRangesAllowed() {
        // given: 3 months by day and 12 by month, both ends counted
        var threeMonths = "format=csv&start_date=" + TODAY.minusMonths(3).plusDays(1) + "&end_date=" + TODAY
                + "&granularity=day&samples=1999";
        var twelveMonths = "format=csv&start_date=" + TODAY.minusMonths(12).plusDays(1) + "&end_date=" + TODAY
                + "&granularity=month&samples=1";
        var oneDayMore = "format=csv&start_date=" + TODAY.minusMonths(3) + "&end_date=" + TODAY
                + "&granularity=day&samples=1";
        var oldest = "format=csv&start_date=" + TODAY.minusDays(558) + "&end_date=" + TODAY.minusDays(500)
                + "&granularity=month&samples=1";
        // when / then
        assertThat(export("lena", oldest).status()).isEqualTo(200);
        assertThat(export("lena", threeMonths).status()).isEqualTo(200);
        assertThat(export("lena", twelveMonths).status()).isEqualTo(200);
        assertThat(export("lena", oneDayMore).status()).isEqualTo(400);
    }

    @Test
    void rejectsOtherUsageDataTypes() {
        var storage = server.as("mona").get("/api/v1/usage_data/storage?" + query("day", 1, ""));
        assertThat(storage.status()).isEqualTo(400);
        assertThat(storage.message()).contains("'storage'").contains("traffic");
    }
}
