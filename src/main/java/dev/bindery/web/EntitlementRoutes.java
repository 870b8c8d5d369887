package dev.bindery.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.BinderyException;
import dev.bindery.access.Entitlement;
import dev.bindery.access.EntitlementService;
import dev.bindery.access.EntitlementService.EntitlementRequest;
import dev.bindery.access.EntitlementService.Scope;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entitlements on product, repository, package and version scopes: Get Entitlements, Get, Create,
 * Update and Delete Entitlement, Entitlement Search By Access Key and By Tag.
 */
final class EntitlementRoutes {

    private final EntitlementService entitlements;

    EntitlementRoutes(EntitlementService entitlements) {
        this.entitlements = entitlements;
    }

    void getEntitlements(Context ctx) {
        ctx.json(entitlements.entitlements(Http.caller(ctx), scope(ctx)).stream()
                .map(EntitlementRoutes::json).toList());
    }

    void getEntitlement(Context ctx) {
        ctx.json(json(entitlements.entitlement(Http.caller(ctx), scope(ctx), ctx.pathParam("entitlement"))));
    }

    void createEntitlement(Context ctx) {
        var created = entitlements.create(Http.caller(ctx), scope(ctx), request(Http.body(ctx, JsonNode.class)));
        ctx.status(201).json(json(created));
    }

    void updateEntitlement(Context ctx) {
        ctx.json(json(entitlements.update(Http.caller(ctx), scope(ctx), ctx.pathParam("entitlement"),
                request(Http.body(ctx, JsonNode.class)))));
    }

    void deleteEntitlement(Context ctx) {
        entitlements.delete(Http.caller(ctx), scope(ctx), ctx.pathParam("entitlement"));
        ctx.json(MessageJson.SUCCESS);
    }

    /** Entitlement Search By Access Key / By Tag, optionally of a product. */
    void searchEntitlements(Context ctx) {
        ctx.json(entitlements.search(Http.caller(ctx), ctx.queryParam("access_key"), ctx.queryParam("tag"),
                        ctx.queryParam("scope"), ctx.queryParam("product"), Http.flag(ctx.queryParam("deep")))
                .stream().map(EntitlementRoutes::searchJson).toList());
    }

    private static Scope scope(Context ctx) {
        var params = ctx.pathParamMap();
        if (params.containsKey("product")) {
            return Scope.ofProduct(ctx.pathParam("subject"), ctx.pathParam("product"));
        }
        if (params.containsKey("version")) {
            return Scope.of(PackageRoutes.versionRef(ctx));
        }
        if (params.containsKey("package")) {
            return Scope.of(PackageRoutes.packageRef(ctx));
        }
        return Scope.of(RepositoryRoutes.repoRef(ctx));
    }

    private static Map<String, Object> json(Entitlement entitlement) {
        var json = new LinkedHashMap<String, Object>();
        json.put("id", entitlement.entitlementId());
        if (entitlement.path() != null) {
            json.put("path", entitlement.path());
        }
        json.put("access", entitlement.access());
        json.put("access_keys", entitlement.accessKeys());
        json.put("tags", entitlement.tags());
        return json;
    }

    private static Map<String, Object> searchJson(Entitlement entitlement) {
        var json = new LinkedHashMap<String, Object>();
        json.put("id", entitlement.entitlementId());
        if (entitlement.isProductScope()) {
            json.put("product", entitlement.productName());
        } else {
            json.put("repo", "/" + entitlement.ownerName() + "/" + entitlement.repositoryName());
        }
        if (entitlement.packageName() != null) {
            json.put("package", entitlement.packageName());
        }
        if (entitlement.versionName() != null) {
            json.put("version", entitlement.versionName());
        }
        if (entitlement.path() != null) {
            json.put("path", entitlement.path());
        }
        json.put("access", entitlement.access());
        json.put("access_keys", entitlement.accessKeys());
        json.put("tags", entitlement.tags());
        return json;
    }

    private static EntitlementRequest request(JsonNode body) {
        if (!body.isObject()) {
            throw BinderyException.badRequest("Request body must be a JSON object");
        }
        return new EntitlementRequest(AccessKeyRoutes.text(body, "id", "id"),
                AccessKeyRoutes.text(body, "access", "access"), AccessKeyRoutes.text(body, "path", "path"),
                AccessKeyRoutes.list(body, "access_keys"), AccessKeyRoutes.list(body, "access_keys_add"),
                AccessKeyRoutes.list(body, "access_keys_remove"), AccessKeyRoutes.list(body, "tags"),
                AccessKeyRoutes.list(body, "tags_add"), AccessKeyRoutes.list(body, "tags_remove"));
    }
}
