package dev.bindery.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bindery.Times;
import dev.bindery.analytics.UsageReports;
import dev.bindery.analytics.UsageReports.Range;
import dev.bindery.analytics.UsageReports.Share;
import dev.bindery.analytics.UsageReports.Usage;
import io.javalin.http.Context;

/**
 * Usage reports: Get Usage Report For Subject, For Repository, For Package and Grouped By Business
 * Unit, answered in the documented shapes.
 */
final class UsageReportRoutes {

    private final UsageReports usage;

    UsageReportRoutes(UsageReports usage) {
        this.usage = usage;
    }

    record RangeRequest(String from, String to) {
    }

    record UsageJson(String from, String to, boolean partialPeriod, long downloadBytes, long storageBytes) {
        static UsageJson of(Usage usage) {
            return new UsageJson(Times.format(usage.period().from()), Times.format(usage.period().to()),
                    usage.period().partial(), usage.downloadBytes(), usage.storageBytes());
        }
    }

    record ShareJson(String businessUnit, String from, String to, boolean partialPeriod, long downloadBytes,
                     double downloadPercentage, long storageBytes, double storagePercentage) {
        static ShareJson of(Share share) {
            return new ShareJson(share.businessUnit(), Times.format(share.period().from()),
                    Times.format(share.period().to()), share.period().partial(), share.downloadBytes(),
                    share.downloadPercentage(), share.storageBytes(), share.storagePercentage());
        }
    }

    record PackageUsageJson(@JsonProperty("package") String pkg, long storageBytes, long fileCount) {
    }

    /** Get Usage Report For Subject. */
    void getUsageReportForSubject(Context ctx) {
        ctx.json(usage.subjectUsage(Http.caller(ctx), ctx.pathParam("subject"), range(ctx)).stream()
                .map(UsageJson::of).toList());
    }

    /** Get Usage Report For Repository. */
    void getUsageReportForRepository(Context ctx) {
        ctx.json(usage.repositoryUsage(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), range(ctx)).stream()
                .map(ShareJson::of).toList());
    }

    /** Get Usage Report For Package: current storage, for a repository or one of its packages. */
    void getUsageReportForPackage(Context ctx) {
        var page = usage.packageUsage(Http.caller(ctx), RepositoryRoutes.repoRef(ctx),
                ctx.pathParamMap().get("package"), Http.startPos(ctx));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream()
                .map(item -> new PackageUsageJson(item.pkg(), item.storageBytes(), item.fileCount())).toList());
    }

    /** Get Usage Report Grouped By Business Unit. */
    void getUsageReportGroupedByBusinessUnit(Context ctx) {
        ctx.json(usage.businessUnitUsage(Http.caller(ctx), ctx.pathParam("subject"),
                ctx.pathParamMap().get("business_unit"), range(ctx)).stream().map(ShareJson::of).toList());
    }

    private static Range range(Context ctx) {
        var body = Http.optionalBody(ctx, RangeRequest.class, new RangeRequest(null, null));
        return new Range(body.from(), body.to());
    }
}
