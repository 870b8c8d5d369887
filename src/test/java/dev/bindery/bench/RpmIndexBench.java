package dev.bindery.bench;

import dev.bindery.Bindery;
import dev.bindery.Config;
import dev.bindery.subject.Caller;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The Bindery half of bench/rpm-index.sh (not a test): an in-process Bindery on H2 and the local
 * filesystem, an RPM repository of N packages uploaded through the API, then the time of a full index
 * build and of adding one package (upload with publish=1 until repomd.xml lists it), printed next to
 * the createrepo_c times the script measured.
 *
 * <p>Arguments: the folder of base RPMs, the extra RPM, createrepo_c's full time and its --update time
 * in milliseconds.
 */
public final class RpmIndexBench {

    private static final String KEY = "bench-admin-key";
    /** Packages deleted and added back before the new one is added: the median is over all the adds. */
    private static final int READDS = 10;
    private static final Pattern PRIMARY = Pattern.compile("<data type=\"primary\">.*?<location href=\"([^\"]+)\"",
            Pattern.DOTALL);

    private RpmIndexBench() {
    }

    public static void main(String[] args) throws Exception {
        var base = Path.of(args[0]);
        var extra = Path.of(args[1]);
        double createrepoFull = Double.parseDouble(args[2]);
        double createrepoUpdate = Double.parseDouble(args[3]);
        List<Path> rpms;
        try (var files = Files.list(base)) {
            rpms = files.filter(file -> file.toString().endsWith(".rpm")).sorted().toList();
        }
        var data = Files.createTempDirectory("bindery-rpm-bench");
        double uploadSeconds;
        double publishMs;
        double addMs;
        List<Double> addsMs;
        List<Double> answers;
        double warmMs;
        try (var bindery = Bindery.start(Config.defaults(data).withPort(0).withAdminApiKey(KEY)
                .withRateLimits(10_000_000, 10_000_000))) {
            var url = "http://127.0.0.1:" + bindery.port();
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            var admin = auth("admin", KEY);
            var created = send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/admin/users"))
                    .header("Authorization", admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\": \"bench\", \"full_name\": \"Bench\", \"email\": \"bench@example.com\"}")));
            var apiKey = created.replaceAll(".*\"api_key\":\"([^\"]+)\".*", "$1");
            var bench = auth("bench", apiKey);
            send(http, json(url + "/api/v1/repos/bench/rpm", bench, "{\"type\": \"rpm\"}"));
            send(http, json(url + "/api/v1/packages/bench/rpm", bench,
                    "{\"name\": \"bench\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/bench.git\"}"));

