package dev.bindery;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything a Bindery server needs to start. Built by the CLI from options and environment
 * variables, or by tests directly.
 *
 * @param host             interface to listen on
 * @param port             TCP port; 0 picks a free one
 * @param dataDir          holds the H2 database (unless {@code dbUrl} is set) and the blobs
 * @param dbUrl            JDBC URL; null means the embedded H2 file database in {@code dataDir}
 * @param baseUrl          public URL used in generated links; null means {@code http://host:port}
 * @param adminApiKey      API key of the {@code admin} user created on first start; null generates one
 * @param rateLimitDaily   API calls per day on resources that are not the caller's
 * @param rateLimitMonthly API calls per month on resources that are not the caller's
 * @param maxPublishWait   what {@code publish_wait_for_secs: -1} waits at most
 * @param clock            source of time for every rule with a window (180 days and the like)
 * @param trustedProxies   addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed
 * @param geoLocationDb    MaxMind-format country or city database, or null
 * @param geoAsnDb         MaxMind-format ASN database, or null
 * @param downloadAnalytics whether downloads are captured for analytics (off only to measure its cost)
 * @param allowPrivateCallbacks whether signed-URL callbacks may target private, loopback or link-local
 *                         addresses (off by default: a callback URL must not reach into the server's network)
 * @param smtp             the mail server for signed URLs' callback_email, or null to send no mail
 * @param eventRetention   how long the event outbox keeps events; never less than the stream's
 *                         120-second replay window, whatever is asked
 */
public record Config(
        String host,
        int port,
        Path dataDir,
        String dbUrl,
        String baseUrl,
        String adminApiKey,
        int rateLimitDaily,
        int rateLimitMonthly,
        Duration maxPublishWait,
        Clock clock,
        java.util.List<String> trustedProxies,
        Path geoLocationDb,
        Path geoAsnDb,
        boolean downloadAnalytics,
        boolean allowPrivateCallbacks,
        Smtp smtp,
        Duration eventRetention) {

    public static final int DEFAULT_RATE_LIMIT_DAILY = 300;
    public static final int DEFAULT_RATE_LIMIT_MONTHLY = 1440;
    public static final Duration DEFAULT_EVENT_RETENTION = Duration.ofHours(1);

    public static Config defaults(Path dataDir) {
        return new Config("127.0.0.1", 8080, dataDir, null, null, null,
                DEFAULT_RATE_LIMIT_DAILY, DEFAULT_RATE_LIMIT_MONTHLY, Duration.ofMinutes(10), Clock.systemUTC(),
                java.util.List.of(), null, null, true, false, null, DEFAULT_EVENT_RETENTION);
    }

    public Config withPort(int newPort) {
        return new Config(host, newPort, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withDbUrl(String newDbUrl) {
        return new Config(host, port, dataDir, newDbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withAdminApiKey(String key) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, key, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withRateLimits(int daily, int monthly) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, daily, monthly, maxPublishWait, clock,
                trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withClock(Clock newClock) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, newClock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withTrustedProxies(java.util.List<String> proxies) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, proxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withGeoDatabases(Path location, Path asn) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, location, asn, downloadAnalytics, allowPrivateCallbacks,
                smtp, eventRetention);
    }

    public Config withPrivateCallbacks(boolean allow) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allow, smtp, eventRetention);
    }

    public Config withEventRetention(Duration retention) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                smtp, retention);
    }

    public Config withSmtp(Smtp newSmtp) {
        return new Config(host, port, dataDir, dbUrl, baseUrl, adminApiKey, rateLimitDaily, rateLimitMonthly,
                maxPublishWait, clock, trustedProxies, geoLocationDb, geoAsnDb, downloadAnalytics, allowPrivateCallbacks,
                newSmtp, eventRetention);
    }

    /**
     * An SMTP server to send mail through (plain SMTP, no authentication: a local relay).
     *
     * @param from the sender address of Bindery's mails
     */
    public record Smtp(String host, int port, String from) {
    }

    /** The JDBC URL actually used: the configured one, or H2 in the data directory. */
    public String effectiveDbUrl() {
        if (dbUrl != null && !dbUrl.isBlank()) {
            return dbUrl;
        }
        // AUTO_SERVER lets `bindery user create` work on the same files while the server runs.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db/bindery") + ";AUTO_SERVER=TRUE";
    }
}
