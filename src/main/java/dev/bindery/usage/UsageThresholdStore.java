package dev.bindery.usage;

import dev.bindery.usage.UsageThreshold.Kind;
import dev.bindery.usage.UsageThreshold.Ref;
import dev.bindery.usage.UsageThreshold.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The usage thresholds and their alerts, in SQL (H2 and PostgreSQL). No rules. Thread-safe. */
public final class UsageThresholdStore {

    private static final String COLUMNS = "owner, scope, target, monthly_storage_bytes, monthly_download_bytes,"
            + " daily_download_bytes, alert_to_emails, alert_to_admins";
    private static final String ALERT_COLUMNS = "owner, scope, target, kind, period_start, limit_bytes, usage_bytes,"
            + " raised, recipients, mail_attempts";
    private static final String KEY = "owner = :owner AND scope = :scope AND target = :target";
    private static final String ALERT_KEY = KEY + " AND kind = :kind AND period_start = :period";

    /** One alert: a threshold of {@code kind} exceeded in the period starting at {@code periodStart}. */
    record Alert(Ref ref, Kind kind, long periodStart, long limitBytes, long usageBytes, long raised,
                 List<String> recipients, int mailAttempts) {
    }

    private final Jdbi jdbi;

    public UsageThresholdStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    private static UsageThreshold map(ResultSet rs) throws SQLException {
        return new UsageThreshold(rs.getString("owner"), Scope.fromWire(rs.getString("scope")), rs.getString("target"),
                rs.getLong("monthly_storage_bytes"), rs.getLong("monthly_download_bytes"),
                rs.getLong("daily_download_bytes"), split(rs.getString("alert_to_emails")),
                rs.getBoolean("alert_to_admins"));
    }

    private static List<String> split(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }

