package dev.bindery.web;

import dev.bindery.BinderyException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code access_token} parameter, SourceForge's way to pass a bearer token in a query (or a
 * POST form), turned into the {@code Authorization: Bearer} header it stands for, so both take the
 * same path through the authenticator. Sending both is refused (RFC 6750 allows one method per
 * request). The token is never logged.
 */
final class AccessTokenParam {

    static final String NAME = "access_token";
    private static final String PREFIX = NAME + "=";

    private AccessTokenParam() {
    }

    /**
     * The {@code access_token} in a raw query string, decoded; null when there is none.
     *
     * @throws BinderyException bad request when it is not validly encoded or given twice
     */
    static String fromQuery(String rawQuery) {
        if (rawQuery == null || !rawQuery.contains(PREFIX)) {
            return null;
        }
        String token = null;
        for (var pair : rawQuery.split("&")) {
            if (!pair.startsWith(PREFIX)) {
                continue;
            }
            if (token != null) {
                throw BinderyException.badRequest("Parameter '" + NAME + "' is given more than once");
            }
            try {
                token = URLDecoder.decode(pair.substring(PREFIX.length()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw BinderyException.badRequest("Parameter '" + NAME + "' is not validly encoded");
            }
        }
        return token;
    }

    /**
     * The authorization to check: the header, or a bearer token from the parameter.
     *
     * @throws BinderyException bad request when both are given
     */
    static String authorization(String header, String token) {
        if (token == null) {
            return header;
        }
        if (header != null && !header.isBlank()) {
            throw BinderyException.badRequest("Use either the Authorization header or the '" + NAME
                    + "' parameter, not both");
        }
        if (token.isBlank()) {
            throw BinderyException.unauthorized("Parameter '" + NAME + "' is empty");
        }
        return "Bearer " + token;
    }
}
