package dev.bindery.bench;

import dev.bindery.Bindery;
import dev.bindery.Config;
import dev.bindery.formats.debian.Debs;
import dev.bindery.support.Tools;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The Debian index benchmark of bench/debian-index.sh (not a test): N small valid .deb files, then
 * the time to build the index of all of them and to add one more, for Bindery (in-process, over its
 * HTTP API), dpkg-scanpackages + apt-ftparchive release, apt-ftparchive with its cache database, and
 * aptly (repo add + publish, temp rootDir, no signing). Prints one table with the ratios.
 *
 * <p>Usage: {@code DebianIndexBench [packages] [add-rounds] [work-dir]}.
 */
public final class DebianIndexBench {

    private static final String ADMIN_KEY = "bench-admin-key";
    private static final int UPLOAD_STREAMS = 4;
    /** Rebuilds before the measured ones, so the JIT has compiled the rebuild as in a running server. */
    private static final int WARMUP_REBUILDS = 10;
    /** dpkg-scanpackages reads every package with a dpkg-deb process: timed on this many, scaled up. */
    private static final int SCAN_SAMPLE = Integer.getInteger("bench.scanSample", 1000);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Path work;
    private final int count;
    private final int rounds;
    private final byte[] template;
    private final Map<String, Double> results = new LinkedHashMap<>();
    private int scanSample;

    private DebianIndexBench(Path work, int count, int rounds, byte[] template) {
        this.work = work;
        this.count = count;
        this.rounds = rounds;
        this.template = template;
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var work = args.length > 2 ? Files.createDirectories(Path.of(args[2]))
                : Files.createTempDirectory("debian-bench");
        for (var tool : List.of("dpkg-deb", "dpkg-scanpackages", "apt-ftparchive", "aptly")) {
            Tools.require(tool);
        }
        var templateDir = Files.createDirectories(work.resolve("template"));
        var template = Files.readAllBytes(Debs.build(templateDir, "bench-template", "1.0", "amd64"));
        var bench = new DebianIndexBench(work, count, rounds, template);
        boolean met;
        try {
            met = bench.run();
        } finally {
            if (args.length <= 2) {
                deleteRecursively(work);
            }
        }
        System.exit(met ? 0 : 1);
    }

    /** Runs everything and prints the table; whether adding one met its target (>= 10x). */
    private boolean run() throws Exception {
        long start = System.nanoTime();
        var debs = Files.createDirectories(work.resolve("debs"));
        var names = new ArrayList<String>(count);
        for (int i = 0; i < count; i++) {
            var name = name(i);
            Files.write(debs.resolve(name + "_1.0_amd64.deb"), deb(name));
            names.add(name + "_1.0_amd64.deb");
        }
        var extra = Files.createDirectories(work.resolve("extra"));
        for (int round = 0; round < rounds; round++) {
            var name = "added-" + round;
            Files.write(extra.resolve(name + "_1.0_amd64.deb"), deb(name));
        }
        System.out.printf(Locale.ROOT, "Generated %,d packages (%,d bytes each) in %.1f s%n", count,
                Files.size(debs.resolve(names.get(0))), seconds(start));

        bindery(debs, names, extra);
        if (Boolean.getBoolean("bench.binderyOnly")) {
            results.forEach((key, value) -> System.out.printf(Locale.ROOT, "result %s=%.4f%n", key, value));
            return true;
        }
        scanpackages(debs, extra);
        ftparchive(debs, extra);
        aptly(debs, extra);
        return report();
    }

    private static String name(int i) {
        return String.format(Locale.ROOT, "bench-pkg-%05d", i);
    }

    private byte[] deb(String name) throws IOException {
        return Debs.withControl(template, Debs.control(name, "1.0", "amd64",
                "Depends: libc6 (>= 2.31), zlib1g (>= 1:1.2.0)", "Homepage: https://example.com/" + name));
    }

    // --- Bindery ---------------------------------------------------------------------------------

