package dev.bindery.analytics;

import dev.bindery.BinderyException;
import dev.bindery.Times;
import dev.bindery.analytics.AnalyticsStore.Rollup;
import dev.bindery.analytics.AnalyticsStore.Scope;
import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.VersionRef;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Download statistics of a package or version, answered from the rollups, so their cost does not
 * grow with the number of downloads, and its daily download log files. Publishers see both;
 * everybody who can see the package sees the statistics when it has {@code public_stats}. Ranges
 * follow {@link Buckets#plan}. Thread-safe.
 */
public final class StatsService {

    private static final Duration DEFAULT_RANGE = Duration.ofDays(30);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final AnalyticsStore store;
    private final ContentService content;
    private final AnalyticsAccess access;
    private final DownloadLogs logs;
    private final LiveFeed liveFeed;
    private final Clock clock;

    public StatsService(AnalyticsStore store, ContentService content, SubjectService subjects, DownloadLogs logs,
                        LiveFeed liveFeed, Clock clock) {
        this.store = store;
        this.content = content;
        this.access = new AnalyticsAccess(content, subjects);
        this.logs = logs;
        this.liveFeed = liveFeed;
        this.clock = clock;
    }

    /** Checks that the caller may watch the live feed the filter names. */
    public void checkWatch(Caller caller, LiveFeed.Filter filter) {
        access.requireFeed(caller, filter);
    }

    /**
     * Checks that the caller may see the statistics of a package, as every statistics call does (the
     * web UI's statistics page asks before it renders).
     */
    public void checkStats(Caller caller, PackageRef pkg) {
        access.requireStats(caller, pkg);
    }

    /** Subscribes to the live feed; call {@link #checkWatch} first. */
    public LiveFeed.Subscription watch(LiveFeed.Filter filter) {
        return liveFeed.subscribe(filter);
    }

    /** List Package Download Log Files: publishers only. */
    public List<DownloadLogs.LogFile> logFiles(Caller caller, PackageRef pkg) {
        access.requireLogs(caller, pkg);
        return logs.list(pkg.subject(), pkg.repo(), pkg.pkg());
    }

    /** Download Package Download Log File, in either format (Apache by default, as Bintray). */
    public DownloadLogs.Rendered logFile(Caller caller, PackageRef pkg, String name, DownloadLogs.Format format) {
        access.requireLogs(caller, pkg);
        return logs.file(pkg.subject(), pkg.repo(), pkg.pkg(), name, format)
                .orElseThrow(() -> BinderyException.notFound("Log file '" + name + "' of '" + pkg + "' was not found"));
    }

    /** What a statistics request names: a package, or one version of it, and a time range. */
    public record Query(PackageRef pkg, String version, String from, String to) {
    }

    /** The effective range of an answer, as the response's {@code from} and {@code to}. */
    public record Range(String from, String to) {
    }

    public record VersionCount(String version, long count) {
    }

    public record DayRecord(String date, List<VersionCount> downloads) {
    }

    public record Answer<T>(Range range, List<T> records) {
    }

    public record CountryCount(String country, long count) {
    }

    public record OsCount(String os, long count) {
    }

    public record OrganizationCount(long asn, String organization, long count) {
    }

    public record ClientCount(String client, long count) {
    }

    /** One OS's share of a country's downloads. */
    public record OsShare(String os, long count, double percentage) {
    }

    public record CountryOs(String country, long count, List<OsShare> os) {
    }

    /** Get Daily Downloads: per day, per version. */
    public Answer<DayRecord> timeRange(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var days = new TreeMap<Long, Map<String, Long>>();
        for (var row : store.sum(Rollup.VERSION, scope, plan.daily(), List.of("bucket", "version"))) {
            long day = Buckets.day(((Number) row.group().get(0)).longValue());
            days.computeIfAbsent(day, key -> new TreeMap<>())
                    .merge((String) row.group().get(1), row.downloads(), Long::sum);
        }
        var records = new ArrayList<DayRecord>();
        days.forEach((day, versions) -> records.add(new DayRecord(DAY.format(Instant.ofEpochMilli(day)),
                versions.entrySet().stream().map(entry -> new VersionCount(entry.getKey(), entry.getValue())).toList())));
        return new Answer<>(range(plan), records);
    }

    /** Get Total Downloads: per version. */
    public Answer<VersionCount> total(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var records = store.sum(Rollup.VERSION, scope, plan.totals(), List.of("version")).stream()
                .map(row -> new VersionCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparing(VersionCount::version))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /**
     * All-time downloads of a package, or empty when the caller may not see the number: its
     * publishers always may, everybody who can see the package when it has
     * {@code public_download_numbers} (the package page shows it).
     */
    public java.util.OptionalLong downloadCount(Caller caller, PackageRef ref) {
        var view = content.pkg(caller, ref);
        if (!view.publisher() && !view.pkg().publicDownloadNumbers()) {
            return java.util.OptionalLong.empty();
        }
        var now = clock.instant();
        var plan = Buckets.plan(view.pkg().created().minus(Duration.ofDays(1)), now, now);
        long total = store.sum(Rollup.VERSION, new Scope(ref.subject(), ref.repo(), ref.pkg(), null), plan.totals(),
                List.of()).stream().mapToLong(row -> row.downloads()).sum();
        return java.util.OptionalLong.of(total);
    }

    /** Get Downloads by Country. */
    public Answer<CountryCount> countries(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var records = store.sum(Rollup.COUNTRY_OS, scope, plan.totals(), List.of("country")).stream()
                .map(row -> new CountryCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparingLong(CountryCount::count).reversed().thenComparing(CountryCount::country))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /** Extension: downloads per OS family. */
    public Answer<OsCount> operatingSystems(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var records = store.sum(Rollup.COUNTRY_OS, scope, plan.totals(), List.of("os")).stream()
                .map(row -> new OsCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparingLong(OsCount::count).reversed().thenComparing(OsCount::os))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /** Extension: downloads per network (ASN and its organization). */
    public Answer<OrganizationCount> organizations(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var records = store.sum(Rollup.ORG, scope, plan.totalsInDays(), List.of("asn", "organization")).stream()
                .map(row -> new OrganizationCount(((Number) row.group().get(0)).longValue(),
                        (String) row.group().get(1), row.downloads()))
                .sorted(Comparator.comparingLong(OrganizationCount::count).reversed()
                        .thenComparing(OrganizationCount::organization))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /** Extension: downloads per client (Maven, apt, curl, browsers...). */
    public Answer<ClientCount> clients(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var records = store.sum(Rollup.CLIENT, scope, plan.totalsInDays(), List.of("client")).stream()
                .map(row -> new ClientCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparingLong(ClientCount::count).reversed().thenComparing(ClientCount::client))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /** Extension (SourceForge's map): downloads per OS per country, with each OS's share of its country. */
    public Answer<CountryOs> countryOs(Caller caller, Query query) {
        var scope = authorize(caller, query);
        var plan = plan(query);
        var byCountry = new LinkedHashMap<String, Map<String, Long>>();
        for (var row : store.sum(Rollup.COUNTRY_OS, scope, plan.totals(), List.of("country", "os"))) {
            byCountry.computeIfAbsent((String) row.group().get(0), key -> new TreeMap<>())
                    .merge((String) row.group().get(1), row.downloads(), Long::sum);
        }
        var records = new ArrayList<CountryOs>();
        byCountry.forEach((country, systems) -> {
            long total = systems.values().stream().mapToLong(Long::longValue).sum();
            var shares = systems.entrySet().stream()
                    .map(entry -> new OsShare(entry.getKey(), entry.getValue(),
                            Math.round(entry.getValue() * 10000.0 / total) / 100.0))
                    .sorted(Comparator.comparingLong(OsShare::count).reversed().thenComparing(OsShare::os))
                    .toList();
            records.add(new CountryOs(country, total, shares));
        });
        records.sort(Comparator.comparingLong(CountryOs::count).reversed().thenComparing(CountryOs::country));
        return new Answer<>(range(plan), records);
    }

    /** Downloads of one package, for repository totals. */
    public record PackageCount(@com.fasterxml.jackson.annotation.JsonProperty("package") String pkg, long count) {
    }

    /** Downloads of one repository, for subject totals. */
    public record RepositoryCount(String repo, long count) {
    }

    /**
     * Extension for dashboards: downloads of each package of a repository over a range; the
     * repository's publishers may see it.
     */
    public Answer<PackageCount> repositoryTotals(Caller caller, String subject, String repo, String from, String to) {
        access.requireFeed(caller, new LiveFeed.Filter(subject, repo, null));
        var plan = plan(new Query(null, null, from, to));
        var records = store.sum(Rollup.VERSION, new Scope(subject, repo, null, null), plan.totals(), List.of("package"))
                .stream()
                .map(row -> new PackageCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparingLong(PackageCount::count).reversed().thenComparing(PackageCount::pkg))
                .toList();
        return new Answer<>(range(plan), records);
    }

    /** Extension for dashboards: downloads of each repository of a subject; its admins may see it. */
    public Answer<RepositoryCount> subjectTotals(Caller caller, String subject, String from, String to) {
        access.requireFeed(caller, new LiveFeed.Filter(subject, null, null));
        var plan = plan(new Query(null, null, from, to));
        var records = store.sum(Rollup.VERSION, new Scope(subject, null, null, null), plan.totals(), List.of("repo"))
                .stream()
                .map(row -> new RepositoryCount((String) row.group().get(0), row.downloads()))
                .sorted(Comparator.comparingLong(RepositoryCount::count).reversed().thenComparing(RepositoryCount::repo))
                .toList();
        return new Answer<>(range(plan), records);
    }

    private Scope authorize(Caller caller, Query query) {
        access.requireStats(caller, query.pkg());
        if (query.version() != null) {
            content.version(caller, new VersionRef(query.pkg().subject(), query.pkg().repo(), query.pkg().pkg(),
                    query.version()));
        }
        return new Scope(query.pkg().subject(), query.pkg().repo(), query.pkg().pkg(), query.version());
    }

    private Buckets.Plan plan(Query query) {
        var now = clock.instant();
        var to = query.to() == null || query.to().isBlank() ? now : Times.parse(query.to(), "to");
        if (query.to() != null && query.to().trim().length() == "yyyy-MM-dd".length()) {
            // A plain date as the end means that whole day.
            to = to.plus(Duration.ofDays(1)).minusMillis(1);
        }
        var from = query.from() == null || query.from().isBlank() ? to.minus(DEFAULT_RANGE) : Times.parse(query.from(), "from");
        if (from.isAfter(to)) {
            throw BinderyException.badRequest("'from' (" + query.from() + ") is after 'to' (" + query.to() + ")");
        }
        return Buckets.plan(from, to, now);
    }

    private static Range range(Buckets.Plan plan) {
        return new Range(Times.format(Instant.ofEpochMilli(plan.from())), Times.format(Instant.ofEpochMilli(plan.to())));
    }
}
