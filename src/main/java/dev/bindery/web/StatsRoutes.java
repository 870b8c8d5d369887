package dev.bindery.web;

import dev.bindery.analytics.DownloadLogs;
import dev.bindery.analytics.LiveFeed;
import dev.bindery.analytics.StatsService;
import dev.bindery.analytics.StatsService.Answer;
import dev.bindery.analytics.StatsService.Query;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.subject.Caller;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Statistics: Get Daily Downloads, Get Total Downloads, Get Downloads by Country, and the
 * extensions per OS, organization, client and OS per country. Each answers {@code POST} as
 * documented and {@code GET} with the same JSON body, as older Bintray clients sent it.
 */
final class StatsRoutes {

    private final StatsService stats;

    StatsRoutes(StatsService stats) {
        this.stats = stats;
    }

    record RangeRequest(String from, String to) {
    }

    /** The documented answer shape: the effective range and the records. */
    record StatsJson(String from, String to, List<?> records) {
    }

    /** List Package Download Log Files. */
    void getLogs(Context ctx) {
        var files = stats.logFiles(Http.caller(ctx), packageRef(ctx));
        ctx.json(files.stream().map(file -> new LogFileJson(file.name(), file.size(),
                dev.bindery.Times.format(file.updated()))).toList());
    }

    record LogFileJson(String name, long size, String update) {
    }

    /** Download Package Download Log File; {@code format=csv} for the CSV twin of the Apache file. */
    void downloadLog(Context ctx) throws java.io.IOException {
        var format = ctx.queryParam("format");
        var chosen = format == null || format.equalsIgnoreCase("apache") ? DownloadLogs.Format.APACHE
                : format.equalsIgnoreCase("csv") ? DownloadLogs.Format.CSV : null;
        if (chosen == null) {
            throw dev.bindery.BinderyException.badRequest("Log format '" + format + "' is not one of apache, csv");
        }
        var name = ctx.pathParam("log_name");
        var file = stats.logFile(Http.caller(ctx), packageRef(ctx), name, chosen);
        var downloadName = chosen == DownloadLogs.Format.CSV ? name.replace(".log.gz", ".csv.gz") : name;
        ctx.contentType("application/gzip");
        ctx.header("Content-Disposition", "attachment; filename=\"" + downloadName + "\"");
        // The bytes it had when brought up to date: today's file may grow while it is sent.
        try (var in = java.nio.file.Files.newInputStream(file.path())) {
            ctx.result(in.readNBytes(Math.toIntExact(file.size())));
        }
    }

    /**
     * The live download feed as Server-Sent Events ({@code event: download}, data: the enriched
     * event as JSON), for a package, a repository or a whole subject. Access is checked before the
     * stream starts, so a refusal is an ordinary JSON error.
     */
    void liveFeed(Context ctx) throws Exception {
        var params = ctx.pathParamMap();
        var filter = new LiveFeed.Filter(params.get("subject"), params.get("repo"), params.get("package"));
        stats.checkWatch(Http.caller(ctx), filter);
        var accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw dev.bindery.BinderyException.badRequest("The live feed is a stream of Server-Sent Events;"
                    + " ask for it with 'Accept: text/event-stream'");
        }
        // Subscribed before the stream starts, so nothing between the headers and the first poll is missed.
        var subscription = stats.watch(filter);
        new SseHandler(0, client -> {
            try (subscription) {
                client.sendComment("watching downloads");
                while (!client.terminated() && !subscription.isClosed()) {
                    var event = subscription.next(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                    if (event == null) {
                        client.sendComment("keep-alive");
                    } else {
                        client.sendEvent("download", LiveEventJson.of(event));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException gone) {
                // The client left or the server is stopping: the stream is over.
            }
        }).handle(ctx);
    }

    private static final long KEEP_ALIVE_SECONDS = 15;

    /** A download as the live feed shows it: where, who, what, and what enrichment found out. */
    record LiveEventJson(String time, String ip, String user, String subject, String repo,
                         @com.fasterxml.jackson.annotation.JsonProperty("package") String pkg, String version,
                         String path, int status, long bytes, String country, String region, String city,
                         Long asn, String organization, String os, String client, String userAgent) {
        static LiveEventJson of(dev.bindery.analytics.DownloadEvent event) {
            return new LiveEventJson(dev.bindery.Times.format(java.time.Instant.ofEpochMilli(event.timeMillis())),
                    event.ip(), event.user(), event.subject(), event.repo(), event.pkg(), event.version(), event.path(),
                    event.status(), event.bytesSent(), event.country(), event.region(), event.city(), event.asn(),
                    event.organization(), event.os(), event.client(), event.userAgent());
        }
    }

    private static PackageRef packageRef(Context ctx) {
        return new PackageRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"));
    }

    /** Extension: downloads per package of a repository, or per repository of a subject. */
    void getTotals(Context ctx) {
        var range = Http.optionalBody(ctx, RangeRequest.class, new RangeRequest(null, null));
        var repo = ctx.pathParamMap().get("repo");
        var result = repo == null
                ? stats.subjectTotals(Http.caller(ctx), ctx.pathParam("subject"), range.from(), range.to())
                : stats.repositoryTotals(Http.caller(ctx), ctx.pathParam("subject"), repo, range.from(), range.to());
        ctx.json(new StatsJson(result.range().from(), result.range().to(), result.records()));
    }

    void getStats(Context ctx) {
        var kind = ctx.pathParam("kind");
        BiFunction<Caller, Query, Answer<?>> answer = switch (kind) {
            case "time_range_downloads" -> stats::timeRange;
            case "total_downloads" -> stats::total;
            case "country_downloads" -> stats::countries;
            case "os_downloads" -> stats::operatingSystems;
            case "organization_downloads" -> stats::organizations;
            case "client_downloads" -> stats::clients;
            case "country_os_downloads" -> stats::countryOs;
            default -> throw dev.bindery.BinderyException.notFound("There are no '" + kind + "' statistics");
        };
        var range = Http.optionalBody(ctx, RangeRequest.class, new RangeRequest(null, null));
        var pkg = new PackageRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"));
        var version = ctx.pathParamMap().get("version");
        var result = answer.apply(Http.caller(ctx), new Query(pkg, version, range.from(), range.to()));
        ctx.json(new StatsJson(result.range().from(), result.range().to(), result.records()));
    }
}