    private void bindery(Path debs, List<String> names, Path extra) throws Exception {
        var data = Files.createDirectories(work.resolve("bindery-data"));
        var config = Config.defaults(data).withPort(0).withAdminApiKey(ADMIN_KEY).withRateLimits(1_000_000, 1_000_000);
        try (var bindery = Bindery.start(config)) {
            var base = "http://127.0.0.1:" + bindery.port();
            var admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_KEY).getBytes(StandardCharsets.UTF_8));
            var created = send(base, "POST", "/api/v1/admin/users", admin,
                    "{\"name\": \"bench\", \"full_name\": \"Bench\", \"email\": \"bench@example.com\"}", 201);
            var key = created.replaceAll("(?s).*\"api_key\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            var auth = "Basic " + Base64.getEncoder().encodeToString(("bench:" + key).getBytes(StandardCharsets.UTF_8));
            send(base, "POST", "/api/v1/repos/bench/deb", auth, "{\"type\": \"debian\","
                    + " \"default_debian_distribution\": \"stable\", \"default_debian_component\": \"main\","
                    + " \"default_debian_architecture\": \"amd64\"}", 201);
            send(base, "POST", "/api/v1/packages/bench/deb", auth, "{\"name\": \"bench\", \"licenses\": [\"MIT\"],"
                    + " \"vcs_url\": \"https://example.com/bench.git\"}", 201);

            // All packages in a few zips, exploded into version 1 unpublished, side by side (each file
            // is fsynced): every .deb is inspected.
            var zips = new ArrayList<Path>();
            int perZip = (names.size() + UPLOAD_STREAMS - 1) / UPLOAD_STREAMS;
            for (int from = 0; from < names.size(); from += perZip) {
                var zip = work.resolve("debs-" + zips.size() + ".zip");
                try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
                    out.setLevel(0);
                    for (var name : names.subList(from, Math.min(names.size(), from + perZip))) {
                        out.putNextEntry(new ZipEntry(name));
                        Files.copy(debs.resolve(name), out);
                        out.closeEntry();
                    }
                }
                zips.add(zip);
            }
            long upload = System.nanoTime();
            // The first creates the version; the others then only add files to it.
            sendFile(base, "/api/v1/content/bench/deb/bench/1/pool/" + zips.get(0).getFileName() + ";explode=1",
                    auth, zips.get(0));
            try (var uploads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var done = new ArrayList<java.util.concurrent.Future<?>>();
                for (var zip : zips.subList(1, zips.size())) {
                    done.add(uploads.submit(() -> {
                        sendFile(base, "/api/v1/content/bench/deb/bench/1/pool/" + zip.getFileName() + ";explode=1",
                                auth, zip);
                        return null;
                    }));
                }
                for (var future : done) {
                    future.get();
                }
            }
            results.put("bindery.upload", seconds(upload));
            long publish = System.nanoTime();
            send(base, "POST", "/api/v1/content/bench/deb/bench/1/publish", auth, "{\"publish_wait_for_secs\": -1}", 200);
            results.put("bindery.full", seconds(publish));
            check(base, "stable", count);

            var rebuilds = new ArrayList<Double>();
            for (int i = 0; i < WARMUP_REBUILDS + 3; i++) {
                long rebuild = System.nanoTime();
                send(base, "POST", "/api/v1/calc_metadata/bench/deb", auth, "", 202);
                Thread.sleep(1);
                bindery.awaitIndexes(Duration.ofMinutes(5));
                if (i >= WARMUP_REBUILDS) {
                    rebuilds.add(seconds(rebuild));
                }
            }
            results.put("bindery.rebuild", median(rebuilds));

