package dev.bindery.web;

import dev.bindery.download.SignedUrlService;
import dev.bindery.download.SignedUrlService.SignRequest;
import dev.bindery.download.SignedUrlService.Signed;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.Map;

/** URL Signing, Dynamic Download and Re-generate Subject URL Signing Key. */
final class SignedUrlRoutes {

    private final SignedUrlService signedUrls;
    /** The configured public base URL, or null to use the request's. */
    private final String baseUrl;

    SignedUrlRoutes(SignedUrlService signedUrls) {
        this.signedUrls = signedUrls;
        var baseUrl = signedUrls.baseUrl();
        this.baseUrl = baseUrl == null || baseUrl.isBlank() ? null
                : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** {@code POST /signed_url/:subject/:repo/:file_path[?encrypt=true]}. */
    void signUrl(Context ctx) {
        var request = Http.optionalBody(ctx, SignRequest.class, SignRequest.NONE);
        var signed = signedUrls.sign(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), Http.filePath(ctx), request,
                Http.flag(ctx.queryParam("encrypt")));
        if (signed.secret() != null) {
            ctx.header("X-Bintray-Secret", signed.secret());
        }
        ctx.json(Map.of("url", url(ctx, signed)));
    }

    /** {@code GET /content/:subject/:repo/:file_path?bt_package=:package}: 302 to a 15-second signed URL. */
    void dynamicDownload(Context ctx) {
        var matrix = MatrixPath.parse(ctx.pathParam("path"));
        var pkg = firstNonBlank(ctx.queryParam("bt_package"), matrix.params().get("bt_package"),
                ctx.header("X-Bintray-Package"));
        var signed = signedUrls.dynamicDownload(Http.caller(ctx), RepositoryRoutes.repoRef(ctx),
                String.join("/", matrix.nonEmptySegments()), pkg);
        ctx.redirect(url(ctx, signed), io.javalin.http.HttpStatus.FOUND);
    }

    /** {@code POST /subjects/:subject/keypair}. */
    void regenerateUrlSigningKey(Context ctx) {
        signedUrls.regenerateKey(Http.caller(ctx), ctx.pathParam("subject"));
        ctx.status(201).json(MessageJson.SUCCESS);
    }

    private String url(Context ctx, Signed signed) {
        var base = baseUrl != null ? baseUrl : ctx.scheme() + "://" + ctx.host();
        return base + signed.pathAndQuery();
    }

    private static String firstNonBlank(String... values) {
        for (var value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
