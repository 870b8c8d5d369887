package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.Client;
import dev.bindery.support.BinderyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "kill -9 under load loses at most the last batch window": a real server process is killed while
 * downloads run; after a restart its statistics count every download that completed before the
 * last window, and none that did not happen.
 */
class KillDurabilityTest {

    private static final long WINDOW_MILLIS = 2 * AnalyticsPipeline.BATCH_MILLIS;

    @TempDir
    Path data;

    private Process start(int port) throws IOException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.bindery.cli.Main", "serve", "--port", String.valueOf(port), "--data", data.toString())
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("server-" + System.nanoTime() + ".log").toFile());
        builder.environment().put("BINDERY_ADMIN_API_KEY", BinderyServer.ADMIN_KEY);
        var process = builder.start();
        var http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                var health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (health.statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        process.destroyForcibly();
        throw new IOException("Server did not start: " + Files.readString(data.resolve(
                Files.list(data).filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow())));
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int completionCount(List<Long> completions) {
        synchronized (completions) {
            return completions.size();
        }
    }

    @Test
    void keepsEveryDownloadButTheLastBatchWindowAcrossKillNine() throws Exception {
        // given: a server process with a published file
        int port = freePort();
        var server = start(port);
        var base = "http://127.0.0.1:" + port;
        var admin = new Client(base, "admin", BinderyServer.ADMIN_KEY);
        var key = admin.postJson("/api/v1/admin/users", "{\"name\": \"kim\"}").json().get("api_key").asText();
        var kim = new Client(base, "kim", key);
        assertThat(kim.postJson("/api/v1/repos/kim/generic", "{}").status()).isEqualTo(201);
        assertThat(kim.postJson("/api/v1/packages/kim/generic", "{\"name\": \"tool\", \"licenses\": [\"MIT\"],"
                + " \"vcs_url\": \"https://example.com/tool.git\"}").status()).isEqualTo(201);
        assertThat(kim.put("/api/v1/content/kim/generic/tool/1.0/tool.bin?publish=1", "payload").status())
                .isEqualTo(201);

        // when: two clients download as fast as they can, and the server is killed midway
        var completions = new ArrayList<Long>();
        var stop = new AtomicBoolean();
        var anonymous = new Client(base, null, null);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000 && !stop.get(); i++) {
                    try {
                        if (anonymous.get("/dl/kim/generic/tool.bin").status() == 200) {
                            synchronized (completions) {
                                completions.add(System.currentTimeMillis());
                            }
                        }
                    } catch (RuntimeException connectionGone) {
                        return;
                    }
                }
            }));
        }
        // At least 1.5 s of downloads and a few hundred of them, however slow a busy machine makes a cold JVM
        long started = System.currentTimeMillis();
        while (System.currentTimeMillis() - started < 1_500
                || (completionCount(completions) < 300 && System.currentTimeMillis() - started < 30_000)) {
            Thread.sleep(50);
        }
        long killedAt = System.currentTimeMillis();
        server.destroyForcibly().waitFor();
        stop.set(true);
        for (var client : clients) {
            client.join(30_000);
            // A client still downloading would reach the restarted server and be counted there.
            assertThat(client.isAlive()).as("a download client outlived the killed server").isFalse();
        }
        long completed;
        long beforeWindow;
        synchronized (completions) {
            completed = completions.size();
            beforeWindow = completions.stream().filter(time -> time < killedAt - WINDOW_MILLIS).count();
        }

        // then: after a restart the statistics hold them
        var restarted = start(port);
        try {
            long counted = 0;
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline) {
                var total = kim.postJson("/api/v1/packages/kim/generic/tool/stats/total_downloads", "{}").json()
                        .get("records");
                counted = total.isEmpty() ? 0 : total.get(0).get("count").asLong();
                if (counted >= beforeWindow) {
                    break;
                }
                Thread.sleep(100);
            }
            if (counted > completed + 2) {
                // Keep the evidence of a double count for whoever looks next.
                var keep = Path.of(System.getProperty("java.io.tmpdir"), "bindery-kill-" + System.nanoTime());
                Files.createDirectories(keep);
                try (var logs = Files.list(data)) {
                    for (var log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                        Files.copy(log, keep.resolve(log.getFileName()));
                    }
                }
            }
            assertThat(completed).as("downloads completed before the kill").isGreaterThan(100);
            assertThat(counted).as("counted after restart; %d completed, %d before the last window", completed,
                    beforeWindow).isBetween(beforeWindow, completed + 2);
        } finally {
            restarted.destroy();
            restarted.waitFor();
        }
    }
}
