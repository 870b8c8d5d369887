package dev.bindery.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.BinderyException;
import dev.bindery.access.RestrictionService;
import dev.bindery.access.RestrictionService.IpRestrictions;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/** Geo Restrictions and IP Restrictions of a repository's downloads. */
final class RestrictionRoutes {

    private final RestrictionService restrictions;

    RestrictionRoutes(RestrictionService restrictions) {
        this.restrictions = restrictions;
    }

    record GeoBody(List<String> whiteList, List<String> blackList) {
    }

    void getGeoRestrictions(Context ctx) {
        ctx.json(restrictions.geoRestrictions(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("repo")));
    }

    /** Answers with a message, as documented (the doc's example is a bare string in braces). */
    void updateGeoRestrictions(Context ctx) {
        var body = Http.body(ctx, GeoBody.class);
        var subject = ctx.pathParam("subject");
        var repo = ctx.pathParam("repo");
        restrictions.updateGeoRestrictions(Http.caller(ctx), subject, repo, body.whiteList(), body.blackList());
        ctx.json(new MessageJson("The Geo Restrictions for repo path " + subject + "/" + repo
                + " were updated successfully"));
    }

    void deleteGeoRestrictions(Context ctx) {
        ctx.json(restrictions.deleteGeoRestrictions(Http.caller(ctx), ctx.pathParam("subject"),
                ctx.pathParam("repo")));
    }

    void getIpRestrictions(Context ctx) {
        ctx.json(restrictions.ipRestrictions(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("repo")));
    }

    /** The doc's example nests the list in a list; flat lists are accepted too. */
    void setIpRestrictions(Context ctx) {
        var body = Http.body(ctx, JsonNode.class);
        var lists = ipLists(body, "");
        ctx.json(restrictions.updateIpRestrictions(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("repo"),
                lists.whiteCidrs(), lists.blackCidrs()));
    }

    void updateIpRestrictions(Context ctx) {
        var body = Http.body(ctx, JsonNode.class);
        if (!body.isObject()) {
            throw BinderyException.badRequest("Request body must be a JSON object");
        }
        var add = body.get("add");
        var remove = body.get("remove");
        if ((add == null || add.isNull()) && (remove == null || remove.isNull())) {
            throw BinderyException.badRequest("Field 'add' or 'remove' is required");
        }
        ctx.json(restrictions.patchIpRestrictions(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("repo"),
                ipLists(add, "add."), ipLists(remove, "remove.")));
    }

    void deleteIpRestrictions(Context ctx) {
        var subject = ctx.pathParam("subject");
        var repo = ctx.pathParam("repo");
        restrictions.deleteIpRestrictions(Http.caller(ctx), subject, repo);
        ctx.json(new MessageJson("Successfully deleted restriction for repo /" + subject + "/" + repo));
    }

    private static IpRestrictions ipLists(JsonNode node, String prefix) {
        if (node == null || node.isNull()) {
            return new IpRestrictions(List.of(), List.of());
        }
        if (!node.isObject()) {
            throw BinderyException.badRequest("'" + (prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1))
                    + "' must be a JSON object with 'white_cidrs' and 'black_cidrs'");
        }
        return new IpRestrictions(strings(node.get("white_cidrs"), prefix + "white_cidrs"),
                strings(node.get("black_cidrs"), prefix + "black_cidrs"));
    }

    /** A list of strings, or lists of strings nested in it, flattened. */
    private static List<String> strings(JsonNode node, String field) {
        var values = new ArrayList<String>();
        if (node != null && !node.isNull()) {
            collect(node, field, values, 0);
        }
        return values;
    }

    private static void collect(JsonNode node, String field, List<String> values, int depth) {
        if (!node.isArray() || depth > 1) {
            throw BinderyException.badRequest("Field '" + field + "' must be a list of CIDR strings");
        }
        for (var element : node) {
            if (element.isTextual()) {
                values.add(element.asText());
            } else if (element.isArray()) {
                collect(element, field, values, depth + 1);
            } else {
                throw BinderyException.badRequest("Field '" + field + "' must be a list of CIDR strings");
            }
        }
    }
}
