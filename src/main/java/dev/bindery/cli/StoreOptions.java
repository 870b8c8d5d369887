package dev.bindery.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: shared by {@code serve} and the admin commands. */
final class StoreOptions {

    @Option(names = "--data", defaultValue = "${env:BINDERY_DATA:-./bindery-data}",
            description = "Data directory: embedded database and blobs (env BINDERY_DATA; default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--db-url", defaultValue = "${env:BINDERY_DB_URL}",
            description = "JDBC URL; default is the H2 database in the data directory, a jdbc:postgresql: URL selects"
                    + " PostgreSQL (env BINDERY_DB_URL).")
    String dbUrl;
}
