package dev.bindery.events;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The webhooks and the delivery checkpoint, in SQL (H2 and PostgreSQL). No rules. Thread-safe. */
public final class WebhookStore {

    private static final String COLUMNS = "owner, repo, package, url, method, registered_by, failure_count, active";

    private final Jdbi jdbi;

    public WebhookStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    private static Webhook map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Webhook(rs.getString("owner"), rs.getString("repo"), rs.getString("package"), rs.getString("url"),
                rs.getString("method"), rs.getString("registered_by"), rs.getInt("failure_count"),
                rs.getBoolean("active"));
    }

    /** The hooks of {@code owner}, of one repository when {@code repo} is not null, by repository and package. */
    public List<Webhook> list(String owner, String repo) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM webhooks_hook"
                        + " WHERE owner = :owner" + (repo == null ? "" : " AND repo = :repo")
                        + " ORDER BY repo, package")
                .bind("owner", owner).bind("repo", repo).map((rs, ctx) -> map(rs)).list());
    }

    public Optional<Webhook> find(String owner, String repo, String pkg) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM webhooks_hook"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg")
                .bind("owner", owner).bind("repo", repo).bind("pkg", pkg).map((rs, ctx) -> map(rs)).findOne());
    }

    /** The active hooks of a package. */
    public List<Webhook> active(String owner, String repo, String pkg) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM webhooks_hook"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND active = TRUE")
                .bind("owner", owner).bind("repo", repo).bind("pkg", pkg).map((rs, ctx) -> map(rs)).list());
    }

    /**
     * Inserts or replaces the hook of its package (active, no failures), unless {@code owner} already
     * has {@code limit} hooks on other packages. Returns how many hooks the owner has afterwards, or -1
     * if the limit refused it. Serialized per owner by locking the owner's rows.
     */
    public int upsert(Webhook hook, int limit, long now) {
        return jdbi.inTransaction(handle -> {
            // Locks the owner's hooks, so two registrations cannot both take the last place.
            var existing = handle.createQuery("SELECT repo, package FROM webhooks_hook WHERE owner = :owner FOR UPDATE")
                    .bind("owner", hook.owner()).map((rs, ctx) -> rs.getString(1) + "/" + rs.getString(2)).list();
            boolean replaces = existing.contains(hook.repo() + "/" + hook.pkg());
            if (!replaces && existing.size() >= limit) {
                return -1;
            }
            if (replaces) {
                handle.createUpdate("UPDATE webhooks_hook SET url = :url, method = :method, registered_by = :by,"
                                + " failure_count = 0, active = TRUE"
                                + " WHERE owner = :owner AND repo = :repo AND package = :pkg")
                        .bind("url", hook.url()).bind("method", hook.method()).bind("by", hook.registeredBy())
                        .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg()).execute();
                return existing.size();
            }
            handle.createUpdate("INSERT INTO webhooks_hook (" + COLUMNS + ", created) VALUES (:owner, :repo, :pkg,"
                            + " :url, :method, :by, 0, TRUE, :created)")
                    .bind("url", hook.url()).bind("method", hook.method()).bind("by", hook.registeredBy())
                    .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg())
                    .bind("created", now).execute();
            return existing.size() + 1;
        });
    }

    /** Deletes the hook of a package; false if there was none. */
    public boolean delete(String owner, String repo, String pkg) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM webhooks_hook WHERE owner = :owner AND repo = :repo AND package = :pkg")
                .bind("owner", owner).bind("repo", repo).bind("pkg", pkg).execute()) > 0;
    }

    /** A delivery succeeded: the failure count starts over. */
    public void succeeded(Webhook hook) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE webhooks_hook SET failure_count = 0"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND url = :url")
                .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg()).bind("url", hook.url())
                .execute());
    }

    /** A delivery failed: counts it, and deactivates the hook at {@code maxFailures}. */
    public void failed(Webhook hook, int maxFailures) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE webhooks_hook SET failure_count = failure_count + 1,"
                        + " active = CASE WHEN failure_count + 1 >= :max THEN FALSE ELSE active END"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND url = :url AND active = TRUE")
                .bind("max", maxFailures)
                .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg()).bind("url", hook.url())
                .execute());
    }

    /** The outbox position up to which deliveries were claimed. */
    public long checkpoint() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT last_seq FROM webhooks_checkpoint WHERE id = 1")
                .mapTo(Long.class).one());
    }

    /**
     * Moves the checkpoint with its row locked ({@code SELECT ... FOR UPDATE}), so nodes sharing the
     * database take turns: {@code step} gets the claimed position and returns the new one.
     */
    public void advance(java.util.function.LongUnaryOperator step) {
        jdbi.useTransaction(handle -> {
            long seen = handle.createQuery("SELECT last_seq FROM webhooks_checkpoint WHERE id = 1 FOR UPDATE")
                    .mapTo(Long.class).one();
            long to = step.applyAsLong(seen);
            if (to != seen) {
                handle.createUpdate("UPDATE webhooks_checkpoint SET last_seq = :to WHERE id = 1")
                        .bind("to", to).execute();
            }
        });
    }

    /** Moves the checkpoint from {@code seen} to {@code to}; false if another node moved it first. */
    public boolean claim(long seen, long to) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE webhooks_checkpoint SET last_seq = :to WHERE id = 1 AND last_seq = :seen")
                .bind("to", to).bind("seen", seen).execute()) == 1;
    }
}