            // Upload every base package unpublished: this measures upload with header parsing.
            long uploadStart = System.nanoTime();
            // The first upload creates the version; the rest go four at a time.
            send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/content/bench/rpm/bench/1.0/pool/"
                    + rpms.get(0).getFileName())).header("Authorization", bench)
                    .PUT(HttpRequest.BodyPublishers.ofFile(rpms.get(0))));
            try (var pool = Executors.newFixedThreadPool(4)) {
                var futures = new ArrayList<Future<String>>();
                for (var rpm : rpms.subList(1, rpms.size())) {
                    futures.add(pool.submit(() -> send(http, HttpRequest.newBuilder(URI.create(url
                                    + "/api/v1/content/bench/rpm/bench/1.0/pool/" + rpm.getFileName()))
                            .header("Authorization", bench).PUT(HttpRequest.BodyPublishers.ofFile(rpm)))));
                }
                for (var future : futures) {
                    future.get();
                }
            }
            uploadSeconds = (System.nanoTime() - uploadStart) / 1e9;

            // Publish: the first index build of all packages.
            long publishStart = System.nanoTime();
            send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/content/bench/rpm/bench/1.0/publish"))
                    .header("Authorization", bench).POST(HttpRequest.BodyPublishers.noBody()));
            awaitPackages(http, url, rpms.size());
            publishMs = (System.nanoTime() - publishStart) / 1e6;

            // Add one: a package uploaded with publish=1, timed until repomd.xml lists it. READDS times a
            // package is deleted and added back (the first rounds warm the JIT as a running server is),
            // then the new package is added; the median of all those adds is reported.
            var repository = bindery.content().repositories(Caller.ANONYMOUS, "bench").stream()
                    .filter(repo -> repo.name().equals("rpm")).findFirst().orElseThrow();
            var adds = new ArrayList<Double>();
            answers = new ArrayList<>();
            for (int round = 0; round <= READDS; round++) {
                bindery.awaitIndexes(Duration.ofMinutes(5));
                Path rpm;
                String version;
                if (round < READDS) {
                    rpm = rpms.get(1 + round * (rpms.size() / READDS));
                    send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/content/bench/rpm/pool/"
                            + rpm.getFileName())).header("Authorization", bench).DELETE());
                    awaitPackages(http, url, rpms.size() - 1);
                    version = "1.0";
                } else {
                    rpm = extra;
                    version = "1.1";
                }
                long addStart = System.nanoTime();
                send(http, HttpRequest.newBuilder(URI.create(url + "/api/v1/content/bench/rpm/bench/" + version
                                + "/pool/" + rpm.getFileName() + "?publish=1"))
                        .header("Authorization", bench).PUT(HttpRequest.BodyPublishers.ofFile(rpm)));
                answers.add((System.nanoTime() - addStart) / 1e6);
                awaitPackages(http, url, rpms.size() + (round < READDS ? 0 : 1));
                adds.add((System.nanoTime() - addStart) / 1e6);
            }
            addsMs = adds;
            var sortedAdds = new ArrayList<>(adds);
            sortedAdds.sort(Comparator.naturalOrder());
            addMs = sortedAdds.get(sortedAdds.size() / 2);

            // Rebuilds with nothing new (calc_metadata): the floor of every rebuild.
            var warm = new ArrayList<Double>();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                bindery.formats().schedule(repository, "", null).get();
                warm.add((System.nanoTime() - start) / 1e6);
            }
            warm.sort(Comparator.naturalOrder());
            warmMs = warm.get(warm.size() / 2);
        }
        // Full build: a restarted server keeps nothing in memory and rebuilds from the stored metadata.
        double fullMs;
        try (var bindery = Bindery.start(Config.defaults(data).withPort(0).withAdminApiKey(KEY)
                .withRateLimits(10_000_000, 10_000_000))) {
            var repository = bindery.content().repositories(Caller.ANONYMOUS, "bench").stream()
                    .filter(repo -> repo.name().equals("rpm")).findFirst().orElseThrow();
            long start = System.nanoTime();
            bindery.formats().schedule(repository, "", null).get();
            fullMs = (System.nanoTime() - start) / 1e6;
        }
        try {
            System.out.printf("%nRPM index, %,d packages (Bindery in-process: H2, filesystem blobs)%n", rpms.size());
            System.out.printf("  upload of %,d RPMs with header parsing: %.1f s (%.0f/s)%n", rpms.size(), uploadSeconds,
                    rpms.size() / uploadSeconds);
            System.out.printf("  first publish until repomd.xml lists them all: %.0f ms%n", publishMs);
            System.out.printf("  rebuild with nothing new (calc_metadata), median of 5: %.0f ms%n", warmMs);
            System.out.printf("  add one, upload with publish=1 until listed (ms): %s%n",
                    addsMs.stream().map(ms -> String.format("%.0f", ms)).toList());
            System.out.printf("    of which until the upload was answered (ms):   %s%n",
                    answers.stream().map(ms -> String.format("%.0f", ms)).toList());
            System.out.printf("%n%-46s %12s %12s %8s%n", "", "createrepo_c", "Bindery", "ratio");
            System.out.printf("%-46s %10.0f ms %10.0f ms %7.1fx%n", "full index build (Bindery: after a restart)",
                    createrepoFull, fullMs, createrepoFull / fullMs);
            System.out.printf("%-46s %10.0f ms %10.0f ms %7.1fx%n", "add one (--update vs upload until listed)",
                    createrepoUpdate, addMs, createrepoUpdate / addMs);
            boolean fullOk = fullMs <= createrepoFull;
            boolean addOk = createrepoUpdate / addMs >= 10;
            System.out.printf("targets: full build no slower than createrepo_c: %s; add one >= 10x faster: %s%n",
                    fullOk ? "met" : "MISSED", addOk ? "met" : "MISSED");
            if (!fullOk || !addOk) {
                System.exit(1);
            }
        } finally {
            try (var paths = Files.walk(data)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Polls repomd.xml and primary.xml until primary lists {@code count} packages. */
    private static void awaitPackages(HttpClient http, String url, int count) throws Exception {
        var marker = "packages=\"" + count + "\"";
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        String lastPrimary = null;
        while (System.nanoTime() < deadline) {
            var repomd = http.send(HttpRequest.newBuilder(URI.create(url + "/dl/bench/rpm/repodata/repomd.xml")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (repomd.statusCode() == 200) {
                var matcher = PRIMARY.matcher(repomd.body());
                if (matcher.find() && !matcher.group(1).equals(lastPrimary)) {
                    lastPrimary = matcher.group(1);
                    // Its first 8 KiB hold the package count: no need to fetch the whole file each time.
                    var primary = http.send(HttpRequest.newBuilder(URI.create(url + "/dl/bench/rpm/" + lastPrimary))
                            .header("Range", "bytes=0-8191").build(), HttpResponse.BodyHandlers.ofByteArray());
                    try (var in = new GZIPInputStream(new ByteArrayInputStream(primary.body()))) {
                        var head = new String(in.readNBytes(512), StandardCharsets.UTF_8);
                        if (head.contains(marker)) {
                            return;
                        }
                    }
                }
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("The index never listed " + count + " packages");
    }

    private static String auth(String user, String key) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder json(String url, String authorization, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String send(HttpClient http, HttpRequest.Builder request) throws Exception {
        var response = http.send(request.timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
