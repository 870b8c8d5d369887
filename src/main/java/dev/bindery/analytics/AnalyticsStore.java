package dev.bindery.analytics;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * SQL for the {@code analytics_*} tables: rollup counters and follower checkpoints. Counters only
 * ever grow, by MERGE on H2 and by {@code INSERT ... ON CONFLICT DO UPDATE} on PostgreSQL, whose MERGE
 * fails with a duplicate key when two nodes insert the same new row at once; the checkpoint of the
 * follower that added them is written in the same transaction, so a replay never counts twice.
 */
public final class AnalyticsStore {

    /** The rollup tables and the dimensions each adds to subject/repo/package/version. */
    enum Rollup {
        VERSION("analytics_version", List.of()),
        COUNTRY_OS("analytics_country_os", List.of("country", "os")),
        ORG("analytics_org", List.of("asn", "organization")),
        CLIENT("analytics_client", List.of("client"));

        final String table;
        final List<String> dimensions;

        Rollup(String table, List<String> dimensions) {
            this.table = table;
            this.dimensions = dimensions;
        }
    }

    /** One counter: a bucket of one rollup for one package version and dimension values. */
    record Key(Rollup rollup, char res, long bucket, String subject, String repo, String pkg, String version,
               List<Object> dimensions) {

        /**
         * Not the record's default, which sums the components' hashes times powers of 31: with short
         * names differing in one character (pkg1/pkg2, 1.3/1.4, US/TS) that sum collides so often
         * that a rollup batch spent most of its time comparing keys in overfull hash bins.
         */
        @Override
        public int hashCode() {
            long hash = mix(rollup.ordinal() * 64L + res);
            hash = mix(hash ^ bucket);
            hash = mix(hash ^ Objects.hashCode(subject));
            hash = mix(hash ^ Objects.hashCode(repo));
            hash = mix(hash ^ Objects.hashCode(pkg));
            hash = mix(hash ^ Objects.hashCode(version));
            // By index: an iterator would be allocated on every lookup of a key.
            for (int i = 0; i < dimensions.size(); i++) {
                hash = mix(hash ^ Objects.hashCode(dimensions.get(i)));
            }
            return (int) (hash ^ (hash >>> 32));
        }

        /** The record's equality, with the dimensions compared by index rather than through iterators. */
        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key that) || rollup != that.rollup || res != that.res || bucket != that.bucket
                    || !Objects.equals(subject, that.subject) || !Objects.equals(repo, that.repo)
                    || !Objects.equals(pkg, that.pkg) || !Objects.equals(version, that.version)
                    || dimensions.size() != that.dimensions.size()) {
                return false;
            }
            for (int i = 0; i < dimensions.size(); i++) {
                if (!Objects.equals(dimensions.get(i), that.dimensions.get(i))) {
                    return false;
                }
            }
            return true;
        }

        private static long mix(long value) {
            long z = (value + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
            return z ^ (z >>> 31);
        }
    }

    /** What the counter adds: downloads, and bytes (kept by the version rollup only). */
    static final class Count {
        long downloads;
        long bytes;
    }

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("subject", "VARCHAR(64)"), Map.entry("repo", "VARCHAR(64)"), Map.entry("package", "VARCHAR(128)"),
            Map.entry("res", "CHAR(1)"), Map.entry("bucket", "BIGINT"), Map.entry("version", "VARCHAR(128)"),
            Map.entry("downloads", "BIGINT"), Map.entry("bytes", "BIGINT"), Map.entry("country", "VARCHAR(16)"),
            Map.entry("os", "VARCHAR(32)"), Map.entry("asn", "BIGINT"), Map.entry("organization", "VARCHAR(256)"),
            Map.entry("client", "VARCHAR(32)"));

    private final Jdbi jdbi;
    private final boolean postgres;

    public AnalyticsStore(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.postgres = jdbi.withHandle(handle -> {
            try {
                return handle.getConnection().getMetaData().getDatabaseProductName();
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot tell which database this is", e);
            }
        }).toLowerCase(Locale.ROOT).contains("postgres");
    }

    Jdbi jdbi() {
        return jdbi;
    }

    Optional<Long> checkpoint(String consumer) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT log_offset FROM analytics_checkpoint"
                        + " WHERE consumer = :consumer")
                .bind("consumer", consumer).mapTo(Long.class).findOne());
    }

    /** Rows a batch statement sends at a time. */
    private static final int BATCH_ROWS = 1_000;

    /**
     * Adds the counts and moves the consumer's checkpoint, in the caller's transaction.
     *
     * <p>Plain JDBC with positional parameters: a step writes a hundred thousand counters or more,
     * and binding each of their values by name cost about a fifth of the write.
     */
    void add(Handle handle, Map<Key, Count> counts, String consumer, long offset) {
        var byRollup = new EnumMap<Rollup, List<Map.Entry<Key, Count>>>(Rollup.class);
        for (var entry : counts.entrySet()) {
            byRollup.computeIfAbsent(entry.getKey().rollup(), rollup -> new ArrayList<>()).add(entry);
        }
        var connection = handle.getConnection();
        for (var group : byRollup.entrySet()) {
            var rollup = group.getKey();
            // In key order: each merge then finds its row near the last one, in pages already at hand.
            var entries = group.getValue();
            entries.sort(Map.Entry.comparingByKey(AnalyticsStore::compareKeys));
            try (var statement = connection.prepareStatement(postgres ? upsertSql(rollup) : mergeSql(rollup))) {
                int pending = 0;
                for (var entry : entries) {
                    var key = entry.getKey();
                    int column = 1;
                    statement.setString(column++, key.subject());
                    statement.setString(column++, key.repo());
                    statement.setString(column++, key.pkg());
                    statement.setString(column++, RES[key.res()]);
                    statement.setLong(column++, key.bucket());
                    statement.setString(column++, key.version());
                    for (var value : key.dimensions()) {
                        if (value instanceof Long number) {
                            statement.setLong(column++, number);
                        } else {
                            statement.setString(column++, (String) value);
                        }
                    }
                    statement.setLong(column++, entry.getValue().downloads);
                    if (rollup == Rollup.VERSION) {
                        statement.setLong(column, entry.getValue().bytes);
                    }
                    statement.addBatch();
                    if (++pending == BATCH_ROWS) {
                        statement.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    statement.executeBatch();
                }
            } catch (SQLException e) {
                throw new UnableToExecuteStatementException("Cannot add to " + rollup.table, e, null);
            }
        }
        int moved = handle.createUpdate("UPDATE analytics_checkpoint SET log_offset = :offset WHERE consumer = :consumer")
                .bind("offset", offset).bind("consumer", consumer).execute();
        if (moved == 0) {
            handle.createUpdate("INSERT INTO analytics_checkpoint (consumer, log_offset) VALUES (:consumer, :offset)")
                    .bind("offset", offset).bind("consumer", consumer).execute();
        }
    }

    /** The resolutions as the res column holds them, by their char: no string made per row. */
    private static final String[] RES = new String[128];

    static {
        for (char res : new char[] {Buckets.MINUTES, Buckets.DAYS, Buckets.MONTHS}) {
            RES[res] = String.valueOf(res);
        }
    }

    /** The order of the rollup tables' primary keys. */
    private static int compareKeys(Key left, Key right) {
        int order = left.subject().compareTo(right.subject());
        if (order == 0) {
            order = left.repo().compareTo(right.repo());
        }
        if (order == 0) {
            order = left.pkg().compareTo(right.pkg());
        }
        if (order == 0) {
            order = Character.compare(left.res(), right.res());
        }
        if (order == 0) {
            order = Long.compare(left.bucket(), right.bucket());
        }
        if (order == 0) {
            order = left.version().compareTo(right.version());
        }
        return order != 0 ? order : compareDimensions(left.dimensions(), right.dimensions());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareDimensions(List<Object> left, List<Object> right) {
        for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
            int order = ((Comparable) left.get(i)).compareTo(right.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(left.size(), right.size());
    }

    private static String mergeSql(Rollup rollup) {
        var keyColumns = new ArrayList<>(List.of("subject", "repo", "package", "res", "bucket", "version"));
        keyColumns.addAll(rollup.dimensions);
        var valueColumns = rollup == Rollup.VERSION ? List.of("downloads", "bytes") : List.of("downloads");
        var all = new ArrayList<>(keyColumns);
        all.addAll(valueColumns);
        // Typed values: neither engine has to guess what an untyped parameter is.
        return "MERGE INTO " + rollup.table + " t USING (VALUES ("
                + all.stream().map(column -> "CAST(? AS " + TYPES.get(column) + ")")
                .collect(Collectors.joining(", "))
                + ")) AS s(" + String.join(", ", all) + ") ON (" + keyColumns.stream().map(column -> "t." + column + " = s." + column)
                .collect(Collectors.joining(" AND ")) + ")"
                + " WHEN MATCHED THEN UPDATE SET " + valueColumns.stream()
                .map(column -> column + " = t." + column + " + s." + column).collect(Collectors.joining(", "))
                + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", all) + ") VALUES ("
                + all.stream().map(column -> "s." + column).collect(Collectors.joining(", ")) + ")";
    }

    /** PostgreSQL's atomic form of {@link #mergeSql}: concurrent inserts of the same new row add up. */
    private static String upsertSql(Rollup rollup) {
        var keyColumns = new ArrayList<>(List.of("subject", "repo", "package", "res", "bucket", "version"));
        keyColumns.addAll(rollup.dimensions);
        var valueColumns = rollup == Rollup.VERSION ? List.of("downloads", "bytes") : List.of("downloads");
        var all = new ArrayList<>(keyColumns);
        all.addAll(valueColumns);
        return "INSERT INTO " + rollup.table + " AS t (" + String.join(", ", all) + ") VALUES ("
                + all.stream().map(column -> "CAST(? AS " + TYPES.get(column) + ")")
                .collect(Collectors.joining(", "))
                + ") ON CONFLICT (" + String.join(", ", keyColumns) + ") DO UPDATE SET " + valueColumns.stream()
                .map(column -> column + " = t." + column + " + EXCLUDED." + column).collect(Collectors.joining(", "));
    }

    /** Drops minute buckets that started before {@code before}. */
    int pruneMinutes(long before) {
        return jdbi.withHandle(handle -> {
            int removed = 0;
            for (var rollup : Rollup.values()) {
                removed += handle.createUpdate("DELETE FROM " + rollup.table + " WHERE res = 'm' AND bucket < :before")
                        .bind("before", before).execute();
            }
            return removed;
        });
    }

    /** Forgets every count and checkpoint, for a rebuild from the log. */
    void clear() {
        jdbi.useTransaction(handle -> {
            for (var rollup : Rollup.values()) {
                handle.createUpdate("DELETE FROM " + rollup.table).execute();
            }
            handle.createUpdate("DELETE FROM analytics_checkpoint").execute();
        });
    }

    /** Where a query looks: a subject, or one of its repositories, packages or versions. */
    public record Scope(String subject, String repo, String pkg, String version) {
    }

    /** One row of a grouped sum: the group's values, in the order asked for, and its downloads. */
    record Sum(List<Object> group, long downloads) {
    }

    /**
     * Sums downloads over the intervals, grouped by the given columns (any of bucket, version and the
     * rollup's dimensions).
     */
    List<Sum> sum(Rollup rollup, Scope scope, List<Buckets.Interval> intervals, List<String> groupBy) {
        if (intervals.isEmpty()) {
            return List.of();
        }
        var where = new StringBuilder(" WHERE subject = :subject");
        if (scope.repo() != null) {
            where.append(" AND repo = :repo");
        }
        if (scope.pkg() != null) {
            where.append(" AND package = :package");
        }
        if (scope.version() != null) {
            where.append(" AND version = :version");
        }
        where.append(" AND (");
        for (int i = 0; i < intervals.size(); i++) {
            where.append(i == 0 ? "" : " OR ").append("(res = :res").append(i).append(" AND bucket >= :from").append(i)
                    .append(" AND bucket < :to").append(i).append(")");
        }
        where.append(")");
        var columns = String.join(", ", groupBy);
        var sql = "SELECT " + (groupBy.isEmpty() ? "" : columns + ", ") + "SUM(downloads) AS total FROM "
                + rollup.table + where + (groupBy.isEmpty() ? "" : " GROUP BY " + columns);
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql).bind("subject", scope.subject()).bind("repo", scope.repo())
                    .bind("package", scope.pkg()).bind("version", scope.version());
            for (int i = 0; i < intervals.size(); i++) {
                var interval = intervals.get(i);
                query.bind("res" + i, String.valueOf(interval.res())).bind("from" + i, interval.from())
                        .bind("to" + i, interval.to());
            }
            return query.map((rs, ctx) -> {
                var group = new ArrayList<Object>(groupBy.size());
                for (int i = 1; i <= groupBy.size(); i++) {
                    group.add(rs.getObject(i));
                }
                return new Sum(group, rs.getLong("total"));
            }).list().stream().filter(row -> row.downloads() > 0 || !groupBy.isEmpty()).toList();
        });
    }
}
