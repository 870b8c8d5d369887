package dev.bindery.events;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Jdbi;

/**
 * The webhooks, the delivery checkpoint and the pending deliveries ({@code webhooks_delivery}), in SQL
 * (H2 and PostgreSQL). No rules. Times are epoch millis UTC. Thread-safe.
 */
public final class WebhookStore {

    /** A hook's key: its package. */
    public record HookKey(String owner, String repo, String pkg) {
        static HookKey of(Webhook hook) {
            return new HookKey(hook.owner(), hook.repo(), hook.pkg());
        }

        @Override
        public String toString() {
            return owner + "/" + repo + "/" + pkg;
        }
    }

    /**
     * A row of {@code webhooks_delivery}: the call of hook {@code hook} for event {@code seq}.
     *
     * @param released    the event's time
     * @param attempts    failed attempts so far
     * @param nextAttempt when the next attempt may start
     */
    public record PendingCall(long seq, HookKey hook, String version, long released, int attempts,
                              long nextAttempt) {
        PendingCall retry(int failedAttempts, long at) {
            return new PendingCall(seq, hook, version, released, failedAttempts, at);
        }
    }

    /** What {@link #claimBatch} claimed: the active hooks it matched and the calls it recorded. */
    public record Claimed(List<Webhook> hooks, List<PendingCall> calls) {
    }

    private static final String CALL_COLUMNS = "seq, owner, repo, package, version, released, attempts, next_attempt";
    /** A row nobody holds: released, or its holder's lease has passed. */
    private static final String TAKEABLE = "(claimed_by IS NULL OR lease_until < :now)";
    private static final String CALL_KEY = "seq = :seq AND owner = :owner AND repo = :repo AND package = :pkg";

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

