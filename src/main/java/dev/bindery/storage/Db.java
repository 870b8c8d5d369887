package dev.bindery.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * The metadata database: a pooled connection to H2 (embedded default) or PostgreSQL, migrated
 * by Flyway on open. Stores get the {@link Jdbi} handle; the same migrations run on both engines.
 * Thread-safe; close once on shutdown.
 */
public final class Db implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Db(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        // Optional search criteria are bound whether or not the SQL uses them.
        jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** Opens the database at {@code jdbcUrl} and applies pending migrations. */
    public static Db open(String jdbcUrl) {
        var config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(16);
        config.setPoolName("bindery-db");
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            config.setUsername("sa");
            config.setPassword("");
        }
        var dataSource = new HikariDataSource(config);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Db(dataSource);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public boolean isPostgres() {
        return postgres;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
