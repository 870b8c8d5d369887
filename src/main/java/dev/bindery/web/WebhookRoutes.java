package dev.bindery.web;

import dev.bindery.events.Webhook;
import dev.bindery.events.WebhookService;
import dev.bindery.events.WebhookService.HookRequest;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Webhooks: Get Webhooks, Register a Webhook, Test a Webhook, Delete a Webhook. */
final class WebhookRoutes {

    private final WebhookService webhooks;

    WebhookRoutes(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    /** {@code GET /webhooks/:subject[/:repo]}. */
    void getWebhooks(Context ctx) {
        var repo = ctx.pathParamMap().get("repo");
        ctx.json(webhooks.list(Http.caller(ctx), ctx.pathParam("subject"), repo).stream()
                .map(WebhookRoutes::json).toList());
    }

    /** {@code POST /webhooks/:subject/:repo/:package}: 201 with the X-Bintray-WebHookLimit-* headers. */
    void registerWebhook(Context ctx) {
        var registration = webhooks.register(Http.caller(ctx), PackageRoutes.packageRef(ctx),
                Http.body(ctx, HookRequest.class));
        ctx.header("X-Bintray-WebHookLimit-Limit", String.valueOf(registration.limit()));
        ctx.header("X-Bintray-WebHookLimit-Remaining", String.valueOf(registration.remaining()));
        ctx.status(201).json(MessageJson.SUCCESS);
    }

    /** {@code POST /webhooks/:subject/:repo/:package/:version}: calls the hook now; answers the payload sent. */
    void testWebhook(Context ctx) {
        var request = Http.optionalBody(ctx, HookRequest.class, HookRequest.NONE);
        ctx.json(webhooks.test(Http.caller(ctx), PackageRoutes.versionRef(ctx), request));
    }

    /** {@code DELETE /webhooks/:subject/:repo/:package}. */
    void deleteWebhook(Context ctx) {
        webhooks.delete(Http.caller(ctx), PackageRoutes.packageRef(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    /** Get Webhooks' documented shape (failure_count as a string), plus repo, method and active. */
    private static Map<String, Object> json(Webhook hook) {
        var json = new LinkedHashMap<String, Object>();
        json.put("package", hook.pkg());
        json.put("url", hook.url());
        json.put("failure_count", String.valueOf(hook.failureCount()));
        json.put("repo", hook.repo());
        json.put("method", hook.method().toLowerCase(java.util.Locale.ROOT));
        json.put("active", hook.active());
        return json;
    }
}
