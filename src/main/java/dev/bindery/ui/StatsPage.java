package dev.bindery.ui;

import dev.bindery.analytics.LiveFeed;
import dev.bindery.analytics.StatsService;
import dev.bindery.content.ContentService;
import dev.bindery.content.Pkg;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Repository;
import io.javalin.http.Context;

/**
 * The statistics pages: {@code /:subject/:repo/:package/_stats} for a package (its publishers, or
 * everybody who may see it when it has {@code public_stats}) and {@code /:subject/:repo/_stats}
 * for a repository (its publishers). Names never start with {@code _}, so these paths name no
 * package or version. The server checks access as the API does and renders the frame; the page's
 * script (assets/stats.js) then asks the statistics API for the numbers, so what the page shows is
 * what the API answers; for publishers also for the log files and the live feed. The browser's
 * calls carry the UI's session cookie, which the API accepts for these read-only calls (see
 * {@code web.Gate}), so the page and its calls see the same caller.
 */
public final class StatsPage {

    static final String SEGMENT = "_stats";
    private static final String API = "/api/v1";

    private final ContentService content;
    private final StatsService stats;
    private final UiCaller callers;
    private final Templates templates;

    StatsPage(ContentService content, StatsService stats, UiCaller callers, Templates templates) {
        this.content = content;
        this.stats = stats;
        this.callers = callers;
        this.templates = templates;
    }

    /**
     * What pages/stats.jte renders; the URLs are those the script calls.
     *
     * @param publisher whether the caller publishes the package: then the page also lists the log
     *                  files and shows the live feed, which the API gives publishers only
     */
    public record PackageStats(Repository repository, Pkg pkg, boolean publisher, String statsApi, String logsApi,
                               String feedApi, String usageCsv) {
    }

    /** What pages/repositoryStats.jte renders. */
    public record RepositoryStats(Repository repository, String totalsApi, String feedApi) {
    }

    /** The statistics page of a package. */
    public static String link(Repository repository, Pkg pkg) {
        return Links.pkg(repository, pkg.name()) + "/" + SEGMENT;
    }

    /** The statistics page of a repository. */
    public static String link(Repository repository) {
        return Links.repository(repository) + "/" + SEGMENT;
    }

    void packageStats(Context ctx) {
        var caller = callers.of(ctx);
        var ref = new PackageRef(ctx.pathParam("subject"), ctx.pathParam("repo"), ctx.pathParam("package"));
        var view = content.pkg(caller, ref);
        stats.checkStats(caller, ref);
        var api = API + "/packages/" + ref.subject() + "/" + ref.repo() + "/" + ref.pkg();
        // The usage export filters by these keys; its brackets are encoded so the link is a valid URL.
        var usage = API + "/usage_data/traffic?filter_by%5Bsubject%5D=" + ref.subject()
                + "&filter_by%5Brepository%5D=" + ref.repo() + "&filter_by%5Bpackage%5D=" + ref.pkg();
        templates.render(ctx, 200, "stats", Layout.of(ctx, caller, "Statistics of " + ref),
                new PackageStats(view.repository(), view.pkg(), view.publisher(), api + "/stats", api + "/logs", api + "/live_feed", usage));
    }

    void repositoryStats(Context ctx) {
        var caller = callers.of(ctx);
        var ref = new RepoRef(ctx.pathParam("subject"), ctx.pathParam("repo"));
        var view = content.repository(caller, ref);
        // The API's rule for a repository's totals and live feed: its publishers.
        stats.checkWatch(caller, new LiveFeed.Filter(ref.subject(), ref.repo(), null));
        var api = API + "/repos/" + ref.subject() + "/" + ref.repo();
        templates.render(ctx, 200, "repositoryStats",
                Layout.of(ctx, caller, "Statistics of " + ref.subject() + "/" + ref.repo()),
                new RepositoryStats(view.repository(), api + "/stats/total_downloads", api + "/live_feed"));
    }
}
