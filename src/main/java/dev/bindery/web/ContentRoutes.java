package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.content.ContentService;
import dev.bindery.content.FilePath;
import dev.bindery.content.Requests.PublishRequest;
import dev.bindery.content.UploadService;
import dev.bindery.content.UploadService.UploadRequest;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Content Uploading & Publishing: Upload Content (all three forms), Publish/Discard, Delete Content. */
final class ContentRoutes {

    private final ContentService content;
    private final UploadService uploads;

    ContentRoutes(ContentService content, UploadService uploads) {
        this.content = content;
        this.uploads = uploads;
    }

    /**
     * {@code PUT /content/:subject/:repo/...}. Package and version come from matrix parameters
     * ({@code ;bt_package=;bt_version=}), from X-Bintray-Package/X-Bintray-Version headers, or else
     * from the first two path segments; publish, override and explode from a query parameter, a
     * header or a matrix parameter.
     */
    void uploadContent(Context ctx) {
        var matrix = MatrixPath.parse(ctx.pathParam("path"));
        var params = matrix.params();
        var pkg = firstNonBlank(params.get("bt_package"), ctx.header("X-Bintray-Package"));
        var version = firstNonBlank(params.get("bt_version"), ctx.header("X-Bintray-Version"));
        FilePath path;
        if (pkg == null && version == null) {
            var segments = matrix.nonEmptySegments();
            if (segments.size() < 3) {
                throw BinderyException.badRequest("Upload path must be /content/:subject/:repo/:package/:version/:file_path,"
                        + " or give the package and version as headers or matrix parameters");
            }
            pkg = segments.get(0);
            version = segments.get(1);
            path = FilePath.of(String.join("/", segments.subList(2, segments.size())));
        } else {
            path = FilePath.of(matrix.path(0));
        }
        var expectedSha256 = expectedSha256(ctx);
        var request = new UploadRequest(RepositoryRoutes.repoRef(ctx), path, pkg, version,
                option(ctx, params, "publish", "X-Bintray-Publish"),
                option(ctx, params, "override", "X-Bintray-Override"),
                option(ctx, params, "explode", "X-Bintray-Explode"),
                expectedSha256, formatParameters(ctx, params));
        try (var body = ctx.req().getInputStream()) {
            uploads.upload(Http.caller(ctx), request, body, SigningRoutes.headerPassphrase(ctx));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.status(201).json(MessageJson.SUCCESS);
    }

    /** The client's {@code X-Checksum-Sha2}, trimmed, or null. */
    static String expectedSha256(Context ctx) {
        var expectedSha256 = ctx.header("X-Checksum-Sha2");
        if (expectedSha256 != null && !expectedSha256.trim().matches("[0-9a-fA-F]{64}")) {
            throw BinderyException.badRequest("Header X-Checksum-Sha2 must be a SHA-256 of 64 hexadecimal digits");
        }
        return expectedSha256 == null ? null : expectedSha256.trim();
    }

    /** Headers whose values the formats read, by the matrix parameter name they stand for. */
    private static final Map<String, String> FORMAT_HEADERS = Map.of(
            "deb_distribution", "X-Bintray-Debian-Distribution",
            "deb_component", "X-Bintray-Debian-Component",
            "deb_architecture", "X-Bintray-Debian-Architecture");

    /** Query parameters, then matrix parameters, then the format headers: the last one given wins. */
    static Map<String, String> formatParameters(Context ctx, Map<String, String> matrix) {
        var parameters = new java.util.HashMap<String, String>();
        ctx.queryParamMap().forEach((name, values) -> {
            if (!values.isEmpty()) {
                parameters.put(name, values.get(values.size() - 1));
            }
        });
        matrix.forEach((name, value) -> {
            if (value != null) {
                parameters.put(name, value);
            }
        });
        FORMAT_HEADERS.forEach((name, header) -> {
            var value = ctx.header(header);
            if (value != null && !value.isBlank()) {
                parameters.put(name, value.trim());
            }
        });
        return parameters;
    }

    static boolean option(Context ctx, Map<String, String> matrix, String name, String header) {
        return Http.flag(ctx.queryParam(name)) || Http.flag(ctx.header(header)) || Http.flag(matrix.get(name));
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second == null || second.isBlank() ? null : second;
    }

    void publishContent(Context ctx) {
        var request = Http.optionalBody(ctx, PublishRequest.class, new PublishRequest(null, null));
        boolean discard = Boolean.TRUE.equals(request.discard());
        int wait = request.publishWaitForSecs() == null ? 0 : request.publishWaitForSecs();
        if (wait < -1) {
            throw BinderyException.badRequest("Field 'publish_wait_for_secs' must be -1, 0 or a positive number of seconds");
        }
        int files = content.publish(Http.caller(ctx), PackageRoutes.versionRef(ctx), discard, wait);
        ctx.json(Map.of("files", files));
    }

    void deleteContent(Context ctx) {
        content.deleteContent(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), Http.filePath(ctx));
        ctx.json(MessageJson.SUCCESS);
    }
}
