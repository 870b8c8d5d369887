package dev.bindery.bench;

import dev.bindery.analytics.AnalyticsBenchSupport;

/**
 * The analytics benchmarks of bench/analytics.sh (not a test): ingest throughput through capture,
 * segment log and rollups, and statistics query latency over two years of rollups.
 */
public final class AnalyticsBench {

    private AnalyticsBench() {
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        long queryEvents = args.length > 1 ? Long.parseLong(args[1]) : 100_000_000;
        AnalyticsBenchSupport.ingest(events);
        // 0 query events: the ingest only (bench/analytics.sh 2000000 0).
        if (queryEvents > 0) {
            AnalyticsBenchSupport.queries(queryEvents);
        }
    }
}
