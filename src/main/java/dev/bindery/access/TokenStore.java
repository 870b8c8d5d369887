package dev.bindery.access;

import dev.bindery.subject.Credential;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** Users' bearer tokens (table {@code access_token}), kept as SHA-256 hashes. Holds no rules. Thread-safe. */
public final class TokenStore {

    private static final String COLUMNS = "id, user_id, name, scope, token_hash, expiry, created, last_used";

    private final Jdbi jdbi;

    public TokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A stored token.
     *
     * @param hash     hex SHA-256 of the token
     * @param expiry   null for never
     * @param lastUsed null if never used (as far as the last flush knows)
     */
    public record StoredToken(long id, long userId, String name, Credential.Scope scope, String hash, Instant expiry,
                              Instant created, Instant lastUsed) {
    }

    /** Inserts the token and returns it with its id; fails on a duplicate name (the caller checks first). */
    public StoredToken insert(StoredToken token) {
        long id = jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO access_token (user_id, name, scope,"
                        + " token_hash, expiry, created) VALUES (:user, :name, :scope, :hash, :expiry, :created)")
                .bind("user", token.userId())
                .bind("name", token.name())
                .bind("scope", token.scope().name().toLowerCase(Locale.ROOT))
                .bind("hash", token.hash())
                .bind("expiry", token.expiry() == null ? null : token.expiry().toEpochMilli())
                .bind("created", token.created().toEpochMilli())
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class).one());
        return new StoredToken(id, token.userId(), token.name(), token.scope(), token.hash(), token.expiry(),
                token.created(), null);
    }

    public List<StoredToken> byUser(long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM access_token WHERE user_id = :user ORDER BY id")
                .bind("user", userId).map((rs, ctx) -> map(rs)).list());
    }

    public Optional<StoredToken> byId(long userId, long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM access_token WHERE user_id = :user AND id = :id")
                .bind("user", userId).bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    public Optional<StoredToken> byName(long userId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM access_token WHERE user_id = :user AND name = :name")
                .bind("user", userId).bind("name", name).map((rs, ctx) -> map(rs)).findOne());
    }

    public Optional<StoredToken> byHash(String hash) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM access_token WHERE token_hash = :hash")
                .bind("hash", hash).map((rs, ctx) -> map(rs)).findOne());
    }

    /** Which of {@code ids} still exist (were not revoked), in one query per 500 ids. */
    public Set<Long> existing(Collection<Long> ids) {
        var found = new HashSet<Long>();
        var all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            var chunk = all.subList(from, Math.min(all.size(), from + 500));
            found.addAll(jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM access_token WHERE id IN (<ids>)")
                    .bindList("ids", chunk).mapTo(Long.class).list()));
        }
        return found;
    }

    /** Deletes the token; false when the user has no such token. */
    public boolean delete(long userId, long id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_token WHERE user_id = :user AND id = :id")
                .bind("user", userId).bind("id", id).execute() > 0);
    }

    /** Records last-used times (token id to epoch millis) in one batch; never moves a time backwards. */
    public void updateLastUsed(Map<Long, Long> lastUsed) {
        if (lastUsed.isEmpty()) {
            return;
        }
        jdbi.useTransaction(handle -> {
            var batch = handle.prepareBatch("UPDATE access_token SET last_used = :used WHERE id = :id"
                    + " AND (last_used IS NULL OR last_used < :used)");
            lastUsed.forEach((id, used) -> batch.bind("id", id).bind("used", used).add());
            batch.execute();
        });
    }

    private static StoredToken map(ResultSet rs) throws SQLException {
        long expiry = rs.getLong("expiry");
        Instant expiryAt = rs.wasNull() ? null : Instant.ofEpochMilli(expiry);
        long lastUsed = rs.getLong("last_used");
        Instant lastUsedAt = rs.wasNull() ? null : Instant.ofEpochMilli(lastUsed);
        return new StoredToken(rs.getLong("id"), rs.getLong("user_id"), rs.getString("name"),
                Credential.Scope.valueOf(rs.getString("scope").toUpperCase(Locale.ROOT)), rs.getString("token_hash"),
                expiryAt, Instant.ofEpochMilli(rs.getLong("created")), lastUsedAt);
    }
}
