package dev.bindery.analytics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The download pipeline's health in metrics: how many downloads were captured, written to the log
 * and dropped because the writer fell behind, and how far the followers lag behind the log.
 */
public final class AnalyticsMetrics {

    private AnalyticsMetrics() {
    }

    public static void register(MeterRegistry registry, AnalyticsPipeline pipeline, RollupConsumer rollups,
                                DownloadLogs logs) {
        FunctionCounter.builder("bindery.analytics.events.captured", pipeline, AnalyticsPipeline::recorded)
                .description("Download events offered to the analytics pipeline").register(registry);
        FunctionCounter.builder("bindery.analytics.events.written", pipeline, AnalyticsPipeline::written)
                .description("Download events appended to the segment log").register(registry);
        FunctionCounter.builder("bindery.analytics.events.dropped", pipeline, AnalyticsPipeline::dropped)
                .description("Download events dropped because the writer fell behind (the queue was full)")
                .register(registry);
        Gauge.builder("bindery.analytics.rollup.lag.bytes", () -> pipeline.log().end() - rollups.position())
                .description("Bytes of the segment log not yet in the rollups").register(registry);
        Gauge.builder("bindery.analytics.logfiles.lag.bytes", () -> pipeline.log().end() - logs.position())
                .description("Bytes of the segment log not yet in the daily log files").register(registry);
    }
}
