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
    private static final String[] AGENTS = {"Apache-Maven/3.9.6 (Java 21.0.2; Linux 6.5.0-14-generic)",
        "Gradle/8.5 (Linux;6.1;amd64) (OpenJDK;21;21.0.1+12)", "Debian APT-HTTP/1.3 (2.6.1)", "curl/8.5.0",
        "Wget/1.21.4", "npm/10.2.4 node/v20.11.0 linux x64 workspaces/false", "python-requests/2.31.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"};

    private AnalyticsBenchSupport() {
    }

    /** Events/s from {@code record()} to rolled up, through the real pipeline (H2 file database). */
    public static void ingest(long events) throws Exception {
        var dir = Files.createTempDirectory("bindery-ingest");
        try (var db = Db.open("jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=FALSE")) {
            var log = new SegmentLog(dir.resolve("segments"), 64L << 20);
            var store = new AnalyticsStore(db.jdbi());
            // With BINDERY_BENCH_GEOIP naming an .mmdb (bindery geoip fetch), every event is looked up.
            var geoDb = System.getenv("BINDERY_BENCH_GEOIP");
            var geo = geoDb == null ? null : GeoLookup.open(java.nio.file.Path.of(geoDb), null);
            var pipeline = new AnalyticsPipeline(log, new Enrichment(geo, new UserAgents()), 1 << 20);
            var rollups = new RollupConsumer(log, store, "bench", Clock.systemUTC()).start();
            pipeline.onAppend(rollups::signal);
            var random = new Random(7);
            long start = System.nanoTime();
            long dropped = 0;
            for (long i = 0; i < events; i++) {
                // Downloads as they happen: now, from many addresses, of a few hundred package versions.
                var event = DownloadEvent.captured(System.currentTimeMillis(), (1 + random.nextInt(220)) + "."
                                + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256), "anonymous", "bench", "repo", "pkg" + random.nextInt(10),
                        "1." + random.nextInt(20), "file.jar", "GET", 200, 1024, null,
                        AGENTS[random.nextInt(AGENTS.length)], null);
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
            System.out.printf("ingest: %,d events (GeoIP %s); captured in %.2f s; logged and rolled up in %.2f s"
                            + " => %,.0f events/s end to end (target >= 200,000); queue-full waits %,d%n",
                    events, geoDb == null ? "off" : "on", (captured - start) / 1e9, (done - start) / 1e9,
                    events / ((done - start) / 1e9), dropped);
            rollups.close();
            pipeline.close();
        }
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
