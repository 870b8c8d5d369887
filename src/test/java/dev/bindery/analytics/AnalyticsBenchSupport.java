package dev.bindery.analytics;

import dev.bindery.analytics.AnalyticsStore.Count;
import dev.bindery.analytics.AnalyticsStore.Key;
import dev.bindery.analytics.AnalyticsStore.Rollup;
import dev.bindery.analytics.AnalyticsStore.Scope;
import dev.bindery.storage.Db;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

/** The work behind {@code dev.bindery.bench.AnalyticsBench}; here for package access. */
public final class AnalyticsBenchSupport {

    private static final String[] COUNTRIES = {"US", "DE", "CN", "IN", "GB", "FR", "JP", "BR", "RU", "CA", "KR",
        "NL", "AU", "ES", "IT", "SE", "PL", "CH", "SG", "IL", "UA", "TR", "MX", "ID", "VN", "AR", "ZA", "NO", "FI", "BE"};
    private static final String[] OS = {"Linux", "Windows", "macOS", "unknown"};

    private AnalyticsBenchSupport() {
    }

    /** Distinct client addresses the ingest draws from (Zipf-like, see {@link #ingest}). */
    static final int CLIENTS = 1_000_000;
    /** Distinct User-Agents the ingest draws from (Zipf-like). */
    static final int USER_AGENTS = 5_000;

    /**
     * Events/s from {@code record()} to rolled up, through the real pipeline (H2 file database).
     *
     * <p>The synthetic traffic, and why: real download traffic repeats clients and User-Agents (CI
     * machines, mirrors and NATs download again and again; a few tool versions make most requests),
     * so every distinct address or agent is not looked up anew per event, but the benchmark must not
     * make that easier than reality either. Addresses are drawn from {@value #CLIENTS} distinct public
     * IPv4 addresses spread over the whole space (first octet 1 to 220), User-Agents from
     * {@value #USER_AGENTS} distinct strings (Maven, Gradle, apt, npm, pip, curl, wget, dnf, docker and
     * browsers with their versions, OS and JVM variants; a fifth are browsers, which ua-parser
     * classifies slowly), both by rank with P(rank k) proportional to 1/k (Zipf, exponent 1): the top
     * 1% of addresses make two thirds of the downloads, and 2 million events come from about 350,000
     * distinct addresses (one new address every six downloads) and all 5,000 agents. Packages are not skewed: 10 packages of 20 versions each, uniformly,
     * which makes more distinct rollup counters than real traffic (dominated by latest versions) does.
     * The addresses and agents are built before the clock starts: the download path has them as
     * strings already.
     */
    public static void ingest(long events) throws Exception {
        var random = new Random(7);
        var addresses = addresses(random);
        var agents = userAgents(random);
        // A server runs for weeks; the JIT compiles the pipeline (and H2, ua-parser, the GeoIP reader) in
        // its first seconds, which on two cores took about half the CPU of a 2-million-event run. So
        // one round first to warm the JIT, reported but not the result; then the measured round on a
        // fresh pipeline: its own database, log and GeoIP reader, so no cache or counter starts warm.
        long warmup = Math.min(events, 2_000_000);
        run("warm-up (JIT compiling, not the result)", warmup, addresses, agents, new Random(3));
        run("ingest", events, addresses, agents, random);
    }

