package dev.bindery.bench;

import com.sun.net.httpserver.HttpServer;
import dev.bindery.Bindery;
import dev.bindery.Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark of bench/webhooks.sh (not a test): does delivering webhooks change publishing latency?
 * An in-process Bindery (H2, blobs on disk) with 200 hooks on 20 subjects (the limit is 10 a subject):
 * 180 call a receiver on 127.0.0.1 that takes {@code slowMillis} per call, 10 a port that refuses
 * connections, 10 a receiver that never answers (each call runs into the 5 s timeout, three times).
 *
 * <p>Rounds alternate two phases of {@code publishes} sequential publishes each: "none" publishes
 * versions of packages without hooks, after the delivery backlog has drained; "hooks" publishes
 * versions of the hooked packages round robin, so each publish makes one call while earlier ones
 * are still in flight. Only {@code POST .../publish} is timed (the upload before it is not). A warm-up
 * round comes first. Prints p50, p99 and mean per phase and the ratios hooks / none.
 *
 * <p>Arguments: rounds (3), publishes per phase (400), slowMillis (200).
 */
public final class WebhookBench {

    private static final String KEY = "bench-admin-key";
    private static final int SUBJECTS = 20;
    private static final int HOOKS = 10;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private WebhookBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int publishes = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        long slowMillis = args.length > 2 ? Long.parseLong(args[2]) : 200;

        var received = new AtomicLong();
        var slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1_000);
        slow.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        slow.createContext("/slow/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            sleep(slowMillis);
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        slow.createContext("/hang/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            sleep(60_000);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        slow.start();
        int refusing;
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            refusing = socket.getLocalPort();
        }
        var receiver = "http://127.0.0.1:" + slow.getAddress().getPort();

        var data = Files.createTempDirectory("bindery-webhook-bench");
        try (var bindery = Bindery.start(Config.defaults(data).withPort(0).withAdminApiKey(KEY)
                .withRateLimits(10_000_000, 10_000_000).withPrivateCallbacks(true))) {
            var base = "http://127.0.0.1:" + bindery.port();
            var keys = new String[SUBJECTS];
            for (int s = 0; s < SUBJECTS; s++) {
                var user = subject(s);
                var created = send(json(base + "/api/v1/admin/users", auth("admin", KEY),
                        "{\"name\": \"" + user + "\", \"full_name\": \"Bench\", \"email\": \"" + user
                                + "@example.com\"}"));
                keys[s] = auth(user, created.replaceAll(".*\"api_key\":\"([^\"]+)\".*", "$1"));
                send(json(base + "/api/v1/repos/" + user + "/generic", keys[s], "{\"type\": \"generic\"}"));
                for (int p = 0; p < HOOKS; p++) {
                    for (var pkg : List.of("h" + p, "n" + p)) {
                        send(json(base + "/api/v1/packages/" + user + "/generic", keys[s], "{\"name\": \"" + pkg
                                + "\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}"));
                    }
                    // subjects 0-17: slow receivers; 18: a refused port; 19: a receiver that never answers
                    var url = s < SUBJECTS - 2 ? receiver + "/slow/%p"
                            : s == SUBJECTS - 2 ? "http://127.0.0.1:" + refusing + "/dead/%p" : receiver + "/hang/%p";
                    send(json(base + "/api/v1/webhooks/" + user + "/generic/h" + p, keys[s],
                            "{\"url\": \"" + url + "\"}"));
                }
            }
            System.out.printf(Locale.ROOT, "200 hooks: 180 slow (%d ms), 10 refused, 10 never answering;"
                    + " %d rounds of %d publishes per phase%n", slowMillis, rounds, publishes);

            var delivery = bindery.webhookDelivery();
            long liveCalls = 0;
            var none = new ArrayList<Double>();
            var hooks = new ArrayList<Double>();
            for (int round = 0; round <= rounds; round++) {
                boolean warmUp = round == 0;
                // none: the delivery backlog of the previous round drained first, so nothing is in flight
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received.get() < liveCalls && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                var quiet = publish(base, keys, "n", "r" + round, publishes);
                var loaded = publish(base, keys, "h", "r" + round, publishes);
                liveCalls += Math.round(publishes * (SUBJECTS - 2) / (double) SUBJECTS);
                System.out.printf(Locale.ROOT, "%s %d: none p50 %.2f p99 %.2f ms | hooks p50 %.2f p99 %.2f ms"
                                + " | live calls received %d of %d%n", warmUp ? "warm-up" : "round", round,
                        percentile(quiet, 50), percentile(quiet, 99), percentile(loaded, 50), percentile(loaded, 99),
                        received.get(), liveCalls);
                if (!warmUp) {
                    none.addAll(quiet);
                    hooks.addAll(loaded);
                }
            }
            long drainStart = System.nanoTime();
            long deadline = drainStart + Duration.ofSeconds(60).toNanos();
            while (received.get() < liveCalls && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.printf(Locale.ROOT, "after the last publish: live receivers had %d of %d calls %.1f s later;"
                            + " deliveries succeeded %d, failed %d (the refused and silent hooks)%n",
                    received.get(), liveCalls, (System.nanoTime() - drainStart) / 1e9, delivery.delivered(),
                    delivery.failed());
            System.out.println();
            System.out.println("| publish latency (ms) | no hooks | 200 hooks | ratio |");
            System.out.println("|---|---|---|---|");
            for (var row : List.of(new Object[] {"p50", 50.0}, new Object[] {"p99", 99.0})) {
                double p = (double) row[1];
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2fx |%n", row[0], percentile(none, p),
                        percentile(hooks, p), percentile(hooks, p) / percentile(none, p));
            }
            double meanNone = none.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double meanHooks = hooks.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            System.out.printf(Locale.ROOT, "| mean | %.2f | %.2f | %.2fx |%n", meanNone, meanHooks,
                    meanHooks / meanNone);
        } finally {
            slow.stop(0);
            try (var paths = Files.walk(data)) {
                for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
        System.exit(0);
    }

    /** {@code count} publishes of new versions of packages {@code prefix}0-9, round robin over the subjects. */
    private static List<Double> publish(String base, String[] keys, String prefix, String round, int count)
            throws IOException, InterruptedException {
        var millis = new ArrayList<Double>(count);
        for (int i = 0; i < count; i++) {
            int s = i % SUBJECTS;
            var version = base + "/api/v1/content/" + subject(s) + "/generic/" + prefix + (i / SUBJECTS) % HOOKS
                    + "/" + round + "." + i;
            send(HttpRequest.newBuilder(URI.create(version + "/" + prefix + "-" + round + "." + i + ".txt"))
                    .header("Authorization", keys[s]).PUT(HttpRequest.BodyPublishers.ofString("x")));
            long start = System.nanoTime();
            send(HttpRequest.newBuilder(URI.create(version + "/publish")).header("Authorization", keys[s])
                    .POST(HttpRequest.BodyPublishers.noBody()));
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return millis;
    }

    private static double percentile(List<Double> values, double p) {
        var sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String subject(int index) {
        return String.format(Locale.ROOT, "wb%02d", index);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String auth(String user, String key) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder json(String url, String auth, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        var built = request.timeout(Duration.ofSeconds(60)).build();
        var response = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(built.method() + " " + built.uri() + " answered " + response.statusCode()
                    + ": " + response.body());
        }
        return response.body();
    }
}
