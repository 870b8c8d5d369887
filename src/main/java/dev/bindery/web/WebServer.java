package dev.bindery.web;

import dev.bindery.access.AccessKeyService;
import dev.bindery.access.AccessService;
import dev.bindery.access.Authenticator;
import dev.bindery.access.EntitlementService;
import dev.bindery.access.RateLimiter;
import dev.bindery.access.RestrictionService;
import dev.bindery.access.TokenService;
import dev.bindery.access.TeamService;
import dev.bindery.analytics.AnalyticsPipeline;
import dev.bindery.analytics.StatsService;
import dev.bindery.analytics.UsageExport;
import dev.bindery.analytics.UsageReports;
import dev.bindery.content.ContentService;
import dev.bindery.content.UploadService;
import dev.bindery.download.DownloadService;
import dev.bindery.download.FileBodies;
import dev.bindery.formats.FormatService;
import dev.bindery.formats.maven.MavenService;
import dev.bindery.product.EulaService;
import dev.bindery.product.ProductService;
import dev.bindery.signing.SigningService;
import dev.bindery.subject.SubjectService;
import dev.bindery.web.json.Json;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.List;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;

/** The HTTP face of Bindery: Javalin on Jetty 12 with every route, the gate and error mapping. */
public final class WebServer {

    /** JSON bodies of API calls; uploads stream and are not limited by this. */
    private static final long MAX_JSON_BODY = 1_000_000;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final Javalin app;

    /** The services the routes call. */
    public record Services(SubjectService subjects, ContentService content, UploadService uploads,
                           DownloadService downloads, FileBodies bodies, AccessService access,
                           Authenticator authenticator, RateLimiter rateLimiter, AnalyticsPipeline analytics,
                           StatsService stats, UsageExport usage, UsageReports usageReports,
                           java.util.function.Supplier<String> metrics, FormatService formats,
                           SigningService signing, MavenService maven, TeamService teams, TokenService tokens,
                           RestrictionService restrictions, ProductService products, EulaService eulas,
                           AccessKeyService accessKeys, EntitlementService entitlements,
                           dev.bindery.download.SignedUrlService signedUrls,
                           dev.bindery.events.StreamService streams,
                           dev.bindery.events.WebhookService webhooks,
                           dev.bindery.usage.UsageThresholdService thresholds,
                           dev.bindery.content.PackageTextService texts,
                           dev.bindery.access.SessionService sessions) {
    }

    public WebServer(String host, int port, List<String> trustedProxies, Clock clock, boolean downloadAnalytics,
                     Services services) {
        // One UiCaller for the pages and for the statistics page's API calls (see Gate#sessionReadable).
        // Web UI sessions: the pages' log-in, also accepted by the API (see WebSessions for the CSRF rules).
        var sessionAddress = new ClientAddress(trustedProxies);
        var webSessions = new dev.bindery.ui.WebSessions(services.sessions(),
                ctx -> sessionAddress.of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For")),
                ctx -> "https".equals(ctx.scheme()) || ("https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"))
                        && sessionAddress.isTrustedProxy(ctx.req().getRemoteAddr())));
        var uiCallers = new dev.bindery.ui.UiCaller(webSessions);
        var gate = new Gate(services.authenticator(), services.rateLimiter(), new ClientAddress(trustedProxies),
                webSessions);
        var subjectRoutes = new SubjectRoutes(services.subjects(), services.content(), services.access());
        var repositoryRoutes = new RepositoryRoutes(services.content());
        var packageRoutes = new PackageRoutes(services.content());
        var contentRoutes = new ContentRoutes(services.content(), services.uploads());
        var statsRoutes = new StatsRoutes(services.stats());
        var usageReportRoutes = new UsageReportRoutes(services.usageReports());
        var usageRoutes = new UsageRoutes(services.usage(), new ClientAddress(trustedProxies));
        var formatRoutes = new FormatRoutes(services.content(), services.formats());
        var signingRoutes = new SigningRoutes(services.signing(), services.subjects());
        var downloadHandler = new DownloadHandler(services.authenticator(), services.downloads(), services.bodies(),
                downloadAnalytics ? services.analytics() : null, new ClientAddress(trustedProxies), clock,
                services.restrictions(), services.signedUrls());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = MAX_JSON_BODY;
            config.http.prefer405over404 = true;
            config.router.treatMultipleSlashesAsSingleSlash = true;
            config.router.ignoreTrailingSlashes = true;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                http.setRequestHeaderSize(MAX_HEADER_BYTES);
                // Ambiguous forms (encoded dots and slashes) are refused by Jetty with 400, before routing;
                // doubled slashes are harmless (routing and FilePath fold them) and real clients send them.
                http.setUriCompliance(UriCompliance.DEFAULT.with("BINDERY",
                        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT));
            });
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new ErrorHandling.JettyErrors());
                // Javalin appends its own handler to this sequence; downloads are answered before it.
                server.setHandler(new Handler.Sequence(downloadHandler));
            });
            ErrorHandling.register(config.routes);
            Routes.register(config.routes, gate, subjectRoutes, repositoryRoutes, packageRoutes, contentRoutes,
                    statsRoutes, usageRoutes, usageReportRoutes, formatRoutes, signingRoutes,
                    new MavenRoutes(services.maven()), new TeamRoutes(services.teams()),
                    new TokenRoutes(services.tokens()), new RestrictionRoutes(services.restrictions()),
                    new ProductRoutes(services.products(), services.eulas(), services.content(),
                            services.authenticator(), new ClientAddress(trustedProxies)),
                    new AccessKeyRoutes(services.accessKeys(), services.subjects()),
                    new EntitlementRoutes(services.entitlements()), new SignedUrlRoutes(services.signedUrls()),
                    new StreamRoutes(services.streams()), new WebhookRoutes(services.webhooks()),
                    new UsageThresholdRoutes(services.thresholds()), new PackageTextRoutes(services.texts(), services.products()));
            // Prometheus text format, for operators; no credentials, bind to a private interface or proxy it.
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(services.metrics().get()));
            // The web UI last: its /{subject}/... pages must not shadow the fixed paths above.
            new dev.bindery.ui.AccountRoutes(webSessions, services.subjects(), services.content(), services.tokens(), services.signing(),
                    ErrorHandling::status, clock).register(config);
            new dev.bindery.ui.UiRoutes(services.content(), services.subjects(), services.stats(), services.texts(),
                    uiCallers, ErrorHandling::status)
                    .register(config);
        });
    }

    public void start() {
        app.start();
    }

    public int port() {
        return app.port();
    }

    public void stop() {
        app.stop();
    }
}