    private static void run(String label, long events, String[] addresses, String[] agents, Random random)
            throws Exception {
        var dir = Files.createTempDirectory("bindery-ingest");
        try (var db = Db.open("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=FALSE")) {
            var log = new SegmentLog(dir.resolve("segments"), 64L << 20);
            var store = new AnalyticsStore(db.jdbi());
            // With BINDERY_BENCH_GEOIP naming an .mmdb (bindery geoip fetch), every event is looked up.
            var geoDb = System.getenv("BINDERY_BENCH_GEOIP");
            var geo = geoDb == null ? null : GeoLookup.open(java.nio.file.Path.of(geoDb), null);
            var pipeline = new AnalyticsPipeline(log, new Enrichment(geo, new UserAgents()), 1 << 20);
            var rollups = new RollupConsumer(log, store, "bench", Clock.systemUTC()).start();
            pipeline.onAppend(rollups::appended);
            var packages = new String[10];
            var versions = new String[20];
            for (int i = 0; i < packages.length; i++) {
                packages[i] = "pkg" + i;
            }
            for (int i = 0; i < versions.length; i++) {
                versions[i] = "1." + i;
            }
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuBefore = processCpuNanos();
            var threadCpuBefore = threadCpu(threads);
            var osThreadsBefore = osThreadTicks();
            long start = System.nanoTime();
            long dropped = 0;
            for (long i = 0; i < events; i++) {
                // Downloads as they happen: now, of a few hundred package versions.
                var event = DownloadEvent.captured(System.currentTimeMillis(), addresses[zipf(random, CLIENTS)],
                        "anonymous", "bench", "repo", packages[random.nextInt(packages.length)],
                        versions[random.nextInt(versions.length)], "file.jar", "GET", 200, 1024, null,
                        agents[zipf(random, USER_AGENTS)], null);
                while (!pipeline.record(event)) {
                    // Full: back off instead of spinning, so the producer does not take a core from the writer.
                    dropped++;
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }
            long captured = System.nanoTime();
            while (pipeline.written() < events || rollups.position() < log.end()) {
                Thread.sleep(1);
            }
            long done = System.nanoTime();
            var threadCpuAfter = threadCpu(threads);
            var osThreadsAfter = osThreadTicks();
            long cpu = processCpuNanos() - cpuBefore;
            System.out.printf("%s: %,d events (GeoIP %s); captured in %.2f s; logged and rolled up in %.2f s"
                            + " => %,.0f events/s end to end (target >= 200,000); queue-full waits %,d%n",
                    label, events, geoDb == null ? "off" : "on", (captured - start) / 1e9, (done - start) / 1e9,
                    events / ((done - start) / 1e9), dropped);
            // CPU per event does not depend on what else runs on the machine, unlike the rate above.
            var perThread = new StringBuilder();
            for (var name : List.of("main", "analytics-writer", "analytics-rollup")) {
                perThread.append(String.format(" %s %.2f,", name.equals("main") ? "capture (bench thread)" : name,
                        (threadCpuAfter.getOrDefault(name, 0L) - threadCpuBefore.getOrDefault(name, 0L)) / 1e3 / events));
            }
            System.out.printf("%s CPU: %.2f us/event for the whole process (GC, JIT, H2 included) =>"
                            + " %,.0f events/s if it had 2 idle cores; by thread, us/event:%s%n",
                    label, cpu / 1e3 / events, events / (cpu / 1e9 / 2), perThread.substring(0, perThread.length() - 1));
            if (!osThreadsAfter.isEmpty()) {
                var byKind = new java.util.TreeMap<String, Long>();
                osThreadsAfter.forEach((thread, ticks) -> byKind.merge(kind(thread.name()),
                        ticks - osThreadsBefore.getOrDefault(thread, 0L), Long::sum));
                var line = new StringBuilder();
                byKind.forEach((kind, ticks) -> line.append(String.format(" %s %.2f,", kind, ticks * 1e4 / events)));
                System.out.printf("%s CPU by kind of thread (/proc, 10 ms ticks), us/event:%s%n", label,
                        line.substring(0, line.length() - 1));
            }
            rollups.close();
            pipeline.close();
            logFiles(label, log, dir.resolve("logs"), events);
        }
    }

    /**
     * The daily log files over what {@link #run} logged: indexing all of it (what following the log
     * costs), then a package's day written on its first fetch in each format, and fetched again.
     */
    private static void logFiles(String label, SegmentLog log, java.nio.file.Path root, long events) throws Exception {
        try (var logs = new DownloadLogs(log, root)) {
            long start = System.nanoTime();
            logs.catchUp();
            long indexed = System.nanoTime();
            var files = logs.list("bench", "repo", "pkg0");
            long listed = System.nanoTime();
            long lines = 0;
            for (var file : files) {
                lines += java.nio.file.Files.size(root.resolve("bench/repo/pkg0").resolve(
                        file.name().replace(".log.gz", ".idx"))) / Long.BYTES;
            }
            long csvStart = System.nanoTime();
            for (var file : files) {
                logs.file("bench", "repo", "pkg0", file.name(), DownloadLogs.Format.CSV).orElseThrow();
            }
            long csv = System.nanoTime();
            logs.list("bench", "repo", "pkg0");
            long again = System.nanoTime();
            System.out.printf("%s log files: indexed %,d events in %.2f s (%.2f us/event); package pkg0's %,d"
                            + " downloads written on first fetch in %.2f s as Apache (%,.0f lines/s), %.2f s as CSV;"
                            + " listed again in %.1f ms%n",
                    label, events, (indexed - start) / 1e9, (indexed - start) / 1e3 / events, lines,
                    (listed - indexed) / 1e9, lines / ((listed - indexed) / 1e9), (csv - csvStart) / 1e9,
                    (again - csv) / 1e6);
        }
    }

    /** What a JVM thread is for, from its OS name (15 characters at most). */
    private static String kind(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "GC";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (name.startsWith("H2-")) {
            return "H2 background";
        }
        return switch (name) {
            case "java", "main" -> "capture";
            case "analytics-write" -> "writer";
            case "analytics-rollu" -> "rollups";
            default -> "other";
        };
    }

    private record OsThread(int tid, String name) {
    }

    /** CPU ticks (user + system) of every thread of this process, from /proc; empty where there is none. */
    private static java.util.Map<OsThread, Long> osThreadTicks() {
        var ticks = new HashMap<OsThread, Long>();
        var tasks = java.nio.file.Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return ticks;
        }
        try (var list = Files.list(tasks)) {
            for (var task : list.toList()) {
                try {
                    var stat = Files.readString(task.resolve("stat"));
                    // "tid (name) state ..." : the name may hold spaces; fields after it are numbered from 3.
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    var fields = stat.substring(close + 2).split(" ");
                    long cpu = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    ticks.put(new OsThread(Integer.parseInt(stat.substring(0, open).trim()),
                            stat.substring(open + 1, close)), cpu);
                } catch (java.io.IOException | RuntimeException e) {
                    // The thread ended while listing.
                }
            }
        } catch (java.io.IOException e) {
            return ticks;
        }
        return ticks;
    }

