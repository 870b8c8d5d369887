package dev.bindery;

import dev.bindery.access.AccessKeyService;
import dev.bindery.access.AccessKeyStore;
import dev.bindery.access.AccessService;
import dev.bindery.access.Authenticator;
import dev.bindery.access.EntitlementGrants;
import dev.bindery.access.EntitlementService;
import dev.bindery.access.EntitlementStore;
import dev.bindery.access.RateLimiter;
import dev.bindery.access.RestrictionService;
import dev.bindery.access.RestrictionStore;
import dev.bindery.access.TokenService;
import dev.bindery.access.TokenStore;
import dev.bindery.access.TeamGrants;
import dev.bindery.access.TeamService;
import dev.bindery.access.TeamStore;
import dev.bindery.analytics.AnalyticsPipeline;
import dev.bindery.analytics.AnalyticsMetrics;
import dev.bindery.analytics.AnalyticsStore;
import dev.bindery.analytics.DownloadLogs;
import dev.bindery.analytics.Enrichment;
import dev.bindery.analytics.GeoLookup;
import dev.bindery.analytics.RollupConsumer;
import dev.bindery.analytics.SegmentLog;
import dev.bindery.analytics.StatsService;
import dev.bindery.analytics.StorageSnapshots;
import dev.bindery.analytics.UsageExport;
import dev.bindery.analytics.UsageReports;
import dev.bindery.analytics.UsageStore;
import dev.bindery.analytics.UserAgents;
import dev.bindery.content.BlobSweeper;
import dev.bindery.content.ContentService;
import dev.bindery.content.ContentStore;
import dev.bindery.content.DetachedSignatures;
import dev.bindery.content.UploadService;
import dev.bindery.download.DownloadService;
import dev.bindery.download.FileBodies;
import dev.bindery.events.DownloadEventFollower;
import dev.bindery.events.EventService;
import dev.bindery.events.EventStore;
import dev.bindery.formats.FormatService;
import dev.bindery.formats.FormatStore;
import dev.bindery.formats.debian.DebianFormat;
import dev.bindery.formats.maven.MavenFormat;
import dev.bindery.formats.maven.MavenService;
import dev.bindery.formats.maven.MavenStore;
import dev.bindery.formats.rpm.RpmFormat;
import dev.bindery.product.EulaService;
import dev.bindery.product.ProductService;
import dev.bindery.product.ProductStore;
import dev.bindery.signing.SigningService;
import dev.bindery.signing.SigningStore;
import dev.bindery.storage.Db;
import dev.bindery.storage.FileSystemBlobStore;
import dev.bindery.subject.SubjectService;
import dev.bindery.subject.SubjectStore;
import dev.bindery.usage.UsageThresholdService;
import dev.bindery.usage.UsageThresholdStore;
import dev.bindery.web.WebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration, then stores, then services, then the web server, wired by
 * hand. {@link #start} brings everything up; {@link #close} takes it down in reverse order.
 */
public final class Bindery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Bindery.class);
    private static final Duration CREDENTIAL_CACHE_TTL = Duration.ofSeconds(60);
    private static final Duration DOWNLOAD_CACHE_TTL = Duration.ofSeconds(5);
    private static final Duration SWEEP_GRACE = Duration.ofHours(1);
    private static final long SMALL_FILE_CACHE_BYTES = 64L * 1024 * 1024;
    public static final long SEGMENT_BYTES = 64L * 1024 * 1024;
    private static final int ANALYTICS_QUEUE = 1 << 20;

    private final Config config;
    private final Db db;
    private final SubjectService subjects;
    private final ContentService content;
    private final SigningService signing;
    private final FormatService formats;
    private final ExecutorService background;
    private final ScheduledExecutorService scheduler;
    private final BlobSweeper sweeper;
    private final AnalyticsPipeline analytics;
    private final RollupConsumer rollups;
    private final DownloadLogs logs;
    private final EventService events;
    private final DownloadEventFollower downloadEvents;
    private final UsageThresholdService thresholds;
    private final dev.bindery.events.StreamService streams;
    private final dev.bindery.events.WebhookDelivery webhookDelivery;
    private final PrometheusMeterRegistry metrics;
    private final StorageSnapshots storageSnapshots;
    private final WebServer web;
    private final TokenService tokens;
    private final Optional<String> generatedAdminKey;

    private Bindery(Config config) throws IOException {
        this.config = config;
        Files.createDirectories(config.dataDir());
        this.db = Db.open(config.effectiveDbUrl());
        try {
            var blobs = new FileSystemBlobStore(config.dataDir().resolve("blobs"));
            var scratch = config.dataDir().resolve("scratch");
            this.subjects = new SubjectService(db.jdbi(), new SubjectStore(db.jdbi()), config.clock());
            this.generatedAdminKey = subjects.bootstrapAdmin(config.adminApiKey());
            var access = new AccessService();
            this.background = Executors.newVirtualThreadPerTaskExecutor();
            var contentStore = new ContentStore(db.jdbi());
            var signingStore = new SigningStore(db.jdbi());
            this.content = new ContentService(contentStore, subjects, access, config.clock(), config.maxPublishWait(),
                    background, owner -> signingStore.hasSubjectKey(owner.id()));
            this.signing = new SigningService(signingStore, subjects, content, new DetachedSignatures(content, blobs),
                    config.clock());
            var mavenStore = new MavenStore(db.jdbi());
            this.formats = new FormatService(contentStore, new FormatStore(db.jdbi()), blobs, config.clock(),
                    signing::metadataSigner, List.of(
                            new MavenFormat(blobs, mavenStore), new DebianFormat(blobs),
                            new RpmFormat(blobs)));
            content.addListener(formats);
            // The event outbox: uploads, deletes and publishes append to it in their transactions.
            var eventStore = new EventStore(db.jdbi());
            this.events = new EventService(eventStore, config.clock(), config.eventRetention());
            content.events(events);
            this.streams = new dev.bindery.events.StreamService(events, subjects, access);
            var uploads = new UploadService(content, blobs, scratch, Long.MAX_VALUE, formats, signing::forUpload);
            var downloads = new DownloadService(subjects, contentStore, content, access, blobs, formats,
                    DOWNLOAD_CACHE_TTL);
            this.sweeper = new BlobSweeper(contentStore, blobs, scratch, config.clock(), SWEEP_GRACE);
            this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("bindery-sweeper").factory());
            scheduler.scheduleWithFixedDelay(this::sweep, 1, 10, TimeUnit.MINUTES);

            var segments = new SegmentLog(segmentsDir(config.dataDir()), SEGMENT_BYTES);
            var geo = geoLookup(config);
            this.analytics = new AnalyticsPipeline(segments, new Enrichment(geo, new UserAgents()),
                    ANALYTICS_QUEUE);
            var analyticsStore = new AnalyticsStore(db.jdbi());
            this.rollups = new RollupConsumer(segments, analyticsStore, rollupName(config.dataDir()), config.clock())
                    .start();
            analytics.onAppend(rollups::appended);
            this.logs = new DownloadLogs(segments, logsDir(config.dataDir())).start();
            analytics.onAppend(logs::appended);
            this.downloadEvents = new DownloadEventFollower(segments, eventStore, events,
                    "outbox:" + nodeId(config.dataDir())).start();
            analytics.onAppend(downloadEvents::appended);
            scheduler.scheduleWithFixedDelay(events::purgeQuietly, 1, 1, TimeUnit.MINUTES);
            this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AnalyticsMetrics.register(metrics, analytics, rollups, logs);
            var stats = new StatsService(analyticsStore, content, subjects, logs, analytics.liveFeed(), config.clock());
            var usageStore = new UsageStore(db.jdbi());
            this.storageSnapshots = new StorageSnapshots(usageStore, config.clock());
            // The usage reports' storage history: today's snapshot now, refreshed every hour.
            scheduler.scheduleWithFixedDelay(storageSnapshots::snapshotQuietly, 0, 1, TimeUnit.HOURS);

            // Teams: their permissions on repositories, and who may create repositories.
            var teamGrants = new TeamGrants(new TeamStore(db.jdbi()));
            access.addGrantSource(teamGrants);
            access.addRepositoryCreators(teamGrants::mayCreateRepositories);
            access.addBusinessUnitDefaults(teamGrants::businessUnit);
            var teams = new TeamService(new TeamStore(db.jdbi()), teamGrants, subjects, content, access, config.clock());

            // Bearer tokens (checked on every request), and the geo and IP restrictions of downloads,
            // whose countries come from the analytics' GeoIP database.
            var authenticator = new Authenticator(subjects, CREDENTIAL_CACHE_TTL);
            this.tokens = new TokenService(new TokenStore(db.jdbi()), subjects, authenticator, config.clock());
            authenticator.tokens((username, token) -> tokens.verify(token));
            authenticator.admission(tokens::admit);
            authenticator.onFailure(events::loginFailed);

            // Access keys (key@subject:password, admitted per request: expiry, CIDRs, existence check)
            // and the entitlements that open repositories, packages, versions and paths to them.
            var accessKeys = new AccessKeyService(new AccessKeyStore(db.jdbi()), subjects, access, config.clock(),
                    authenticator::credentialsChanged, config.allowPrivateCallbacks());
            accessKeys.register(authenticator);
            var entitlementGrants = new EntitlementGrants(new EntitlementStore(db.jdbi()));
            access.addGrantSource(entitlementGrants);
            accessKeys.onKeysChanged(entitlementGrants::invalidate);
            content.addListener(new dev.bindery.content.ContentListener() {
                @Override
                public void deleted(dev.bindery.content.Repository repository, dev.bindery.content.Pkg pkg) {
                    // A deleted package or version took its entitlements along.
                    entitlementGrants.invalidate();
                }
            });
            var entitlements = new EntitlementService(new EntitlementStore(db.jdbi()), accessKeys, content, subjects,
                    access, entitlementGrants, config.clock());
            var restrictions = new RestrictionService(new RestrictionStore(db.jdbi()), access,
                    (subject, repo) -> subjects.findSubject(subject)
                            .flatMap(owner -> contentStore.repository(owner.id(), repo)).map(ContentService::resource),
                    geo == null ? null : ip -> {
                        var country = geo.lookup(ip).country();
                        return dev.bindery.analytics.GeoInfo.UNKNOWN_TEXT.equals(country) ? null : country;
                    });

            // Products and their EULAs, which access keys accept before downloading a protected version.
            var products = new ProductService(new ProductStore(db.jdbi()), subjects, access, config.clock());
            products.onChange(entitlementGrants::invalidate); // product scopes cover the product's packages
            var eulas = new EulaService(products, config.clock(), DOWNLOAD_CACHE_TTL);
            content.onChange(eulas::invalidate);
            downloads.addGuard((caller, download, host) -> eulas.checkDownload(caller, download.file(), host));

            // URL Signing: keys per subject, the grant of a signed URL, and its download callbacks.
            var urlSigner = new dev.bindery.access.UrlSigner(new dev.bindery.access.UrlSigningStore(db.jdbi()),
                    config.clock(), CREDENTIAL_CACHE_TTL);
            access.addGrantSource(urlSigner);
            var signedUrls = new dev.bindery.download.SignedUrlService(urlSigner, subjects, contentStore, content,
                    access, new dev.bindery.download.CallbackSender(subjects, background, config.allowPrivateCallbacks(),
                            config.smtp()),
                    config.clock(), config.baseUrl());

            // Webhooks: registered per package, called by this node's delivery worker from the outbox.
            var webhookStore = new dev.bindery.events.WebhookStore(db.jdbi());
            var webhooks = new dev.bindery.events.WebhookService(webhookStore, subjects, contentStore, access,
                    config.clock(), config.allowPrivateCallbacks(), java.time.Duration.ofSeconds(5));
            this.webhookDelivery = new dev.bindery.events.WebhookDelivery(events, webhookStore, webhooks,
                    nodeId(config.dataDir())).start();

            // Usage thresholds: checked every second against the rollups and what is stored.
            this.thresholds = new UsageThresholdService(new UsageThresholdStore(db.jdbi()), subjects, contentStore,
                    usageStore, events, new Mailer(config.smtp()), background, config.clock(), rollups::position);
            content.onChange(thresholds::contentChanged);
            scheduler.scheduleWithFixedDelay(thresholds::tick, 1, 1, TimeUnit.SECONDS);

            var texts = new dev.bindery.content.PackageTextService(db.jdbi(), content, config.clock());
            this.web = new WebServer(config.host(), config.port(), config.trustedProxies(), config.clock(),
                    config.downloadAnalytics(), new WebServer.Services(
                    subjects, content, uploads, downloads, new FileBodies(SMALL_FILE_CACHE_BYTES), access,
                    authenticator,
                    new RateLimiter(config.rateLimitDaily(), config.rateLimitMonthly(), config.clock()), analytics,
                    stats, new UsageExport(subjects, content, logs, config.clock()),
                    new UsageReports(usageStore, content, subjects, config.clock()), metrics::scrape, formats, signing,
                    new MavenService(content, uploads, mavenStore), teams, tokens, restrictions, products, eulas,
                    accessKeys, entitlements, signedUrls, streams, webhooks, thresholds, texts,
                    new dev.bindery.access.SessionService(new dev.bindery.access.SessionStore(db.jdbi()), subjects,
                            authenticator, events, config.clock())));
        } catch (RuntimeException | IOException e) {
            db.close();
            throw e;
        }
    }

    /**
     * The GeoIP databases: the configured ones, else what {@code bindery geoip fetch} left in the data
     * directory (a file with "asn" in its name is the ASN database). Null when there are none.
     */
    private static GeoLookup geoLookup(Config config) throws IOException {
        Path location = config.geoLocationDb();
        Path asn = config.geoAsnDb();
        var fetched = config.dataDir().resolve("geoip");
        if ((location == null || asn == null) && Files.isDirectory(fetched)) {
            try (var files = Files.list(fetched)) {
                for (var file : files.filter(f -> f.toString().endsWith(".mmdb")).sorted().toList()) {
                    boolean isAsn = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).contains("asn");
                    if (isAsn && asn == null) {
                        asn = file;
                    } else if (!isAsn && location == null) {
                        location = file;
                    }
                }
            }
        }
        if (location == null && asn == null) {
            LOG.info("No GeoIP database: download countries and organizations will be 'unknown'"
                    + " (run `bindery geoip fetch` or pass --geoip-db)");
            return null;
        }
        return GeoLookup.open(location, asn);
    }

    /** Where this node's daily download log files live. */
    public static Path logsDir(Path dataDir) {
        return dataDir.resolve("analytics/logs");
    }

    /** Where this node's download log lives. */
    public static Path segmentsDir(Path dataDir) {
        return dataDir.resolve("analytics/segments");
    }

    /** The checkpoint name of this node's rollup follower: each node has its own log. */
    public static String rollupName(Path dataDir) throws IOException {
        return "rollup:" + nodeId(dataDir);
    }

    /** This node's name, kept in the data directory. */
    private static String nodeId(Path dataDir) throws IOException {
        var file = dataDir.resolve("node-id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        var id = java.util.UUID.randomUUID().toString();
        Files.writeString(file, id);
        return id;
    }

    /** Opens the stores, creates the admin user on first start, and starts serving. */
    public static Bindery start(Config config) throws IOException {
        var bindery = new Bindery(config);
        bindery.web.start();
        LOG.info("Bindery listening on http://{}:{} (data in {})", config.host(), bindery.port(),
                config.dataDir().toAbsolutePath());
        return bindery;
    }

    public int port() {
        return web.port();
    }

    /** The public base URL for generated links. */
    public String baseUrl() {
        return config.baseUrl() != null ? config.baseUrl() : "http://" + config.host() + ":" + port();
    }

    /** The admin API key generated on first start, to show once; empty if it existed or was configured. */
    public Optional<String> generatedAdminKey() {
        return generatedAdminKey;
    }

    public SubjectService subjects() {
        return subjects;
    }

    /**
     * One sweep, as the schedule runs it every 10 minutes: superseded index files past their grace
     * period, then unreferenced blobs. Returns the number of blobs removed; for tests.
     */
    public int sweep() {
        // Superseded index files go first, so the same sweep frees their blobs.
        try {
            formats.removeExpired();
        } catch (RuntimeException e) {
            LOG.warn("Removing superseded index files failed: {}", e.getMessage());
        }
        return sweeper.sweep();
    }

    /** The repository formats, e.g. for tests to wait for index rebuilds. */
    public FormatService formats() {
        return formats;
    }

    /**
     * Waits until the indexes reflect every change made so far: the content listeners told about
     * them have run, and the index rebuilds they asked for are done. For tests.
     */
    public void awaitIndexes(Duration timeout) throws InterruptedException, TimeoutException {
        content.awaitListeners(timeout);
        formats.awaitIdle(timeout);
    }

    public ContentService content() {
        return content;
    }

    /** OpenPGP keys and signers, e.g. for tests to sign and verify directly. */
    public SigningService signing() {
        return signing;
    }

    /** The download event pipeline: tests wait on it, benchmarks read its counters. */
    public AnalyticsPipeline analytics() {
        return analytics;
    }

    public RollupConsumer rollups() {
        return rollups;
    }

    public DownloadLogs logs() {
        return logs;
    }

    /** The event outbox, e.g. for tests to read what changes appended. */
    public EventService events() {
        return events;
    }

    /** The usage thresholds: tests check them on demand. */
    public UsageThresholdService thresholds() {
        return thresholds;
    }

    /** The follower putting this node's downloads into the outbox: tests wait on it. */
    public DownloadEventFollower downloadEvents() {
        return downloadEvents;
    }

    /** The Stream API's open streams and reconnect positions: tests shorten its intervals. */
    public dev.bindery.events.StreamService streams() {
        return streams;
    }

    /** The webhook delivery worker: tests shorten its backoff. */
    public dev.bindery.events.WebhookDelivery webhookDelivery() {
        return webhookDelivery;
    }

    /** The storage history of the usage reports: tests take snapshots on their own clock. */
    public StorageSnapshots storageSnapshots() {
        return storageSnapshots;
    }

    @Override
    public void close() {
        analytics.liveFeed().closeAll();
        streams.close();
        web.stop();
        webhookDelivery.close();
        tokens.close();
        try {
            analytics.close();
        } catch (IOException e) {
            LOG.error("Closing the analytics log failed", e);
        }
        rollups.close();
        logs.close();
        downloadEvents.close();
        formats.close();
        scheduler.shutdownNow();
        background.shutdown();
        try {
            background.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }
}
