package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.Times;
import dev.bindery.access.TokenService;
import dev.bindery.access.TokenService.CreateTokenRequest;
import dev.bindery.access.TokenStore.StoredToken;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Extension: users' bearer tokens (SourceForge's pre-negotiated tokens), created, listed and revoked
 * by the user. The token itself is in the answer to the create call only.
 */
final class TokenRoutes {

    private final TokenService tokens;

    TokenRoutes(TokenService tokens) {
        this.tokens = tokens;
    }

    /** {@code POST /users/:user/tokens}: 201 with the token, shown this once. */
    void createToken(Context ctx) {
        var request = Http.body(ctx, CreateTokenRequest.class);
        var created = tokens.create(Http.caller(ctx), ctx.pathParam("user"), request);
        var json = tokenJson(created.stored());
        json.put("token", created.token());
        ctx.status(201).json(json);
    }

    void getTokens(Context ctx) {
        ctx.json(tokens.list(Http.caller(ctx), ctx.pathParam("user")).stream().map(TokenRoutes::tokenJson).toList());
    }

    void getToken(Context ctx) {
        ctx.json(tokenJson(tokens.get(Http.caller(ctx), ctx.pathParam("user"), id(ctx))));
    }

    void deleteToken(Context ctx) {
        tokens.revoke(Http.caller(ctx), ctx.pathParam("user"), id(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    private static long id(Context ctx) {
        var text = ctx.pathParam("id");
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw BinderyException.notFound("Token '" + text + "' of user '" + ctx.pathParam("user") + "' was not found");
        }
    }

    /** A token without its secret: expiry in epoch milliseconds as it was given, times in Bintray's format. */
    private static Map<String, Object> tokenJson(StoredToken token) {
        var json = new LinkedHashMap<String, Object>();
        json.put("id", token.id());
        json.put("name", token.name());
        json.put("scope", token.scope().name().toLowerCase(Locale.ROOT));
        json.put("expiry", token.expiry() == null ? null : token.expiry().toEpochMilli());
        json.put("created", Times.format(token.created()));
        json.put("last_used", Times.format(token.lastUsed()));
        return json;
    }
}
