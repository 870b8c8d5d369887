package dev.bindery.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bindery.BinderyException;
import dev.bindery.Times;
import dev.bindery.access.Authenticator;
import dev.bindery.content.ContentService;
import dev.bindery.product.Eula;
import dev.bindery.product.EulaService;
import dev.bindery.product.EulaService.EulaRequest;
import dev.bindery.product.Product;
import dev.bindery.product.ProductService;
import dev.bindery.product.ProductService.CreateProductRequest;
import dev.bindery.product.ProductService.ProductView;
import dev.bindery.product.ProductService.UpdateProductRequest;
import dev.bindery.product.ProductStore.Signature;
import dev.bindery.subject.Caller;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Products, EULAs and EULA Tracking (Bintray Enterprise), Get EULA by File Path, and the page where
 * an access key accepts a EULA ({@code /:subject/product/:product/:version/accept_eula}), which a
 * person opens in a browser and logs in to with the access key (HTTP Basic).
 */
final class ProductRoutes {

    private static final String ALL = "_all";

    private final ProductService products;
    private final EulaService eulas;
    private final ContentService content;
    private final Authenticator authenticator;
    private final ClientAddress clientAddress;

    ProductRoutes(ProductService products, EulaService eulas, ContentService content, Authenticator authenticator,
                  ClientAddress clientAddress) {
        this.products = products;
        this.eulas = eulas;
        this.content = content;
        this.authenticator = authenticator;
        this.clientAddress = clientAddress;
    }

    /** The body of Create EULA and Update EULA: {@code default} is a Java keyword. */
    record EulaBody(String name, String syntax, String content, @JsonProperty("default") Boolean isDefault,
                    List<String> versions) {
        EulaRequest request() {
            return new EulaRequest(name, syntax, content, isDefault, versions);
        }
    }

    /** The optional body of the accept call. */
    record AcceptBody(String version) {
    }

    // --- Products -----------------------------------------------------------------------------

    void getProducts(Context ctx) {
        ctx.json(products.products(Http.caller(ctx), ctx.pathParam("subject")).stream()
                .map(product -> Map.of("name", product.name()))
                .toList());
    }

