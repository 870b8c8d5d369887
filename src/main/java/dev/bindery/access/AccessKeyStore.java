package dev.bindery.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/** The access keys of subjects (table {@code access_key}). Thread-safe. */
public final class AccessKeyStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, owner_id, key_id, password_hash, expiry, white_cidrs, black_cidrs,"
            + " api_only, existence_url, existence_cache_secs, created";

    private final Jdbi jdbi;

    public AccessKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public List<AccessKey> keysOf(long ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_key"
                        + " WHERE owner_id = :owner ORDER BY key_id")
                .bind("owner", ownerId).map((rs, ctx) -> map(rs)).list());
    }

    public Optional<AccessKey> key(long ownerId, String keyId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_key"
                        + " WHERE owner_id = :owner AND key_id = :key")
                .bind("owner", ownerId).bind("key", keyId).map((rs, ctx) -> map(rs)).findOne());
    }

    public Optional<AccessKey> byId(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_key WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> map(rs)).findOne());
    }

    /** The keys of {@code ownerId} among {@code keyIds}; missing ones are simply absent. */
    public List<AccessKey> keys(long ownerId, Collection<String> keyIds) {
        if (keyIds.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_key"
                        + " WHERE owner_id = :owner AND key_id IN (<keys>)")
                .bind("owner", ownerId).bindList("keys", List.copyOf(keyIds)).map((rs, ctx) -> map(rs)).list());
    }

    /** Stores a new key; empty when the owner already has one by that id. */
    public Optional<AccessKey> insert(AccessKey key) {
        return jdbi.inTransaction(handle -> {
            if (handle.createQuery("SELECT COUNT(*) FROM access_key WHERE owner_id = :owner AND key_id = :key")
                    .bind("owner", key.ownerId()).bind("key", key.keyId()).mapTo(Integer.class).one() > 0) {
                return Optional.<AccessKey>empty();
            }
            long id = bindFields(handle.createUpdate("INSERT INTO access_key (owner_id, key_id, password_hash,"
                            + " expiry, white_cidrs, black_cidrs, api_only, existence_url, existence_cache_secs, created)"
                            + " VALUES (:owner, :key, :hash, :expiry, :white, :black, :apiOnly, :url, :cacheSecs,"
                            + " :created)"), key)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            return Optional.of(new AccessKey(id, key.ownerId(), key.keyId(), key.passwordHash(), key.expiry(),
                    key.whiteCidrs(), key.blackCidrs(), key.apiOnly(), key.existenceCheck(), key.created()));
        });
    }

    public void update(AccessKey key) {
        jdbi.useHandle(handle -> bindFields(handle.createUpdate("UPDATE access_key SET password_hash = :hash,"
                        + " expiry = :expiry, white_cidrs = :white, black_cidrs = :black, api_only = :apiOnly,"
                        + " existence_url = :url, existence_cache_secs = :cacheSecs WHERE id = :id"), key)
                .bind("id", key.id()).execute());
    }

    /** Removes a key (and it from every entitlement); false when it was gone already. */
    public boolean delete(long id) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_key WHERE id = :id")
                .bind("id", id).execute() > 0);
    }

    private static Update bindFields(Update update, AccessKey key) {
        var check = key.existenceCheck();
        return update.bind("owner", key.ownerId())
                .bind("key", key.keyId())
                .bind("hash", key.passwordHash())
                .bind("expiry", key.expiry() == null ? null : key.expiry().toEpochMilli())
                .bind("white", toJson(key.whiteCidrs()))
                .bind("black", toJson(key.blackCidrs()))
                .bind("apiOnly", key.apiOnly())
                .bind("url", check == null ? null : check.url())
                .bind("cacheSecs", check == null ? null : check.cacheForSecs())
                .bind("created", key.created().toEpochMilli());
    }

    private static AccessKey map(ResultSet rs) throws SQLException {
        long expiry = rs.getLong("expiry");
        Instant expiresAt = rs.wasNull() ? null : Instant.ofEpochMilli(expiry);
        var url = rs.getString("existence_url");
        var check = url == null ? null : new AccessKey.ExistenceCheck(url, rs.getInt("existence_cache_secs"));
        return new AccessKey(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("key_id"),
                rs.getString("password_hash"), expiresAt, fromJson(rs.getString("white_cidrs")),
                fromJson(rs.getString("black_cidrs")), rs.getBoolean("api_only"), check,
                Instant.ofEpochMilli(rs.getLong("created")));
    }

    static String toJson(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> fromJson(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