    /**
     * A delivery failed: counts it, and deactivates the hook at {@code maxFailures}. Returns the new
     * failure count, or -1 if nothing was counted (the hook is inactive, gone, or has another URL now).
     */
    public int failed(Webhook hook, int maxFailures) {
        return jdbi.inTransaction(handle -> {
            int counted = handle.createUpdate("UPDATE webhooks_hook SET failure_count = failure_count + 1,"
                            + " active = CASE WHEN failure_count + 1 >= :max THEN FALSE ELSE active END"
                            + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND url = :url AND active = TRUE")
                    .bind("max", maxFailures).bind("owner", hook.owner()).bind("repo", hook.repo())
                    .bind("pkg", hook.pkg()).bind("url", hook.url()).execute();
            if (counted == 0) {
                return -1;
            }
            return handle.createQuery("SELECT failure_count FROM webhooks_hook"
                            + " WHERE owner = :owner AND repo = :repo AND package = :pkg")
                    .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg())
                    .mapTo(Integer.class).one();
        });
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

    // --- pending deliveries (webhooks_delivery) ------------------------------------------------

    private static PendingCall mapCall(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new PendingCall(rs.getLong("seq"), new HookKey(rs.getString("owner"), rs.getString("repo"),
                rs.getString("package")), rs.getString("version"), rs.getLong("released"), rs.getInt("attempts"),
                rs.getLong("next_attempt"));
    }

    /**
     * Claims the next batch of events, in one transaction: locks the checkpoint row, reads the events
     * after it with {@code read}, asks {@code plan} for the calls to make of them given the active hooks
     * of their owners (read in this transaction), inserts those calls held by {@code node} until
     * {@code leaseUntil}, and moves the checkpoint to where the read looked up to. Another node
     * claiming meanwhile waits for the lock and then reads after this batch. Returns null when the
     * read had nothing new to look at.
     */
    public Claimed claimBatch(LongFunction<EventService.Scan> read,
                              BiFunction<List<StoredEvent>, List<Webhook>, List<PendingCall>> plan,
                              String node, long leaseUntil) {
        return jdbi.inTransaction(handle -> {
            long seen = handle.createQuery("SELECT last_seq FROM webhooks_checkpoint WHERE id = 1 FOR UPDATE")
                    .mapTo(Long.class).one();
            var scan = read.apply(seen);
            if (scan.scannedTo() <= seen) {
                return null;
            }
            var events = scan.events();
            var owners = events.stream().map(stored -> stored.event().owner())
                    .filter(java.util.Objects::nonNull).distinct().toList();
            List<Webhook> hooks = owners.isEmpty() ? List.of() : handle.createQuery("SELECT " + COLUMNS
                            + " FROM webhooks_hook WHERE active = TRUE AND owner IN (<owners>)")
                    .bindList("owners", owners).map((rs, ctx) -> map(rs)).list();
            var calls = plan.apply(events, hooks);
            if (!calls.isEmpty()) {
                var insert = handle.prepareBatch("INSERT INTO webhooks_delivery (" + CALL_COLUMNS
                        + ", claimed_by, lease_until) VALUES (:seq, :owner, :repo, :pkg, :version, :released,"
                        + " :attempts, :next, :node, :lease)");
                for (var call : calls) {
                    bindCall(insert, call).bind("version", call.version()).bind("released", call.released())
                            .bind("attempts", call.attempts()).bind("next", call.nextAttempt())
                            .bind("node", node).bind("lease", leaseUntil).add();
                }
                insert.execute();
            }
            handle.createUpdate("UPDATE webhooks_checkpoint SET last_seq = :to WHERE id = 1")
                    .bind("to", scan.scannedTo()).execute();
            var matched = new LinkedHashMap<HookKey, Webhook>();
            for (var call : calls) {
                matched.computeIfAbsent(call.hook(), key -> hooks.stream()
                        .filter(hook -> HookKey.of(hook).equals(key)).findFirst().orElseThrow());
            }
            return new Claimed(List.copyOf(matched.values()), calls);
        });
    }

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindCall(T statement, PendingCall call) {
        return statement.bind("seq", call.seq()).bind("owner", call.hook().owner()).bind("repo", call.hook().repo())
                .bind("pkg", call.hook().pkg());
    }

    /** Extends the lease of every row {@code node} holds whose lease has not passed; returns how many. */
    public int renew(String node, long now, long leaseUntil) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE webhooks_delivery SET lease_until = :lease"
                        + " WHERE claimed_by = :node AND lease_until >= :now")
                .bind("lease", leaseUntil).bind("node", node).bind("now", now).execute());
    }

    /** Releases every row {@code node} holds (its lease cleared), for any node to take; returns how many. */
    public int releaseAll(String node) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE webhooks_delivery SET claimed_by = NULL,"
                + " lease_until = NULL WHERE claimed_by = :node").bind("node", node).execute());
    }

    /** Releases these rows if {@code node} still holds them. */
    public void release(String node, Collection<PendingCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> {
            var batch = handle.prepareBatch("UPDATE webhooks_delivery SET claimed_by = NULL, lease_until = NULL"
                    + " WHERE " + CALL_KEY + " AND claimed_by = :node");
            for (var call : calls) {
                bindCall(batch, call).bind("node", node).add();
            }
            batch.execute();
        });
    }

    /** Deletes these rows: their calls succeeded, finally failed or were dropped. */
    public void finish(Collection<PendingCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> {
            var batch = handle.prepareBatch("DELETE FROM webhooks_delivery WHERE " + CALL_KEY);
            for (var call : calls) {
                bindCall(batch, call).add();
            }
            batch.execute();
        });
    }

    /** Records each row's failed attempts and when its next attempt is due. */
    public void retryLater(Collection<PendingCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        jdbi.useHandle(handle -> {
            var batch = handle.prepareBatch("UPDATE webhooks_delivery SET attempts = :attempts, next_attempt = :next"
                    + " WHERE " + CALL_KEY);
            for (var call : calls) {
                bindCall(batch, call).bind("attempts", call.attempts()).bind("next", call.nextAttempt()).add();
            }
            batch.execute();
        });
    }

    /** How many rows nobody holds at {@code now}, per hook. */
    public Map<HookKey, Integer> takeable(long now) {
        return jdbi.withHandle(handle -> {
            var counts = new LinkedHashMap<HookKey, Integer>();
            handle.createQuery("SELECT owner, repo, package, COUNT(*) FROM webhooks_delivery WHERE " + TAKEABLE
                            + " GROUP BY owner, repo, package")
                    .bind("now", now)
                    .map((rs, ctx) -> counts.put(new HookKey(rs.getString(1), rs.getString(2), rs.getString(3)),
                            rs.getInt(4)))
                    .list();
            return counts;
        });
    }

    /** Up to {@code limit} of {@code hook}'s rows nobody holds at {@code now}, in event order. */
    public List<PendingCall> takeable(HookKey hook, long now, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + CALL_COLUMNS + " FROM webhooks_delivery"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND " + TAKEABLE
                        + " ORDER BY seq LIMIT :limit")
                .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg()).bind("now", now)
                .bind("limit", limit).map((rs, ctx) -> mapCall(rs)).list());
    }

    /**
     * Takes the row for {@code node} until {@code leaseUntil} if nobody holds it at {@code now}: one
     * conditional UPDATE, so of nodes racing for a row exactly one gets true.
     */
    public boolean take(PendingCall call, String node, long now, long leaseUntil) {
        return jdbi.withHandle(handle -> bindCall(handle.createUpdate("UPDATE webhooks_delivery"
                        + " SET claimed_by = :node, lease_until = :lease WHERE " + CALL_KEY + " AND " + TAKEABLE), call)
                .bind("node", node).bind("lease", leaseUntil).bind("now", now).execute()) == 1;
    }

    /** Deletes {@code hook}'s rows nobody holds at {@code now} (the hook is inactive or gone); returns how many. */
    public int dropTakeable(HookKey hook, long now) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM webhooks_delivery"
                        + " WHERE owner = :owner AND repo = :repo AND package = :pkg AND " + TAKEABLE)
                .bind("owner", hook.owner()).bind("repo", hook.repo()).bind("pkg", hook.pkg()).bind("now", now)
                .execute());
    }

    /** The rows of pending deliveries, held or not. */
    public long pending() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM webhooks_delivery")
                .mapTo(Long.class).one());
    }

    /** The rows held by {@code node}. */
    public long heldBy(String node) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM webhooks_delivery"
                + " WHERE claimed_by = :node").bind("node", node).mapTo(Long.class).one());
    }
}
