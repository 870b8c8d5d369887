package dev.bindery.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bindery.content.PackageText;
import dev.bindery.content.PackageTextService;
import dev.bindery.content.PackageTextService.Kind;
import dev.bindery.content.PackageTextService.TextRequest;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.product.ProductService;
import dev.bindery.product.ProductStore.ProductPackage;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.List;

/** Readme and Release Notes: Get and Create Readme, Create and Delete Product Readme, Get, Create and Delete Package's and Version's Release Notes. */
final class PackageTextRoutes {

    private final PackageTextService texts;
    private final ProductService products;

    PackageTextRoutes(PackageTextService texts, ProductService products) {
        this.texts = texts;
        this.products = products;
    }

    /** The documented body: the package and either the Bintray text or the GitHub reference. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TextJson(@com.fasterxml.jackson.annotation.JsonProperty("package") String pkg, String repo, String owner,
                    String version, BintrayJson bintray, GithubJson github) {

        static TextJson of(PackageRef ref, String version, PackageText text) {
            return new TextJson(ref.pkg(), ref.repo(), ref.subject(), version,
                    text.onGithub() ? null : new BintrayJson(text.syntax(), text.content()),
                    text.onGithub() ? new GithubJson(text.githubRepo(), text.githubFile()) : null);
        }
    }

    record BintrayJson(String syntax, String content) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GithubJson(String githubRepo, String githubReleaseNotesFile) {
    }

    /** Get Readme / Get Package's Release Notes. */
    void get(Context ctx, Kind kind) {
        var ref = PackageRoutes.packageRef(ctx);
        ctx.json(TextJson.of(ref, null, texts.get(Http.caller(ctx), ref, kind)));
    }

    /** Create Readme / Create Package's Release Notes. */
    void create(Context ctx, Kind kind) {
        var ref = PackageRoutes.packageRef(ctx);
        var text = texts.set(Http.caller(ctx), ref, kind, Http.body(ctx, TextRequest.class));
        ctx.json(TextJson.of(ref, null, text));
    }

    /** Delete Readme / Delete Package's Release Notes. */
    void delete(Context ctx, Kind kind) {
        texts.delete(Http.caller(ctx), PackageRoutes.packageRef(ctx), kind);
        ctx.json(MessageJson.SUCCESS);
    }

    /** Create Product Readme's answer: the product, its packages given the readme, and the text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ProductTextJson(String product, String owner, List<String> packages, BintrayJson bintray,
                           GithubJson github) {
    }

    void createProductReadme(Context ctx) {
        var caller = Http.caller(ctx);
        var subject = ctx.pathParam("subject");
        var product = ctx.pathParam("product");
        var packages = products.allPackages(caller, subject, product);
        var text = texts.setAll(caller, refs(subject, packages), Kind.README, Http.body(ctx, TextRequest.class));
        ctx.json(new ProductTextJson(product, subject, packages.stream().map(ProductPackage::fullName).toList(),
                text.onGithub() ? null : new BintrayJson(text.syntax(), text.content()),
                text.onGithub() ? new GithubJson(text.githubRepo(), null) : null));
    }

    void deleteProductReadme(Context ctx) {
        var caller = Http.caller(ctx);
        var subject = ctx.pathParam("subject");
        var packages = products.allPackages(caller, subject, ctx.pathParam("product"));
        texts.deleteAll(caller, refs(subject, packages), Kind.README);
        ctx.json(MessageJson.SUCCESS);
    }

    private static List<PackageRef> refs(String subject, List<ProductPackage> packages) {
        return packages.stream().map(pkg -> new PackageRef(subject, pkg.repo(), pkg.pkg())).toList();
    }

    void getVersionReleaseNotes(Context ctx) {
        var ref = PackageRoutes.versionRef(ctx);
        ctx.json(TextJson.of(ref.packageRef(), ref.version(), texts.getVersionNotes(Http.caller(ctx), ref)));
    }

    void createVersionReleaseNotes(Context ctx) {
        var ref = PackageRoutes.versionRef(ctx);
        var text = texts.setVersionNotes(Http.caller(ctx), ref, Http.body(ctx, TextRequest.class));
        ctx.json(TextJson.of(ref.packageRef(), ref.version(), text));
    }
}
