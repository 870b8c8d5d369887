package dev.bindery.cli;

import dev.bindery.Bindery;
import dev.bindery.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bindery serve}: runs the server until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the Bindery server.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "${env:BINDERY_HOST:-127.0.0.1}",
            description = "Interface to listen on (env BINDERY_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:BINDERY_PORT:-8080}",
            description = "Port to listen on (env BINDERY_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    StoreOptions store;

    @Option(names = "--base-url", defaultValue = "${env:BINDERY_BASE_URL}",
            description = "Public URL used in generated links (env BINDERY_BASE_URL; default http://host:port).")
    String baseUrl;

    @Option(names = "--rate-limit-daily", defaultValue = "${env:BINDERY_RATE_LIMIT_DAILY:-300}",
            description = "API calls per day on other subjects' resources (env BINDERY_RATE_LIMIT_DAILY; default ${DEFAULT-VALUE}).")
    int rateLimitDaily;

    @Option(names = "--rate-limit-monthly", defaultValue = "${env:BINDERY_RATE_LIMIT_MONTHLY:-1440}",
            description = "API calls per month on other subjects' resources (env BINDERY_RATE_LIMIT_MONTHLY; default ${DEFAULT-VALUE}).")
    int rateLimitMonthly;

    @Option(names = "--trusted-proxies", split = ",", defaultValue = "${env:BINDERY_TRUSTED_PROXIES}",
            description = "Comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is"
                    + " believed (env BINDERY_TRUSTED_PROXIES; default none).")
    List<String> trustedProxies;

    @Option(names = "--geoip-db", defaultValue = "${env:BINDERY_GEOIP_DB}",
            description = "MaxMind-format (.mmdb) country or city database for download analytics"
                    + " (env BINDERY_GEOIP_DB; default: the one `bindery geoip fetch` put in the data directory).")
    Path geoipDb;

    @Option(names = "--geoip-asn-db", defaultValue = "${env:BINDERY_GEOIP_ASN_DB}",
            description = "MaxMind-format (.mmdb) ASN database for organizations (env BINDERY_GEOIP_ASN_DB).")
    Path geoipAsnDb;

    @Option(names = "--download-analytics", negatable = true, defaultValue = "${env:BINDERY_DOWNLOAD_ANALYTICS:-true}",
            fallbackValue = "true",
            description = "Capture downloads for statistics and logs (env BINDERY_DOWNLOAD_ANALYTICS; default on;"
                    + " --no-download-analytics only to measure what it costs).")
    boolean downloadAnalytics;

    @Option(names = "--allow-private-callbacks", defaultValue = "${env:BINDERY_ALLOW_PRIVATE_CALLBACKS:-false}",
            description = "Let signed-URL callback_url targets be private, loopback or link-local addresses"
                    + " (env BINDERY_ALLOW_PRIVATE_CALLBACKS; default off).")
    boolean allowPrivateCallbacks;

    @Option(names = "--smtp-host", defaultValue = "${env:BINDERY_SMTP_HOST}",
            description = "SMTP relay for signed URLs' callback_email and usage threshold alerts"
                    + " (env BINDERY_SMTP_HOST; default none: no mail is sent).")
    String smtpHost;

    @Option(names = "--smtp-port", defaultValue = "${env:BINDERY_SMTP_PORT:-25}",
            description = "Port of the SMTP relay (env BINDERY_SMTP_PORT; default ${DEFAULT-VALUE}).")
    int smtpPort;

    @Option(names = "--smtp-from", defaultValue = "${env:BINDERY_SMTP_FROM:-bindery@localhost}",
            description = "Sender address of Bindery's mails (env BINDERY_SMTP_FROM; default ${DEFAULT-VALUE}).")
    String smtpFrom;

    @Option(names = "--event-retention-seconds", defaultValue = "${env:BINDERY_EVENT_RETENTION_SECONDS:-3600}",
            description = "How long the event outbox keeps events, at least the stream's 120-second replay window"
                    + " (env BINDERY_EVENT_RETENTION_SECONDS; default ${DEFAULT-VALUE}).")
    long eventRetentionSeconds;

    @Override
    public Integer call() throws Exception {
        var defaults = Config.defaults(store.data);
        var config = new Config(host, port, store.data, store.dbUrl, baseUrl, System.getenv("BINDERY_ADMIN_API_KEY"),
                rateLimitDaily, rateLimitMonthly, defaults.maxPublishWait(), defaults.clock(),
                trustedProxies == null ? List.of() : trustedProxies, geoipDb, geoipAsnDb, downloadAnalytics,
                allowPrivateCallbacks, smtpHost == null || smtpHost.isBlank() ? null
                        : new Config.Smtp(smtpHost, smtpPort, smtpFrom), Duration.ofSeconds(eventRetentionSeconds));
        var bindery = Bindery.start(config);
        bindery.generatedAdminKey().ifPresent(key -> System.out.println(
                "Created user 'admin' with API key " + key + " (shown once; set BINDERY_ADMIN_API_KEY to choose it)"));
        System.out.println("Bindery is serving at " + bindery.baseUrl());
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bindery.close();
            stopped.countDown();
        }, "bindery-shutdown"));
        stopped.await();
        return 0;
    }
}
