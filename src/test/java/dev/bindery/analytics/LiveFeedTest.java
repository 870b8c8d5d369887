package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.support.BinderyServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live download feed: a watcher sees downloads as they happen, without asking again. */
class LiveFeedTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static void givenPublishedTool(String owner) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
        server.publishFile(owner, "generic", "tool", "1.0", "tool-1.0.zip", "abc");
    }

    /** Opens the feed and returns the data line of the first download event that arrives. */
    private static CompletableFuture<String> firstDownload(String user, String path) throws Exception {
        var request = server.as(user).request(path, "Accept", "text/event-stream").GET().build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        Stream<String> lines = response.body();
        return CompletableFuture.supplyAsync(() -> {
            var iterator = lines.iterator();
            boolean download = false;
            while (iterator.hasNext()) {
                var line = iterator.next();
                if (line.equals("event: download")) {
                    download = true;
                } else if (download && line.startsWith("data: ")) {
                    lines.close();
                    return line.substring("data: ".length());
                }
            }
            return null;
        });
    }

    @Test
    void showsADownloadOfThePackageAsItHappens() throws Exception {
        // given: the publisher watches the package
        givenPublishedTool("rae");
        var event = firstDownload("rae", "/api/v1/packages/rae/generic/tool/live_feed");
        // when
        assertThat(server.anonymous().get("/dl/rae/generic/tool-1.0.zip", "User-Agent", "curl/8.5.0").status())
                .isEqualTo(200);
        // then
        var json = new ObjectMapper().readTree(event.get(10, TimeUnit.SECONDS));
        assertThat(json.get("subject").asText()).isEqualTo("rae");
        assertThat(json.get("package").asText()).isEqualTo("tool");
        assertThat(json.get("version").asText()).isEqualTo("1.0");
        assertThat(json.get("path").asText()).isEqualTo("tool-1.0.zip");
        assertThat(json.get("bytes").asLong()).isEqualTo(3);
        assertThat(json.get("client").asText()).isEqualTo("curl");
        assertThat(json.get("user").asText()).isEqualTo("anonymous");
    }

    @Test
    void watchesAWholeRepositoryOrSubject() throws Exception {
        givenPublishedTool("sid");
        var repository = firstDownload("sid", "/api/v1/repos/sid/generic/live_feed");
        var subject = firstDownload("sid", "/api/v1/subjects/sid/live_feed");
        assertThat(server.anonymous().get("/dl/sid/generic/tool-1.0.zip").status()).isEqualTo(200);
        assertThat(repository.get(10, TimeUnit.SECONDS)).contains("\"subject\":\"sid\"");
        assertThat(subject.get(10, TimeUnit.SECONDS)).contains("\"path\":\"tool-1.0.zip\"");
    }

    @Test
    void onlyPublishersWatch() {
        givenPublishedTool("tam");
        assertThat(server.anonymous().get("/api/v1/packages/tam/generic/tool/live_feed", "Accept",
                "text/event-stream").status()).isEqualTo(401);
        assertThat(server.as("uma").get("/api/v1/packages/tam/generic/tool/live_feed", "Accept",
                "text/event-stream").status()).isEqualTo(403);
        assertThat(server.as("uma").get("/api/v1/subjects/tam/live_feed", "Accept", "text/event-stream").status())
                .isEqualTo(403);
        assertThat(server.as("uma").get("/api/v1/repos/tam/generic/live_feed", "Accept", "text/event-stream")
                .status()).isEqualTo(403);
        assertThat(server.as("tam").get("/api/v1/packages/tam/generic/tool/live_feed").status()).isEqualTo(400);
    }
}
