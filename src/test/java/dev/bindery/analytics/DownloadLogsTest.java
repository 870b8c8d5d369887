package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.support.BinderyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Daily download log files, in Apache and CSV format, as List/Download Package Download Log File serve them. */
class DownloadLogsTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config
            .withTrustedProxies(List.of("127.0.0.1")));

    @TempDir
    Path temp;

    private static String today() {
        return DateTimeFormatter.ofPattern("dd-MM-yyyy").withZone(ZoneOffset.UTC).format(Instant.now());
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void givenThreeDownloads(String owner) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
        server.publishFile(owner, "generic", "tool", "1.0", "tool-1.0.zip", "abc");
        long before = server.bindery().analytics().recorded();
        for (int i = 0; i < 3; i++) {
            var response = server.anonymous().get("/dl/" + owner + "/generic/tool-1.0.zip", "User-Agent", "curl/8.5.0",
                    "X-Forwarded-For", "198.51.100." + (10 + i), "Referer", "https://example.com/page");
            assertThat(response.status()).isEqualTo(200);
        }
        server.awaitAnalytics(before + 3);
    }

    @Test
    void listsTodaysFileWhileItGrows() throws Exception {
        // given
        givenThreeDownloads("lia");
        // when
        var response = server.as("lia").get("/api/v1/packages/lia/generic/tool/logs");
        // then
        assertThat(response.status()).isEqualTo(200);
        var files = response.json();
        assertThat(files).hasSize(1);
        assertThat(files.get(0).get("name").asText()).isEqualTo("downloads-" + today() + ".log.gz");
        long size = files.get(0).get("size").asLong();
        assertThat(size).isPositive();
        assertThat(files.get(0).get("update").asText()).endsWith("Z");
        var file = "/api/v1/packages/lia/generic/tool/logs/downloads-" + today() + ".log.gz";
        assertThat(server.as("lia").get(file).bytes()).hasSize((int) size);
        // when: two more downloads, after the file was listed and fetched
        long before = server.bindery().analytics().recorded();
        for (int i = 0; i < 2; i++) {
            assertThat(server.anonymous().get("/dl/lia/generic/tool-1.0.zip", "X-Forwarded-For", "198.51.100.20")
                    .status()).isEqualTo(200);
        }
        server.awaitAnalytics(before + 2);
        // then: the listing and the file have them too
        var grown = server.as("lia").get("/api/v1/packages/lia/generic/tool/logs").json().get(0).get("size").asLong();
        assertThat(grown).isGreaterThan(size);
        var lines = gunzip(server.as("lia").get(file).bytes()).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).startsWith("198.51.100.20 - anonymous [");
    }

    @Test
    void servesWholeFilesToConcurrentFetchesWhileDownloadsGoOn() throws Exception {
        // given
        givenThreeDownloads("liv");
        var file = "/api/v1/packages/liv/generic/tool/logs/downloads-" + today() + ".log.gz";
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        // when: four clients fetch the file over and over while downloads go on
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var fetchers = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int client = 0; client < 4; client++) {
                fetchers.add(executor.submit(() -> {
                    int seen = 0;
                    for (int i = 0; i < 15; i++) {
                        var response = server.as("liv").get(file);
                        try {
                            int lines = gunzip(response.bytes()).lines().toList().size();
                            if (response.status() != 200 || lines < seen) {
                                failures.add(response.status() + ": " + lines + " lines after " + seen);
                            }
                            seen = lines;
                        } catch (IOException e) {
                            failures.add("not a whole gzip file: " + e);
                        }
                    }
                    return null;
                }));
            }
            long before = server.bindery().analytics().recorded();
            for (int i = 0; i < 40; i++) {
                assertThat(server.anonymous().get("/dl/liv/generic/tool-1.0.zip").status()).isEqualTo(200);
            }
            server.awaitAnalytics(before + 40);
            for (var fetcher : fetchers) {
                fetcher.get(60, TimeUnit.SECONDS);
            }
        }
        // then: every response was a whole file, never fewer lines than the same client saw before,
        // and in the end all 43 downloads are in it
        assertThat(failures).isEmpty();
        assertThat(gunzip(server.as("liv").get(file).bytes()).lines()).hasSize(43);
    }

    @Test
    void servesApacheLinesExactlyAsBintrayWroteThem() throws Exception {
        // given
        givenThreeDownloads("max");
        // when
        var response = server.as("max").get("/api/v1/packages/max/generic/tool/logs/downloads-" + today() + ".log.gz");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/gzip");
        var lines = gunzip(response.bytes()).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("198\\.51\\.100\\.10 - anonymous \\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}"
                + " \\+0000\\] \"GET /max/generic/tool-1\\.0\\.zip HTTP/1\\.1\" 200 3 \"https://example\\.com/page\""
                + " \"curl/8\\.5\\.0\"");
    }

    @Test
    void servesTheCsvTwinWithAHeaderAndEveryField() throws Exception {
        // given
        givenThreeDownloads("ned");
        // when
        var response = server.as("ned").get("/api/v1/packages/ned/generic/tool/logs/downloads-" + today()
                + ".log.gz?format=csv");
        // then
        assertThat(response.status()).isEqualTo(200);
        var records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(gunzip(response.bytes()))).getRecords();
        assertThat(records).hasSize(3);
        var first = records.get(0);
        assertThat(first.get("ip")).isEqualTo("198.51.100.10");
        assertThat(first.get("user")).isEqualTo("anonymous");
        assertThat(first.get("package")).isEqualTo("tool");
        assertThat(first.get("version")).isEqualTo("1.0");
        assertThat(first.get("path")).isEqualTo("tool-1.0.zip");
        assertThat(first.get("bytes")).isEqualTo("3");
        assertThat(first.get("client")).isEqualTo("curl");
        assertThat(first.get("country")).isEqualTo("unknown");
        assertThat(first.toMap()).containsKeys(LogLines.CSV_HEADER);
    }

    @Test
    void logsArePrivateToPublishers() {
        givenThreeDownloads("ora");
        var name = "downloads-" + today() + ".log.gz";
        assertThat(server.anonymous().get("/api/v1/packages/ora/generic/tool/logs").status()).isEqualTo(401);
        assertThat(server.as("pam").get("/api/v1/packages/ora/generic/tool/logs").status()).isEqualTo(403);
        assertThat(server.as("pam").get("/api/v1/packages/ora/generic/tool/logs/" + name).status()).isEqualTo(403);
        assertThat(server.as("ora").get("/api/v1/packages/ora/generic/tool/logs/downloads-01-01-1999.log.gz")
                .status()).isEqualTo(404);
        assertThat(server.as("ora").get("/api/v1/packages/ora/generic/tool/logs/..%2f..%2fsecret").status())
                .isEqualTo(400);
        assertThat(server.as("ora").get("/api/v1/packages/ora/generic/tool/logs/" + name + "?format=xml").status())
                .isEqualTo(400);
    }

    @Test
    void goaccessParsesTheApacheFile() throws Exception {
        var goaccess = Path.of("/usr/bin/goaccess");
        if (!Files.isExecutable(goaccess)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("goaccess is required under CI (.ci/run installs it)");
            }
            Assumptions.abort("goaccess is not installed");
        }
        // given
        givenThreeDownloads("quinn");
        var response = server.as("quinn").get("/api/v1/packages/quinn/generic/tool/logs/downloads-" + today()
                + ".log.gz");
        var log = Files.writeString(temp.resolve("downloads.log"), gunzip(response.bytes()));
        // when: the log format is Bintray's, described to goaccess
        var report = temp.resolve("report.json");
        var process = new ProcessBuilder(goaccess.toString(), log.toString(),
                "--log-format=%h %^ %e [%dT%t.%^ %^] \"%r\" %s %b \"%R\" \"%u\"",
                "--date-format=%Y-%m-%d", "--time-format=%H:%M:%S", "--no-global-config", "-o", report.toString())
                .redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // then
        assertThat(process.exitValue()).as(output).isZero();
        var general = new ObjectMapper().readTree(report.toFile()).get("general");
        assertThat(general.get("total_requests").asInt()).isEqualTo(3);
        assertThat(general.get("valid_requests").asInt()).isEqualTo(3);
        assertThat(general.get("failed_requests").asInt()).isZero();
        assertThat(general.get("unique_visitors").asInt()).isEqualTo(3);
    }
}