    Optional<UsageThreshold> find(Ref ref) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM usage_threshold WHERE " + KEY)
                .bind("owner", ref.org()).bind("scope", ref.scope().wire()).bind("target", ref.target())
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /** Every threshold, by owner. */
    List<UsageThreshold> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM usage_threshold"
                + " ORDER BY owner, scope, target").map((rs, ctx) -> map(rs)).list());
    }

    /** Inserts {@code threshold}; false if its organization already has one for the same scope and target. */
    boolean insert(UsageThreshold threshold, long now) {
        try {
            jdbi.useHandle(handle -> bindAll(handle.createUpdate("INSERT INTO usage_threshold (" + COLUMNS
                            + ", created, updated) VALUES (:owner, :scope, :target, :storage, :monthly, :daily,"
                            + " :emails, :admins, :now, :now)"), threshold).bind("now", now).execute());
            return true;
        } catch (RuntimeException e) {
            if (find(threshold.ref()).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces the limits and recipients of {@code threshold}; false if it does not exist (any more). */
    boolean update(UsageThreshold threshold, long now) {
        return jdbi.withHandle(handle -> bindAll(handle.createUpdate("UPDATE usage_threshold SET"
                        + " monthly_storage_bytes = :storage, monthly_download_bytes = :monthly,"
                        + " daily_download_bytes = :daily, alert_to_emails = :emails, alert_to_admins = :admins,"
                        + " updated = :now WHERE " + KEY), threshold).bind("now", now).execute()) == 1;
    }

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindAll(T statement,
                                                                                     UsageThreshold threshold) {
        return statement.bind("owner", threshold.owner()).bind("scope", threshold.scope().wire())
                .bind("target", threshold.target()).bind("storage", threshold.monthlyStorageBytes())
                .bind("monthly", threshold.monthlyDownloadBytes()).bind("daily", threshold.dailyDownloadBytes())
                .bind("emails", String.join(",", threshold.alertToEmails()))
                .bind("admins", threshold.alertToAdmins());
    }

    /** Deletes a threshold and its alerts; false if there was none. */
    boolean delete(Ref ref) {
        return jdbi.inTransaction(handle -> {
            handle.createUpdate("DELETE FROM usage_threshold_alert WHERE " + KEY).bind("owner", ref.org())
                    .bind("scope", ref.scope().wire()).bind("target", ref.target()).execute();
            return handle.createUpdate("DELETE FROM usage_threshold WHERE " + KEY).bind("owner", ref.org())
                    .bind("scope", ref.scope().wire()).bind("target", ref.target()).execute() == 1;
        });
    }

    /**
     * Records {@code alert} in the caller's transaction, its mail {@code pending} or, when
     * {@code mailState} says so, {@code none}. A second alert for the same threshold, kind and
     * period violates the primary key: the statement throws and the transaction must roll back.
     */
    void insertAlert(Handle handle, Alert alert, String mailState) {
        bindAlertKey(handle.createUpdate("INSERT INTO usage_threshold_alert (" + ALERT_COLUMNS + ", mail_state)"
                        + " VALUES (:owner, :scope, :target, :kind, :period, :limit, :usage, :raised, :recipients,"
                        + " 0, :state)"), alert.ref(), alert.kind(), alert.periodStart())
                .bind("limit", alert.limitBytes()).bind("usage", alert.usageBytes())
                .bind("raised", alert.raised()).bind("recipients", String.join(",", alert.recipients()))
                .bind("state", mailState).execute();
    }

    /** Binds {@link #ALERT_KEY}'s parameters. */
    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindAlertKey(T statement, Ref ref,
                                                                                          Kind kind, long period) {
        return statement.bind("owner", ref.org()).bind("scope", ref.scope().wire()).bind("target", ref.target())
                .bind("kind", kind.wire()).bind("period", period);
    }

    boolean alertExists(Ref ref, Kind kind, long periodStart) {
        return jdbi.withHandle(handle -> bindAlertKey(handle.createQuery(
                        "SELECT COUNT(*) FROM usage_threshold_alert WHERE " + ALERT_KEY), ref, kind, periodStart)
                .mapTo(Integer.class).one()) > 0;
    }

    /** Alerts whose mail is pending, or was claimed before {@code staleBefore} by a node that never finished. */
    List<Alert> unmailed(long staleBefore) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + ALERT_COLUMNS + " FROM usage_threshold_alert"
                        + " WHERE mail_state = 'pending' OR (mail_state = 'sending' AND mail_claimed < :stale)"
                        + " ORDER BY raised")
                .bind("stale", staleBefore)
                .map((rs, ctx) -> new Alert(new Ref(Scope.fromWire(rs.getString("scope")), rs.getString("owner"),
                        rs.getString("target")), Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)),
                        rs.getLong("period_start"), rs.getLong("limit_bytes"), rs.getLong("usage_bytes"),
                        rs.getLong("raised"), split(rs.getString("recipients")), rs.getInt("mail_attempts")))
                .list());
    }

    /** Claims an alert's mail for this node; false if another node claimed or sent it meanwhile. */
    boolean claimMail(Alert alert, long now, long staleBefore) {
        return jdbi.withHandle(handle -> bindAlertKey(handle.createUpdate("UPDATE usage_threshold_alert"
                        + " SET mail_state = 'sending', mail_claimed = :now, mail_attempts = mail_attempts + 1"
                        + " WHERE " + ALERT_KEY + " AND (mail_state = 'pending'"
                        + " OR (mail_state = 'sending' AND mail_claimed < :stale))"),
                        alert.ref(), alert.kind(), alert.periodStart())
                .bind("now", now).bind("stale", staleBefore).execute()) == 1;
    }

    /** Sets the mail state of a claimed alert: {@code sent}, {@code failed}, or back to {@code pending}. */
    void mailDone(Alert alert, String state) {
        jdbi.useHandle(handle -> bindAlertKey(handle.createUpdate("UPDATE usage_threshold_alert"
                        + " SET mail_state = :state WHERE " + ALERT_KEY), alert.ref(), alert.kind(), alert.periodStart())
                .bind("state", state).execute());
    }
}
