package dev.bindery.ui;

import dev.bindery.BinderyException;
import dev.bindery.content.PackageTextService.Kind;
import dev.bindery.analytics.StatsService;
import dev.bindery.content.ContentService;
import dev.bindery.content.FileEntry;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.subject.SubjectService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.NotFoundResponse;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The web UI's pages, at Bintray's paths: {@code /} (home and search), {@code /:subject},
 * {@code /:subject/:repo}, {@code /:subject/:repo/:package} and {@code /:subject/:repo/:package/:version},
 * plus its assets under {@code /assets} and WebJars under {@code /webjars}. A handler gets the
 * caller from {@link UiCaller}, calls the same domain services as the REST API with it (so the
 * same access rules hold: what a caller may not read answers 404 here too), and renders one
 * template with a record from {@link Pages}.
 *
 * <p>These routes are registered last: the API, {@code /health}, {@code /metrics} and the other
 * fixed paths win over a subject of the same name (see {@link #RESERVED}).
 */
public final class UiRoutes {

    /** First path segments that are not subject pages, because other routes own them. */
    public static final List<String> RESERVED = List.of("api", "dl", "health", "metrics", "assets", "webjars");

    private static final int RECENT_VERSIONS = 20;
    /** Packages listed on a repository page (authenticated callers would get all of them from the service). */
    private static final int MAX_PACKAGES = 100;

    private final ContentService content;
    private final dev.bindery.content.PackageTextService texts;
    private final SubjectService subjects;
    private final StatsService stats;
    private final UiCaller callers;
    private final ToIntFunction<BinderyException.Kind> statusOf;
    private final Templates templates = new Templates();

    /**
     * @param statusOf the HTTP status of a domain failure, as the API answers it
     */
    public UiRoutes(ContentService content, SubjectService subjects, StatsService stats,
                    dev.bindery.content.PackageTextService texts, UiCaller callers,
                    ToIntFunction<BinderyException.Kind> statusOf) {
        this.texts = texts;
        this.content = content;
        this.subjects = subjects;
        this.stats = stats;
        this.callers = callers;
        this.statusOf = statusOf;
    }

    /** Adds the assets and the pages; call after every other route. */
    public void register(JavalinConfig config) {
        var routes = config.routes;
        routes.get("/assets/<path>", Assets.own()::serve);
        routes.get("/webjars/<path>", Assets.webjars()::serve);
        routes.get("/", page(this::home));
        routes.get("/{subject}", page(this::subject));
        var statsPage = new StatsPage(content, stats, callers, templates);
        // Before the package and version pages, whose parameters would match "_stats" too.
        routes.get("/{subject}/{repo}/" + StatsPage.SEGMENT, page(statsPage::repositoryStats));
        routes.get("/{subject}/{repo}/{package}/" + StatsPage.SEGMENT, page(statsPage::packageStats));
        routes.get("/{subject}/{repo}", page(this::repository));
        routes.get("/{subject}/{repo}/{package}", page(this::pkg));
        routes.get("/{subject}/{repo}/{package}/{version}", page(this::version));
    }

    /** A page handler: a domain failure renders the error page with the status the API would answer. */
    private Handler page(Handler handler) {
        return ctx -> {
            if (reserved(ctx.path())) {
                // An unknown path under /api/v1 and the like: the API's JSON 404, not a page.
                throw new NotFoundResponse();
            }
            try {
                handler.handle(ctx);
            } catch (BinderyException e) {
                // The API's status: 404 for what the caller may not see, 401 where logging in would help
                // (without WWW-Authenticate: a browser's Basic prompt is no way to log in to pages).
                int status = statusOf.applyAsInt(e.kind());
                templates.render(ctx, status, "error", layout(ctx, status == 401 ? "Log in required" : "Error " + status),
                        new Pages.ErrorPage(status, e.getMessage()));
            }
        };
    }

    private static boolean reserved(String path) {
        var rest = path.startsWith("/") ? path.substring(1) : path;
        int slash = rest.indexOf('/');
        return RESERVED.contains(slash < 0 ? rest : rest.substring(0, slash));
    }

    private Layout layout(Context ctx, String title) {
        return Layout.of(ctx, callers.of(ctx), title);
    }

    void home(Context ctx) {
        var caller = callers.of(ctx);
        var query = ctx.queryParam("q") == null ? "" : ctx.queryParam("q").strip();
        var recent = content.recentlyPublished(caller, RECENT_VERSIONS);
        Pages.Home page;
        if (query.isEmpty()) {
            page = new Pages.Home(query, List.of(), List.of(), List.of(), recent);
        } else {
            // Repository search needs an authenticated caller in the API (Bintray's rule); packages and files do not.
            var repositories = caller.isAnonymous() ? null
                    : content.searchRepositories(caller, query, null, 0).items();
            var packages = content.searchPackages(caller, query, null, null, null, 0).items();
            var wildcard = query.contains("*") || query.contains("?") ? query : "*" + query + "*";
            var files = content.searchFiles(wildcard, null, null, null, null, 0).items();
            page = new Pages.Home(query, repositories, packages, files, recent);
        }
        templates.render(ctx, 200, "home", layout(ctx, query.isEmpty() ? "Home" : "Search: " + query), page);
    }

    void subject(Context ctx) {
        var caller = callers.of(ctx);
        var subject = subjects.subject(ctx.pathParam("subject"));
        var repositories = content.repositories(caller, subject.name());
        // Members, like the API's Get Organization, only for authenticated callers.
        var members = subject.isOrg() && !caller.isAnonymous() ? subjects.members(subject) : null;
        templates.render(ctx, 200, "subject", layout(ctx, subject.name()),
                new Pages.SubjectPage(subject, repositories, members, subjects.followerCount(subject),
                        subjects.follows(caller, subject)));
    }

    void repository(Context ctx) {
        var caller = callers.of(ctx);
        var ref = new RepoRef(ctx.pathParam("subject"), ctx.pathParam("repo"));
        var view = content.repository(caller, ref);
        var packages = content.packages(caller, ref, 0, null);
        var shown = packages.items().subList(0, Math.min(MAX_PACKAGES, packages.items().size()));
        FileEntry sample = null;
        // A file to show in the download example: the first published one of the first few packages.
        for (var pkg : shown.subList(0, Math.min(5, shown.size()))) {
            var files = content.packageFiles(caller, new PackageRef(ref.subject(), ref.repo(), pkg.name()), false);
            if (!files.isEmpty()) {
                sample = files.getFirst();
                break;
            }
        }
        var setup = SetMeUp.of(view.repository(), Layout.baseUrl(ctx), sample);
        templates.render(ctx, 200, "repository", layout(ctx, view.repository().fullName()),
                new Pages.RepositoryPage(view, shown, packages.total(), setup));
    }

    void pkg(Context ctx) {
        var caller = callers.of(ctx);
        var ref = new PackageRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"));
        var view = content.pkg(caller, ref);
        var downloads = stats.downloadCount(caller, ref);
        templates.render(ctx, 200, "package", layout(ctx, ref.toString()),
                new Pages.PackagePage(view, downloads.isPresent() ? downloads.getAsLong() : null,
                        TextView.of(texts.find(caller, ref, Kind.README).orElse(null)),
                        TextView.of(texts.find(caller, ref, Kind.RELEASE_NOTES).orElse(null)),
                        content.follows(caller, view)));
    }

    void version(Context ctx) {
        var caller = callers.of(ctx);
        var ref = new VersionRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"),
                ctx.pathParam("version"));
        var view = content.version(caller, ref);
        // _latest resolves to a name; the files are that version's.
        var named = new VersionRef(ref.subject(), ref.repo(), ref.pkg(), view.version().name());
        var files = content.versionFiles(caller, named, false).stream()
                .sorted(Comparator.comparing((FileEntry file) -> !file.listInDownloads()).thenComparing(FileEntry::path))
                .toList();
        var notes = texts.findVersionNotes(caller, named)
                .or(() -> texts.find(caller, named.packageRef(), Kind.RELEASE_NOTES));
        templates.render(ctx, 200, "version", layout(ctx, named.toString()),
                new Pages.VersionPage(view, files, TextView.of(notes.orElse(null))));
    }
}
