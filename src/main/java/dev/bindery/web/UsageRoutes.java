package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.analytics.UsageExport;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** MyJFrog's usage data export, {@code GET /api/v1/usage_data/:type}, over Bindery's downloads. */
final class UsageRoutes {

    private static final String FILTER_PREFIX = "filter_by[";

    private final UsageExport usage;
    private final ClientAddress clientAddress;

    UsageRoutes(UsageExport usage, ClientAddress clientAddress) {
        this.usage = usage;
        this.clientAddress = clientAddress;
    }

    /** GET MyJFrog Usage Data: a CSV download named after its date range. */
    void getUsageData(Context ctx) {
        var params = ctx.queryParamMap();
        var filters = new LinkedHashMap<String, List<String>>();
        var groupBy = new ArrayList<String>();
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            var name = param.getKey();
            if (name.startsWith(FILTER_PREFIX)) {
                if (!name.endsWith("]") || name.length() == FILTER_PREFIX.length() + 1) {
                    throw BinderyException.badRequest("Query parameter '" + name + "' is not of the form filter_by[key]");
                }
                filters.computeIfAbsent(name.substring(FILTER_PREFIX.length(), name.length() - 1), key -> new ArrayList<>())
                        .addAll(param.getValue());
            } else if (name.equals("filter_by")) {
                throw BinderyException.badRequest("Query parameter 'filter_by' needs a key: filter_by[key]=value");
            } else if (name.equals("group_by") || name.equals("group_by[]")) {
                groupBy.addAll(param.getValue());
            }
        }
        var request = new UsageExport.Request(ctx.pathParam("type"), ctx.queryParam("format"),
                ctx.queryParam("start_date"), ctx.queryParam("end_date"), ctx.queryParam("granularity"),
                ctx.queryParam("samples"), filters, groupBy);
        var ip = clientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
        var report = usage.traffic(Http.caller(ctx), ip, request);
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + report.fileName() + "\"");
        ctx.result(report.csv());
    }
}