    /** A rank in [0, n) with P(k) proportional to 1/(k+1), near enough: the continuous inverse. */
    private static int zipf(Random random, int n) {
        return Math.min(n - 1, (int) Math.exp(random.nextDouble() * Math.log(n + 1)) - 1);
    }

    /** {@value #CLIENTS} distinct public IPv4 addresses, in random order (rank 0 is not 1.0.0.0). */
    private static String[] addresses(Random random) {
        var seen = new java.util.HashSet<Integer>();
        var addresses = new String[CLIENTS];
        int count = 0;
        while (count < CLIENTS) {
            int first = 1 + random.nextInt(220);
            int rest = random.nextInt(1 << 24);
            if (first == 10 || first == 127 || !seen.add(first << 24 | rest)) {
                continue;
            }
            addresses[count++] = first + "." + (rest >>> 16) + "." + ((rest >>> 8) & 0xff) + "." + (rest & 0xff);
        }
        return addresses;
    }

    /** {@value #USER_AGENTS} distinct User-Agents as tools and browsers send them, in random order. */
    private static String[] userAgents(Random random) {
        var agents = new java.util.LinkedHashSet<String>();
        String[] kernels = {"5.15.0-91-generic", "6.1.0-17-amd64", "6.5.0-14-generic", "4.18.0-513.el8.x86_64",
            "5.14.0-362.el9.x86_64", "6.6.8-arch1-1"};
        String[] javas = {"17.0.9", "21.0.1", "11.0.21", "1.8.0_392", "21.0.2"};
        while (agents.size() < USER_AGENTS) {
            int minor = random.nextInt(10);
            int patch = random.nextInt(12);
            String kernel = kernels[random.nextInt(kernels.length)];
            String java = javas[random.nextInt(javas.length)];
            agents.add(switch (random.nextInt(10)) {
                case 0 -> "Apache-Maven/3." + minor + "." + patch + " (Java " + java + "; Linux " + kernel + ")";
                case 1 -> "Gradle/8." + minor + " (Linux;" + kernel + ";amd64) (OpenJDK;" + java + ";" + java + "+9)";
                case 2 -> "Debian APT-HTTP/1.3 (2." + minor + "." + patch + ")";
                case 3 -> "npm/10." + minor + "." + patch + " node/v20." + patch + "." + minor
                        + " linux x64 workspaces/false";
                case 4 -> "pip/23." + minor + "." + patch + " {\"installer\":{\"name\":\"pip\",\"version\":\"23."
                        + minor + "\"},\"python\":\"3.11." + patch + "\",\"system\":{\"name\":\"Linux\",\"release\":\""
                        + kernel + "\"}}";
                case 5 -> random.nextBoolean() ? "curl/8." + minor + "." + patch : "Wget/1.2" + minor + "." + patch;
                case 6 -> "libdnf (Fedora Linux 3" + minor + "; container; Linux.x86_64)";
                case 7 -> "docker/24.0." + patch + " go/go1.2" + minor + " git-commit/" + Integer.toHexString(
                        random.nextInt()) + " kernel/" + kernel + " os/linux arch/amd64";
                default -> random.nextBoolean()
                        ? "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/1"
                                + (10 + minor) + ".0." + (6000 + random.nextInt(200)) + "." + patch + " Safari/537.36"
                        : "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:1" + (10 + minor) + ".0) Gecko/20100101 Firefox/1"
                                + (10 + minor) + "." + patch;
            });
        }
        var list = new ArrayList<>(agents);
        java.util.Collections.shuffle(list, random);
        return list.toArray(String[]::new);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static java.util.Map<String, Long> threadCpu(java.lang.management.ThreadMXBean threads) {
        var cpu = new HashMap<String, Long>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                cpu.merge(info.getThreadName(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
            }
        }
        return cpu;
    }

    /**
     * Writes the rollups of {@code events} synthetic downloads of one package over two years through
     * the rollup store's bulk path, then times the statistics queries over the whole range.
     */
    public static void queries(long events) throws Exception {
        var dir = Files.createTempDirectory("bindery-query");
        try (var db = Db.open("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=FALSE")) {
            var store = new AnalyticsStore(db.jdbi());
            var now = Instant.now();
            long days = 730;
            int versions = 20;
            long perDay = events / days;
            var random = new Random(11);
            long loadStart = System.nanoTime();
            for (long day = 0; day < days; day++) {
                var counts = new HashMap<Key, Count>();
                long dayStart = Buckets.day(now.minus(Duration.ofDays(days - day)).toEpochMilli());
                for (char res : new char[] {Buckets.DAYS, Buckets.MONTHS}) {
                    long bucket = res == Buckets.DAYS ? dayStart : Buckets.month(dayStart);
                    for (int v = 0; v < versions; v++) {
                        long versionCount = perDay / versions;
                        add(counts, new Key(Rollup.VERSION, res, bucket, "bench", "repo", "pkg", "1." + v, List.of()),
                                versionCount);
                        for (var country : COUNTRIES) {
                            for (var os : OS) {
                                add(counts, new Key(Rollup.COUNTRY_OS, res, bucket, "bench", "repo", "pkg", "1." + v,
                                        List.of(country, os)), 1 + random.nextInt((int) Math.max(1, versionCount / 60)));
                            }
                        }
                    }
                }
                store.jdbi().useTransaction(handle -> store.add(handle, counts, "bench-load", 0));
            }
            System.out.printf("query data: %,d downloads over %d days as rollups, loaded in %.1f s%n",
                    perDay * days, days, (System.nanoTime() - loadStart) / 1e9);
            var scope = new Scope("bench", "repo", "pkg", null);
            var plan = Buckets.plan(now.minus(Duration.ofDays(days)), now, now);
            time("time_range (per day, 2 years)", () -> store.sum(Rollup.VERSION, scope, plan.daily(),
                    List.of("bucket", "version")));
            time("total (2 years)", () -> store.sum(Rollup.VERSION, scope, plan.totals(), List.of("version")));
            time("country (2 years)", () -> store.sum(Rollup.COUNTRY_OS, scope, plan.totals(), List.of("country")));
            time("os (2 years)", () -> store.sum(Rollup.COUNTRY_OS, scope, plan.totals(), List.of("os")));
            time("country x os (2 years)", () -> store.sum(Rollup.COUNTRY_OS, scope, plan.totals(),
                    List.of("country", "os")));
        }
    }

    private static void add(HashMap<Key, Count> counts, Key key, long downloads) {
        counts.computeIfAbsent(key, k -> new Count()).downloads += downloads;
    }

    private static void time(String name, Runnable query) {
        for (int i = 0; i < 20; i++) {
            query.run();
        }
        var samples = new long[200];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            query.run();
            samples[i] = System.nanoTime() - start;
        }
        Arrays.sort(samples);
        System.out.printf("query %-30s p50 %6.2f ms  p99 %6.2f ms  (target p99 < 50 ms)%n", name,
                samples[samples.length / 2] / 1e6, samples[samples.length * 99 / 100] / 1e6);
    }
}