            var adds = new ArrayList<Double>();
            var uploads = new ArrayList<Double>();
            for (int round = 0; round < rounds; round++) {
                var name = "added-" + round + "_1.0_amd64.deb";
                var version = "add-" + round;
                long add = System.nanoTime();
                sendFile(base, "/api/v1/content/bench/deb/bench/" + version + "/pool/" + name, auth, extra.resolve(name));
                uploads.add(seconds(add));
                send(base, "POST", "/api/v1/content/bench/deb/bench/" + version + "/publish", auth,
                        "{\"publish_wait_for_secs\": -1}", 200);
                adds.add(seconds(add));
                check(base, "stable", count + round + 1);
            }
            results.put("bindery.add", median(adds));
            results.put("bindery.add.upload", median(uploads));
        }
    }

    /** Fails unless the Packages file lists {@code expected} packages. */
    private static void check(String base, String dist, int expected) throws Exception {
        var packages = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/dl/bench/deb/dists/" + dist
                + "/main/binary-amd64/Packages")).build(), HttpResponse.BodyHandlers.ofString()).body();
        int listed = packages.split("\nPackage: ", -1).length - (packages.isEmpty() ? 1 : 0);
        if (listed != expected) {
            throw new IllegalStateException("Bindery's Packages lists " + listed + " packages, not " + expected);
        }
    }

    private static String send(String base, String method, String path, String auth, String json, int expected)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .method(method, json.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)).build();
        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private static void sendFile(String base, String path, String auth, Path file) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10))
                .header("Authorization", auth).PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    // --- dpkg-scanpackages + apt-ftparchive release ---------------------------------------------

    private void scanpackages(Path debs, Path extra) throws Exception {
        var repo = Files.createDirectories(work.resolve("scan"));
        var pool = Files.createDirectories(repo.resolve("pool"));
        int sample = Math.min(count, SCAN_SAMPLE);
        for (int i = 0; i < sample; i++) {
            var name = name(i) + "_1.0_amd64.deb";
            Files.createLink(pool.resolve(name), debs.resolve(name));
        }
        var script = "set -e; mkdir -p dists/stable/main/binary-amd64;"
                + " dpkg-scanpackages -m pool > dists/stable/main/binary-amd64/Packages 2>/dev/null;"
                + " gzip -9c dists/stable/main/binary-amd64/Packages > dists/stable/main/binary-amd64/Packages.gz;"
                + " apt-ftparchive -o APT::FTPArchive::Release::Suite=stable"
                + " -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main"
                + " release dists/stable > dists/stable/Release.new; mv dists/stable/Release.new dists/stable/Release";
        // dpkg-scanpackages has no incremental mode: each run reads every package again, so both
        // times grow with the package count; measured on the sample, scaled to the full count.
        double scale = (double) count / sample;
        long full = System.nanoTime();
        Debs.run(repo, "bash", "-c", script);
        results.put("scanpackages.full", seconds(full) * scale);
        Files.copy(extra.resolve("added-0_1.0_amd64.deb"), pool.resolve("added-0_1.0_amd64.deb"));
        long add = System.nanoTime();
        Debs.run(repo, "bash", "-c", script);
        results.put("scanpackages.add", seconds(add) * scale);
        countPackages(repo.resolve("dists/stable/main/binary-amd64/Packages"), sample + 1, "dpkg-scanpackages");
        scanSample = sample;
    }

    // --- apt-ftparchive packages with its cache database ------------------------------------------

    private void ftparchive(Path debs, Path extra) throws Exception {
        var repo = Files.createDirectories(work.resolve("ftparchive"));
        var pool = Files.createDirectories(repo.resolve("pool"));
        try (var files = Files.list(debs)) {
            for (var file : files.toList()) {
                Files.createLink(pool.resolve(file.getFileName()), file);
            }
        }
        var script = "set -e; mkdir -p dists/stable/main/binary-amd64;"
                + " apt-ftparchive --db cache.db packages pool > dists/stable/main/binary-amd64/Packages;"
                + " gzip -9c dists/stable/main/binary-amd64/Packages > dists/stable/main/binary-amd64/Packages.gz;"
                + " apt-ftparchive -o APT::FTPArchive::Release::Suite=stable"
                + " -o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main"
                + " release dists/stable > dists/stable/Release.new; mv dists/stable/Release.new dists/stable/Release";
        long full = System.nanoTime();
        Debs.run(repo, "bash", "-c", script);
        results.put("ftparchive.full", seconds(full));
        var adds = new ArrayList<Double>();
        for (int round = 0; round < rounds; round++) {
            var name = "added-" + round + "_1.0_amd64.deb";
            Files.copy(extra.resolve(name), pool.resolve(name));
            long add = System.nanoTime();
            Debs.run(repo, "bash", "-c", script);
            adds.add(seconds(add));
        }
        results.put("ftparchive.add", median(adds));
        countPackages(repo.resolve("dists/stable/main/binary-amd64/Packages"), count + rounds, "apt-ftparchive");
    }

    // --- aptly ------------------------------------------------------------------------------------

    private void aptly(Path debs, Path extra) throws Exception {
        var root = Files.createDirectories(work.resolve("aptly"));
        var conf = root.resolve("aptly.conf");
        Files.writeString(conf, "{\"rootDir\": \"" + root.resolve("root") + "\", \"architectures\": [\"amd64\"],"
                + " \"gpgDisableSign\": true, \"gpgDisableVerify\": true, \"downloadConcurrency\": 1}\n");
        var aptly = List.of("aptly", "-config=" + conf);
        Debs.run(root, concat(aptly, "repo", "create", "-distribution=stable", "-component=main", "bench"));
        long full = System.nanoTime();
        Debs.run(root, concat(aptly, "repo", "add", "bench", debs.toString()));
        long added = System.nanoTime();
        Debs.run(root, concat(aptly, "publish", "repo", "-skip-signing", "-architectures=amd64", "bench"));
        results.put("aptly.full.add", (added - full) / 1e9);
        results.put("aptly.full", seconds(full));
        var adds = new ArrayList<Double>();
        for (int round = 0; round < rounds; round++) {
            var name = "added-" + round + "_1.0_amd64.deb";
            long add = System.nanoTime();
            Debs.run(root, concat(aptly, "repo", "add", "bench", extra.resolve(name).toString()));
            Debs.run(root, concat(aptly, "publish", "update", "-skip-signing", "stable"));
            adds.add(seconds(add));
        }
        results.put("aptly.add", median(adds));
        countPackages(root.resolve("root/public/dists/stable/main/binary-amd64/Packages"), count + rounds, "aptly");
    }

    private static List<String> concat(List<String> head, String... tail) {
        var all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static void countPackages(Path packages, int expected, String who) throws IOException {
        long listed;
        try (var lines = Files.lines(packages)) {
            listed = lines.filter(line -> line.startsWith("Package: ")).count();
        }
        if (listed != expected) {
            throw new IllegalStateException(who + "'s Packages lists " + listed + " packages, not " + expected);
        }
    }

    // --- report -----------------------------------------------------------------------------------

    private boolean report() {
        double binderyFull = results.get("bindery.full");
        double binderyAdd = results.get("bindery.add");
        System.out.println();
        System.out.printf(Locale.ROOT, "Debian index, %,d packages (add one: median of %d; ratio = peer / Bindery)%n",
                count, rounds);
        System.out.printf(Locale.ROOT, "%-46s %10s %10s %9s %9s%n", "", "full (s)", "add (s)", "full x", "add x");
        row("Bindery: HTTP publish / upload+publish", binderyFull, binderyAdd, null, null);
        row("  Bindery: explode upload of all (inspect)", results.get("bindery.upload"), null, null, null);
        row("  Bindery: of which the upload (unpublished)", null, results.get("bindery.add.upload"), null, null);
        row("  Bindery: calc_metadata rebuild (warm)", results.get("bindery.rebuild"), null, null, null);
        row(scanSample < count ? "dpkg-scanpackages + release (" + (count / scanSample) + "x "
                + String.format(Locale.ROOT, "%,d", scanSample) + ")" : "dpkg-scanpackages + apt-ftparchive release",
                results.get("scanpackages.full"), results.get("scanpackages.add"), binderyFull, binderyAdd);
        row("aptly repo add + publish (-skip-signing)", results.get("aptly.full"), results.get("aptly.add"),
                binderyFull, binderyAdd);
        row("  aptly: repo add of all", results.get("aptly.full.add"), null, null, null);
        row("apt-ftparchive --db packages + release", results.get("ftparchive.full"), results.get("ftparchive.add"),
                binderyFull, binderyAdd);
        double briefAdd = Math.min(results.get("scanpackages.add"), results.get("aptly.add"));
        double fastestAdd = Math.min(briefAdd, results.get("ftparchive.add"));
        System.out.println();
        System.out.printf(Locale.ROOT, "add one: Bindery %.3f s; fastest of dpkg-scanpackages and aptly %.3f s (%.1fx);"
                + " fastest of all peers %.3f s (%.1fx); target >= 10x%n", binderyAdd, briefAdd, briefAdd / binderyAdd,
                fastestAdd, fastestAdd / binderyAdd);
        for (var entry : results.entrySet()) {
            System.out.printf(Locale.ROOT, "result %s=%.4f%n", entry.getKey(), entry.getValue());
        }
        boolean met = briefAdd / binderyAdd >= 10;
        System.out.println(met ? "target met" : "TARGET MISSED: adding one is less than 10x faster than"
                + " dpkg-scanpackages and aptly");
        return met;
    }

    private static void row(String what, Double full, Double add, Double binderyFull, Double binderyAdd) {
        System.out.printf(Locale.ROOT, "%-46s %10s %10s %9s %9s%n", what, format(full, "%.3f"), format(add, "%.3f"),
                binderyFull == null ? "" : format(full / binderyFull, "%.1f"),
                binderyAdd == null ? "" : format(add / binderyAdd, "%.1f"));
    }

    private static String format(Double value, String pattern) {
        return value == null ? "" : String.format(Locale.ROOT, pattern, value);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