    void getProduct(Context ctx) {
        ctx.json(productJson(products.product(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product"))));
    }

    void createProduct(Context ctx) {
        var request = Http.body(ctx, CreateProductRequest.class);
        ctx.status(201).json(productJson(products.createProduct(Http.caller(ctx), ctx.pathParam("subject"), request)));
    }

    void updateProduct(Context ctx) {
        var request = Http.body(ctx, UpdateProductRequest.class);
        ctx.json(productJson(products.updateProduct(Http.caller(ctx), ctx.pathParam("subject"),
                ctx.pathParam("product"), request)));
    }

    void deleteProduct(Context ctx) {
        products.deleteProduct(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product"));
        ctx.json(new MessageJson("deleted"));
    }

    private static Map<String, Object> productJson(ProductView view) {
        Product product = view.product();
        var json = new LinkedHashMap<String, Object>();
        json.put("name", product.name());
        json.put("display_name", product.displayName());
        json.put("created", Times.format(product.created()));
        json.put("desc", product.desc());
        json.put("website_url", product.websiteUrl());
        json.put("vcs_url", product.vcsUrl());
        json.put("packages", view.packages());
        json.put("versions", view.versions());
        json.put("sign_url_expiry", product.signUrlExpiry());
        return json;
    }

    // --- EULA Tracking ------------------------------------------------------------------------

    /** Get Product Signed EULAs, and Get Signed EULAs - All Products for {@code _all}. */
    void getProductSignedEulas(Context ctx) {
        var product = ctx.pathParam("product");
        var signatures = eulas.signedEulas(Http.caller(ctx), ctx.pathParam("subject"),
                ALL.equals(product) ? null : product, Times.parse(ctx.queryParam("from"), "from"),
                Times.parse(ctx.queryParam("to"), "to"), blankToNull(ctx.queryParam("username")),
                blankToNull(ctx.queryParam("eula_name")));
        var json = new LinkedHashMap<String, Object>();
        signatures.forEach((name, list) -> json.put(name, list.stream().map(ProductRoutes::signatureJson).toList()));
        ctx.json(json);
    }

    private static Map<String, Object> signatureJson(Signature signature) {
        var json = new LinkedHashMap<String, Object>();
        json.put("date_signed", Times.format(signature.signed()));
        json.put("username", signature.username());
        json.put("product_version_name", signature.version());
        json.put("eula_name", signature.eula());
        return json;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    // --- EULAs --------------------------------------------------------------------------------

    void getEulas(Context ctx) {
        ctx.json(eulas.eulas(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product")).stream()
                .map(eula -> {
                    var json = new LinkedHashMap<String, Object>();
                    json.put("name", eula.name());
                    json.put("created", Times.format(eula.created()));
                    json.put("versions", eula.versions());
                    return json;
                })
                .toList());
    }

    void getEula(Context ctx) {
        ctx.json(eulaJson(eulas.eula(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product"),
                ctx.pathParam("eula"))));
    }

    void createEula(Context ctx) {
        var body = Http.body(ctx, EulaBody.class);
        ctx.status(201).json(eulaJson(eulas.createEula(Http.caller(ctx), ctx.pathParam("subject"),
                ctx.pathParam("product"), body.request())));
    }

    void updateEula(Context ctx) {
        var body = Http.body(ctx, EulaBody.class);
        ctx.json(eulaJson(eulas.updateEula(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product"),
                ctx.pathParam("eula"), body.request())));
    }

    void deleteEula(Context ctx) {
        eulas.deleteEula(Http.caller(ctx), ctx.pathParam("subject"), ctx.pathParam("product"), ctx.pathParam("eula"));
        ctx.json(new MessageJson("deleted"));
    }

    /** Extension: an access key accepts a EULA through the API, for {@code version} or all it protects. */
    void acceptEula(Context ctx) {
        var body = Http.optionalBody(ctx, AcceptBody.class, new AcceptBody(null));
        var version = body.version() != null ? body.version() : blankToNull(ctx.queryParam("version"));
        var caller = Http.caller(ctx);
        var versions = eulas.acceptEula(caller, ctx.pathParam("subject"), ctx.pathParam("product"),
                ctx.pathParam("eula"), version);
        var json = new LinkedHashMap<String, Object>();
        json.put("username", caller.name());
        json.put("eula_name", ctx.pathParam("eula"));
        json.put("versions", versions);
        ctx.json(json);
    }

    /** Get EULA by File Path: the EULA protecting the file's version. */
    void getFileEula(Context ctx) {
        var ref = RepositoryRoutes.repoRef(ctx);
        var file = content.file(Http.caller(ctx), ref, Http.filePath(ctx));
        ctx.json(eulaJson(eulas.fileEula(Http.caller(ctx), ref.subject(), file)));
    }

    private static Map<String, Object> eulaJson(Eula eula) {
        var json = new LinkedHashMap<String, Object>();
        json.put("name", eula.name());
        json.put("created", Times.format(eula.created()));
        json.put("versions", eula.versions());
        json.put("syntax", eula.syntax());
        json.put("content", eula.content());
        json.put("default", eula.isDefault());
        return json;
    }

    // --- the acceptance page ------------------------------------------------------------------

    /** The EULA to accept, with a form that posts the acceptance back to this URL. */
    void showAcceptEula(Context ctx) {
        var caller = pageCaller(ctx);
        var pending = eulas.pending(caller, ctx.pathParam("subject"), ctx.pathParam("product"),
                ctx.pathParam("version"));
        var eula = pending.eula();
        html(ctx, "Accept the EULA of " + pending.product() + " " + pending.version(),
                "<h1>" + escape(pending.product()) + " " + escape(pending.version()) + ": " + escape(eula.name())
                        + "</h1>\n<p>Logged in as <b>" + escape(caller.name()) + "</b>. Read the agreement ("
                        + escape(eula.syntax()) + ") and accept it to download this version.</p>\n"
                        + "<pre style=\"white-space: pre-wrap\">" + escape(eula.content()) + "</pre>\n"
                        + "<form method=\"post\"><input type=\"hidden\" name=\"accept\" value=\"true\">"
                        + "<button type=\"submit\">I accept</button></form>\n");
    }

    /** Records the acceptance of the EULA shown by {@link #showAcceptEula}. */
    void acceptEulaPage(Context ctx) {
        var caller = pageCaller(ctx);
        // A form posted from another site with the browser's remembered credentials is not consent.
        var origin = ctx.header("Origin");
        if (origin != null && !origin.equals("null") && !sameHost(origin, ctx.host())) {
            throw BinderyException.forbidden("EULAs are accepted from the page that shows them");
        }
        var pending = eulas.acceptVersion(caller, ctx.pathParam("subject"), ctx.pathParam("product"),
                ctx.pathParam("version"));
        html(ctx, "EULA accepted", "<h1>EULA accepted</h1>\n<p><b>" + escape(caller.name()) + "</b> accepted "
                + escape(pending.eula().name()) + " for " + escape(pending.product()) + " "
                + escape(pending.version()) + ". Downloads with this access key now succeed.</p>\n");
    }

    /** The page is outside the API, so it authenticates itself; the username in the URL must be the caller's. */
    private Caller pageCaller(Context ctx) {
        Gate.checkRawUri(ctx.req().getRequestURI());
        var caller = authenticator.authenticate(ctx.header("Authorization"),
                clientAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For")));
        if (caller.isAnonymous()) {
            throw BinderyException.unauthorized("Log in with your access key to accept the EULA");
        }
        var username = ctx.queryParam("username");
        if (username != null && !username.isBlank() && !username.equals(caller.name())) {
            throw BinderyException.forbidden("This page is for '" + username + "'; you are logged in as '"
                    + caller.name() + "'");
        }
        return caller;
    }

    private static boolean sameHost(String origin, String host) {
        try {
            var uri = URI.create(origin);
            var authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority != null && (authority.equalsIgnoreCase(host) || uri.getHost().equalsIgnoreCase(host));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void html(Context ctx, String title, String body) {
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'none'; form-action 'self'");
        ctx.contentType("text/html; charset=utf-8").result("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                + "<title>" + escape(title) + "</title></head>\n<body>\n" + body + "</body></html>\n");
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
