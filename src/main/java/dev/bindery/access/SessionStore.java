package dev.bindery.access;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Web UI sessions (table {@code access_session}), kept by the SHA-256 of their id. Holds no rules. Thread-safe. */
public final class SessionStore {

    private final Jdbi jdbi;

    public SessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * A stored session.
     *
     * @param idHash the hex SHA-256 of the id the browser holds
     * @param keyTag derived from the user's API key when the session began (see {@code SessionService})
     */
    public record StoredSession(String idHash, long userId, String keyTag, Instant created, Instant lastSeen) {
    }

    public void insert(StoredSession session) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO access_session (id_hash, user_id, key_tag,"
                        + " created, last_seen) VALUES (:hash, :user, :tag, :created, :seen)")
                .bind("hash", session.idHash())
                .bind("user", session.userId())
                .bind("tag", session.keyTag())
                .bind("created", session.created().toEpochMilli())
                .bind("seen", session.lastSeen().toEpochMilli())
                .execute());
    }

    public Optional<StoredSession> byHash(String idHash) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id_hash, user_id, key_tag, created,"
                        + " last_seen FROM access_session WHERE id_hash = :hash")
                .bind("hash", idHash)
                .map((rs, ctx) -> new StoredSession(rs.getString("id_hash"), rs.getLong("user_id"), rs.getString("key_tag"),
                        Instant.ofEpochMilli(rs.getLong("created")), Instant.ofEpochMilli(rs.getLong("last_seen"))))
                .findOne());
    }

    public void touch(String idHash, Instant lastSeen) {
        jdbi.useHandle(handle -> handle.createUpdate(
                        "UPDATE access_session SET last_seen = :seen WHERE id_hash = :hash")
                .bind("seen", lastSeen.toEpochMilli()).bind("hash", idHash).execute());
    }

    /** Binds the session to the user's new API key, so it outlives the change. */
    public void retag(String idHash, String keyTag) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE access_session SET key_tag = :tag WHERE id_hash = :hash")
                .bind("tag", keyTag).bind("hash", idHash).execute());
    }

    public void delete(String idHash) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM access_session WHERE id_hash = :hash")
                .bind("hash", idHash).execute());
    }

    /** Deletes the user's sessions but {@code keepHash} (null keeps none); returns how many. */
    public int deleteOthers(long userId, String keepHash) {
        if (keepHash == null) {
            return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_session WHERE user_id = :user")
                    .bind("user", userId).execute());
        }
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_session WHERE user_id = :user"
                        + " AND id_hash <> :keep")
                .bind("user", userId).bind("keep", keepHash).execute());
    }

    /** Deletes sessions idle since before {@code idleBefore} or created before {@code createdBefore}. */
    public int deleteExpired(Instant idleBefore, Instant createdBefore) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_session"
                        + " WHERE last_seen < :idle OR created < :created")
                .bind("idle", idleBefore.toEpochMilli()).bind("created", createdBefore.toEpochMilli()).execute());
    }
}
