package dev.bindery.web;

import dev.bindery.usage.UsageThreshold;
import dev.bindery.usage.UsageThreshold.Ref;
import dev.bindery.usage.UsageThresholdService;
import dev.bindery.usage.UsageThresholdService.ThresholdRequest;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.List;

/** Usage Thresholds: Get, Create, Update and Delete Usage Threshold(s), for organizations, repositories and business units. */
final class UsageThresholdRoutes {

    private final UsageThresholdService thresholds;

    UsageThresholdRoutes(UsageThresholdService thresholds) {
        this.thresholds = thresholds;
    }

    /** The documented body. */
    record ThresholdJson(long monthlyStorageBytes, long monthlyDownloadBytes, long dailyDownloadBytes,
                         List<String> alertToEmails, boolean alertToAdmins) {
        static ThresholdJson of(UsageThreshold threshold) {
            return new ThresholdJson(threshold.monthlyStorageBytes(), threshold.monthlyDownloadBytes(),
                    threshold.dailyDownloadBytes(), threshold.alertToEmails(), threshold.alertToAdmins());
        }
    }

    void getUsageThreshold(Context ctx) {
        ctx.json(ThresholdJson.of(thresholds.get(Http.caller(ctx), ref(ctx))));
    }

    void createUsageThreshold(Context ctx) {
        var created = thresholds.create(Http.caller(ctx), ref(ctx), Http.body(ctx, ThresholdRequest.class));
        ctx.status(201).json(ThresholdJson.of(created));
    }

    void updateUsageThreshold(Context ctx) {
        ctx.json(ThresholdJson.of(thresholds.update(Http.caller(ctx), ref(ctx), Http.body(ctx, ThresholdRequest.class))));
    }

    void deleteUsageThreshold(Context ctx) {
        thresholds.delete(Http.caller(ctx), ref(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    /** {@code /organization/:org}, {@code /repo/:org/:repo} or {@code /business_unit/:org/:business_unit}. */
    private static Ref ref(Context ctx) {
        var params = ctx.pathParamMap();
        if (params.containsKey("repo")) {
            return Ref.repo(params.get("org"), params.get("repo"));
        }
        if (params.containsKey("business_unit")) {
            return Ref.businessUnit(params.get("org"), params.get("business_unit"));
        }
        return Ref.organization(params.get("org"));
    }
}
