package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.content.FilePath;
import dev.bindery.formats.maven.MavenService;
import dev.bindery.formats.maven.MavenService.MavenUpload;
import dev.bindery.web.json.Json;
import dev.bindery.web.json.MessageJson;
import dev.bindery.web.json.PackageJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maven Upload and Maven Package Search. */
final class MavenRoutes {

    private final MavenService maven;

    MavenRoutes(MavenService maven) {
        this.maven = maven;
    }

    /**
     * {@code PUT /maven/:subject/:repo/:package/:file_path[;publish=1]}. The path after the package
     * is the Maven layout path. Matrix parameters may follow any segment, so a
     * {@code <distributionManagement>} URL ending in {@code :package;publish=1} publishes what
     * {@code mvn deploy} uploads; {@code ?publish=1} and {@code X-Bintray-Publish} work too.
     */
    void mavenUpload(Context ctx) {
        var matrix = MatrixPath.parse(ctx.pathParam("path"));
        var segments = matrix.nonEmptySegments();
        if (segments.size() < 2) {
            throw BinderyException.badRequest("Upload path must be /maven/:subject/:repo/:package/:file_path");
        }
        var params = matrix.params();
        var upload = new MavenUpload(RepositoryRoutes.repoRef(ctx), segments.get(0),
                FilePath.of(String.join("/", segments.subList(1, segments.size()))),
                ContentRoutes.option(ctx, params, "publish", "X-Bintray-Publish"),
                ContentRoutes.option(ctx, params, "override", "X-Bintray-Override"),
                ContentRoutes.expectedSha256(ctx),
                ContentRoutes.formatParameters(ctx, params));
        try (var body = ctx.req().getInputStream()) {
            maven.upload(Http.caller(ctx), upload, body, SigningRoutes.headerPassphrase(ctx));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.status(201).json(MessageJson.SUCCESS);
    }

    /**
     * {@code GET /maven/:subject/:repo/...}: {@code mvn deploy} asks the deployment URL for the
     * artifact's {@code maven-metadata.xml} to merge its version into. Bindery writes that file itself
     * and drops the client's, so the answer is 404, which mvn reads as "no metadata yet"; downloads
     * are at {@code /dl/:subject/:repo/:file_path}.
     */
    void mavenDownload(Context ctx) {
        throw BinderyException.notFound("Maven downloads are at /dl/" + ctx.pathParam("subject") + "/"
                + ctx.pathParam("repo") + "/:file_path");
    }

    /** {@code GET /search/packages/maven?g=&a=&q=&subject=&repo=}: package search results with {@code system_ids}. */
    void searchMavenPackages(Context ctx) {
        var page = maven.search(Http.caller(ctx), ctx.queryParam("g"), ctx.queryParam("a"), ctx.queryParam("q"),
                ctx.queryParam("subject"), ctx.queryParam("repo"), Http.startPos(ctx));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream().map(hit -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> json = Json.MAPPER.convertValue(PackageJson.of(hit.pkg(), false), LinkedHashMap.class);
            json.put("system_ids", hit.systemIds());
            return json;
        }).toList());
    }
}
