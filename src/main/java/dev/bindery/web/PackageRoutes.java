package dev.bindery.web;

import dev.bindery.content.ContentService;
import dev.bindery.content.OssLicenses;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.content.Requests.CreatePackageRequest;
import dev.bindery.content.Requests.CreateVersionRequest;
import dev.bindery.content.Requests.UpdatePackageRequest;
import dev.bindery.content.Requests.UpdateVersionRequest;
import dev.bindery.web.json.FileJson;
import dev.bindery.web.json.MessageJson;
import dev.bindery.web.json.PackageJson;
import dev.bindery.web.json.VersionJson;
import io.javalin.http.Context;
import java.util.Map;

/** Packages, Versions and Files: everything below a repository except uploads and downloads. */
final class PackageRoutes {

    private final ContentService content;

    PackageRoutes(ContentService content) {
        this.content = content;
    }

    static PackageRef packageRef(Context ctx) {
        return new PackageRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"));
    }

    static VersionRef versionRef(Context ctx) {
        return new VersionRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"),
                ctx.pathParam("version"));
    }

    private static boolean attributeValues(Context ctx) {
        return Http.flag(ctx.queryParam("attribute_values"));
    }

    // --- packages -----------------------------------------------------------------------------

    void getPackages(Context ctx) {
        var page = content.packages(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), Http.startPos(ctx),
                ctx.queryParam("start_name"));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream().map(pkg -> Map.of("name", pkg.name(), "linked", false)).toList());
    }

    void getPackage(Context ctx) {
        ctx.json(PackageJson.of(content.pkg(Http.caller(ctx), packageRef(ctx)), attributeValues(ctx)));
    }

    void headPackage(Context ctx) {
        content.pkg(Http.caller(ctx), packageRef(ctx));
        ctx.status(200);
    }

    void createPackage(Context ctx) {
        var request = Http.body(ctx, CreatePackageRequest.class);
        var created = content.createPackage(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), request);
        ctx.status(201).json(PackageJson.of(created, false));
    }

    void updatePackage(Context ctx) {
        var request = Http.body(ctx, UpdatePackageRequest.class);
        ctx.json(PackageJson.of(content.updatePackage(Http.caller(ctx), packageRef(ctx), request), false));
    }

    void deletePackage(Context ctx) {
        content.deletePackage(Http.caller(ctx), packageRef(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    void searchPackages(Context ctx) {
        var page = content.searchPackages(Http.caller(ctx), ctx.queryParam("name"), ctx.queryParam("desc"),
                ctx.queryParam("subject"), ctx.queryParam("repo"), Http.startPos(ctx));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream().map(view -> PackageJson.of(view, false)).toList());
    }

    void getPackageForFile(Context ctx) {
        ctx.json(PackageJson.of(content.packageOfFile(Http.caller(ctx), RepositoryRoutes.repoRef(ctx),
                Http.filePath(ctx)), false));
    }

    void getOssLicenses(Context ctx) {
        ctx.json(OssLicenses.all());
    }

    // --- versions -----------------------------------------------------------------------------

    void getVersion(Context ctx) {
        ctx.json(VersionJson.of(content.version(Http.caller(ctx), versionRef(ctx)), attributeValues(ctx)));
    }

    void headVersion(Context ctx) {
        content.version(Http.caller(ctx), versionRef(ctx));
        ctx.status(200);
    }

    void createVersion(Context ctx) {
        var request = Http.body(ctx, CreateVersionRequest.class);
        ctx.status(201).json(VersionJson.of(content.createVersion(Http.caller(ctx), packageRef(ctx), request), false));
    }

    void updateVersion(Context ctx) {
        var request = Http.body(ctx, UpdateVersionRequest.class);
        ctx.json(VersionJson.of(content.updateVersion(Http.caller(ctx), versionRef(ctx), request), false));
    }

    void deleteVersion(Context ctx) {
        content.deleteVersion(Http.caller(ctx), versionRef(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    void getVersionForFile(Context ctx) {
        ctx.json(VersionJson.of(content.versionOfFile(Http.caller(ctx), RepositoryRoutes.repoRef(ctx),
                Http.filePath(ctx)), false));
    }

    // --- files --------------------------------------------------------------------------------

    void getPackageFiles(Context ctx) {
        var files = content.packageFiles(Http.caller(ctx), packageRef(ctx), Http.flag(ctx.queryParam("include_unpublished")));
        ctx.json(files.stream().map(FileJson::of).toList());
    }

    void getVersionFiles(Context ctx) {
        var files = content.versionFiles(Http.caller(ctx), versionRef(ctx), Http.flag(ctx.queryParam("include_unpublished")));
        ctx.json(files.stream().map(FileJson::of).toList());
    }

    void searchFile(Context ctx) {
        var page = content.searchFiles(ctx.queryParam("name"), ctx.queryParam("sha1"), ctx.queryParam("subject"),
                ctx.queryParam("repo"), ctx.queryParam("created_after"), Http.startPos(ctx));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream().map(FileJson::of).toList());
    }

    record FileMetadataRequest(Boolean listInDownloads) {
    }

    void setFileInDownloadList(Context ctx) {
        var request = Http.body(ctx, FileMetadataRequest.class);
        if (request.listInDownloads() == null) {
            throw dev.bindery.BinderyException.badRequest("Field 'list_in_downloads' (true or false) is required");
        }
        content.setListInDownloads(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), Http.filePath(ctx),
                request.listInDownloads());
        ctx.json(MessageJson.SUCCESS);
    }
}
