package dev.bindery.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.BinderyException;
import dev.bindery.access.AccessKey;
import dev.bindery.access.AccessKeyService;
import dev.bindery.access.AccessKeyService.KeyRequest;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entitlements, access keys: Get Access Keys, Get Access Key, Create, Update and Delete Access Key. */
final class AccessKeyRoutes {

    private final AccessKeyService keys;
    private final SubjectService subjects;

    AccessKeyRoutes(AccessKeyService keys, SubjectService subjects) {
        this.keys = keys;
        this.subjects = subjects;
    }

    void getAccessKeys(Context ctx) {
        var list = keys.keys(Http.caller(ctx), owner(ctx)).stream().map(AccessKey::keyId).toList();
        ctx.json(Map.of("access_keys", list));
    }

    void getAccessKey(Context ctx) {
        var owner = owner(ctx);
        var key = keys.key(Http.caller(ctx), owner, ctx.pathParam("key"));
        var json = new LinkedHashMap<String, Object>();
        json.put("id", key.keyId());
        json.put("username", key.keyId() + "@" + owner.name());
        json.putAll(settings(key));
        ctx.json(json);
    }

    void createAccessKey(Context ctx) {
        var created = keys.create(Http.caller(ctx), owner(ctx), request(Http.body(ctx, JsonNode.class)));
        var json = new LinkedHashMap<String, Object>();
        json.put("username", created.username());
        json.put("password", created.password());
        ctx.status(201).json(json);
    }

    void updateAccessKey(Context ctx) {
        var updated = keys.update(Http.caller(ctx), owner(ctx), ctx.pathParam("key"),
                request(Http.body(ctx, JsonNode.class)));
        var json = new LinkedHashMap<String, Object>();
        json.put("username", updated.username());
        if (updated.password() != null) {
            json.put("password", updated.password());
        }
        json.putAll(settings(updated.key()));
        ctx.json(json);
    }

    void deleteAccessKey(Context ctx) {
        keys.delete(Http.caller(ctx), owner(ctx), ctx.pathParam("key"));
        ctx.json(MessageJson.SUCCESS);
    }

    private Subject owner(Context ctx) {
        var org = ctx.pathParamMap().get("org");
        return org != null ? subjects.org(org) : subjects.user(ctx.pathParam("user"));
    }

    private static Map<String, Object> settings(AccessKey key) {
        var json = new LinkedHashMap<String, Object>();
        if (key.expiry() != null) {
            json.put("expiry", key.expiry().toEpochMilli());
        }
        if (key.existenceCheck() != null) {
            var check = new LinkedHashMap<String, Object>();
            check.put("url", key.existenceCheck().url());
            check.put("cache_for_secs", key.existenceCheck().cacheForSecs());
            json.put("existence_check", check);
        }
        json.put("white_cidrs", key.whiteCidrs());
        json.put("black_cidrs", key.blackCidrs());
        json.put("api_only", key.apiOnly());
        return json;
    }

    private static KeyRequest request(JsonNode body) {
        if (!body.isObject()) {
            throw BinderyException.badRequest("Request body must be a JSON object");
        }
        var expiryNode = body.get("expiry");
        Instant expiry = null;
        if (expiryNode != null && !expiryNode.isNull()) {
            if (!expiryNode.canConvertToLong() || !expiryNode.isIntegralNumber()) {
                throw BinderyException.badRequest("Field 'expiry' must be a time in epoch milliseconds");
            }
            expiry = Instant.ofEpochMilli(expiryNode.asLong());
        }
        var checkNode = body.get("existence_check");
        AccessKey.ExistenceCheck check = null;
        if (checkNode != null && !checkNode.isNull()) {
            if (!checkNode.isObject()) {
                throw BinderyException.badRequest("Field 'existence_check' must be an object with 'url' and"
                        + " 'cache_for_secs'");
            }
            var url = text(checkNode, "url", "existence_check.url");
            if (url == null) {
                throw BinderyException.badRequest("Field 'existence_check.url' is required");
            }
            var secs = checkNode.get("cache_for_secs");
            if (secs != null && !secs.isNull() && !secs.isIntegralNumber()) {
                throw BinderyException.badRequest("Field 'existence_check.cache_for_secs' must be a number");
            }
            check = new AccessKey.ExistenceCheck(url,
                    secs == null || secs.isNull() ? 60 : (int) Math.min(Integer.MAX_VALUE, secs.asLong()));
        }
        var apiOnly = body.get("api_only");
        if (apiOnly != null && !apiOnly.isNull() && !apiOnly.isBoolean()) {
            throw BinderyException.badRequest("Field 'api_only' must be true or false");
        }
        return new KeyRequest(text(body, "id", "id"), text(body, "password", "password"), expiry,
                expiryNode != null, check, checkNode != null,
                list(body, body.has("white_cidrs") ? "white_cidrs" : "white_cids"),
                list(body, body.has("black_cidrs") ? "black_cidrs" : "black_cids"),
                apiOnly == null || apiOnly.isNull() ? null : apiOnly.asBoolean());
    }

    static String text(JsonNode node, String field, String name) {
        var value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw BinderyException.badRequest("Field '" + name + "' must be a string");
        }
        return value.asText();
    }

    /** A list of strings, or null when the field is absent. */
    static List<String> list(JsonNode node, String field) {
        var value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw BinderyException.badRequest("Field '" + field + "' must be a list of strings");
        }
        var result = new ArrayList<String>();
        for (var item : value) {
            if (!item.isTextual()) {
                throw BinderyException.badRequest("Field '" + field + "' must be a list of strings");
            }
            result.add(item.asText());
        }
        return result;
    }
}
