package dev.bindery.usage;

import dev.bindery.BinderyException;
import dev.bindery.Mailer;
import dev.bindery.Times;
import dev.bindery.analytics.UsageStore;
import dev.bindery.content.ContentStore;
import dev.bindery.content.Repository;
import dev.bindery.events.Event;
import dev.bindery.events.EventService;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import dev.bindery.usage.UsageThreshold.Kind;
import dev.bindery.usage.UsageThreshold.Ref;
import dev.bindery.usage.UsageThreshold.Scope;
import dev.bindery.usage.UsageThresholdStore.Alert;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage thresholds (Get, Create, Update and Delete Usage Threshold) and their alerts.
 *
 * <p>An organization's admins set byte limits on the organization, a repository or a business unit
 * (the repositories carrying that {@code business_unit}): storage and downloads per UTC month,
 * downloads per UTC day. Downloaded bytes come from the analytics rollups, storage is what the files
 * hold now. When usage goes past a limit, one {@code threshold_exceeded} event enters the outbox (so
 * the firehose shows it) and one mail goes to {@code alert_to_emails} and, with
 * {@code alert_to_admins}, the organization's owners and admins: once per threshold, limit and
 * period, however many downloads follow, and on nodes sharing a database too (the alert's primary
 * key decides which node raises it).
 *
 * <p>{@link #tick} runs every second: it checks download limits when this node's rollups moved,
 * storage limits when content changed, and everything once a minute (a new day or month starts a
 * new period). Mail is sent in the background and retried on later checks, at most
 * {@value #MAX_MAIL_ATTEMPTS} times. Thread-safe.
 */
public final class UsageThresholdService {

    static final int MAX_MAIL_ATTEMPTS = 5;
    private static final int MAX_EMAILS = 50;
    private static final long DAY = 86_400_000L;
    private static final long FULL_CHECK_NANOS = 60_000_000_000L;
    private static final long CHECK_SPACING_NANOS = 1_000_000_000L;
    /** A node that claimed a mail and did not finish within this gave up (it stopped); another retries. */
    private static final long MAIL_CLAIM_MILLIS = 120_000;
    private static final Logger LOG = LoggerFactory.getLogger(UsageThresholdService.class);

    private final UsageThresholdStore store;
    private final SubjectService subjects;
    private final ContentStore content;
    private final UsageStore usage;
    private final EventService events;
    private final Mailer mailer;
    private final Executor background;
    private final Clock clock;
    private final LongSupplier downloadsPosition;
    private final AtomicBoolean storageChanged = new AtomicBoolean(true);
    private final AtomicBoolean thresholdsChanged = new AtomicBoolean(true);
    /** Alerts known to exist (raised here or elsewhere), so checks do not try them again. */
    private final Set<AlertKey> raised = ConcurrentHashMap.newKeySet();
    private long lastPosition = -1;
    private long lastCheck;
    private long lastFullCheck;

    private record AlertKey(Ref ref, Kind kind, long periodStart) {
    }

    /**
     * @param downloadsPosition how far this node's analytics rollups got: a change means downloaded
     *                          bytes may have grown
     */
    public UsageThresholdService(UsageThresholdStore store, SubjectService subjects, ContentStore content,
                                 UsageStore usage, EventService events, Mailer mailer, Executor background,
                                 Clock clock, LongSupplier downloadsPosition) {
        this.store = store;
        this.subjects = subjects;
        this.content = content;
        this.usage = usage;
        this.events = events;
        this.mailer = mailer;
        this.background = background;
        this.clock = clock;
        this.downloadsPosition = downloadsPosition;
        this.lastFullCheck = System.nanoTime() - FULL_CHECK_NANOS;
    }

    /**
     * The body of Create and Update Usage Threshold; absent fields keep their value (Create: 0, no
     * emails, alert the admins).
     */
    public record ThresholdRequest(Long monthlyStorageBytes, Long monthlyDownloadBytes, Long dailyDownloadBytes,
                                   List<String> alertToEmails, Boolean alertToAdmins) {
    }

    // --- the API --------------------------------------------------------------------------------

    /** Get Usage Threshold. */
    public UsageThreshold get(Caller caller, Ref ref) {
        requireTarget(caller, ref);
        return store.find(ref).orElseThrow(() -> notFound(ref));
    }

    /** Create Usage Threshold: 409 if the target has one; at least one limit must be given. */
    public UsageThreshold create(Caller caller, Ref ref, ThresholdRequest request) {
        requireTarget(caller, ref);
        if (request.monthlyStorageBytes() == null && request.monthlyDownloadBytes() == null
                && request.dailyDownloadBytes() == null) {
            throw BinderyException.badRequest("At least one threshold type must be specified: monthly_storage_bytes,"
                    + " monthly_download_bytes or daily_download_bytes");
        }
        var threshold = apply(new UsageThreshold(ref.org(), ref.scope(), ref.target(), 0, 0, 0, List.of(), true),
                request);
        if (!store.insert(threshold, clock.millis())) {
            throw BinderyException.conflict("A usage threshold for " + ref + " already exists; update it with PATCH");
        }
        changed();
        return threshold;
    }

    /** Update Usage Threshold: the given fields replace the stored ones; a limit of 0 turns it off. */
    public UsageThreshold update(Caller caller, Ref ref, ThresholdRequest request) {
        requireTarget(caller, ref);
        var threshold = apply(store.find(ref).orElseThrow(() -> notFound(ref)), request);
        if (!store.update(threshold, clock.millis())) {
            throw notFound(ref);
        }
        changed();
        return threshold;
    }

    /** Delete Usage Thresholds: the threshold and its alerts; a new one alerts afresh. */
    public void delete(Caller caller, Ref ref) {
        requireTarget(caller, ref);
        if (!store.delete(ref)) {
            throw notFound(ref);
        }
        changed();
    }

    private void changed() {
        raised.clear();
        thresholdsChanged.set(true);
    }

    private static BinderyException notFound(Ref ref) {
        return BinderyException.notFound("No usage threshold is set for " + ref);
    }

    /** The organization's admins only; the repository or business unit must exist. */
    private void requireTarget(Caller caller, Ref ref) {
        var refusal = "User '" + caller.name() + "' may not manage the usage thresholds of '" + ref.org() + "'";
        if (caller.isAnonymous()) {
            throw caller.refusal(refusal);
        }
        var org = subjects.org(ref.org());
        if (!caller.administers(org)) {
            throw caller.refusal(refusal);
        }
        switch (ref.scope()) {
            case REPO -> content.repository(org.id(), ref.target()).orElseThrow(() ->
                    BinderyException.notFound("Repository '" + ref.org() + "/" + ref.target() + "' was not found"));
            case BUSINESS_UNIT -> {
                if (content.repositoriesOf(org.id()).stream()
                        .noneMatch(repository -> ref.target().equals(repository.businessUnit()))) {
                    throw BinderyException.notFound("Business unit '" + ref.target() + "' of '" + ref.org()
                            + "' was not found: no repository of the organization belongs to it");
                }
            }
            case ORGANIZATION -> {
            }
        }
    }

    private static UsageThreshold apply(UsageThreshold current, ThresholdRequest request) {
        var emails = current.alertToEmails();
        if (request.alertToEmails() != null) {
            var unique = new LinkedHashSet<String>();
            for (var email : request.alertToEmails()) {
                if (!Mailer.isAddress(email)) {
                    throw BinderyException.badRequest("Field 'alert_to_emails' holds '" + email
                            + "', which is not an email address");
                }
                unique.add(email.trim());
            }
            if (unique.size() > MAX_EMAILS) {
                throw BinderyException.badRequest("Field 'alert_to_emails' holds more than " + MAX_EMAILS
                        + " addresses");
            }
            emails = List.copyOf(unique);
        }
        return new UsageThreshold(current.owner(), current.scope(), current.target(),
                bytes(request.monthlyStorageBytes(), current.monthlyStorageBytes(), Kind.MONTHLY_STORAGE_BYTES),
                bytes(request.monthlyDownloadBytes(), current.monthlyDownloadBytes(), Kind.MONTHLY_DOWNLOAD_BYTES),
                bytes(request.dailyDownloadBytes(), current.dailyDownloadBytes(), Kind.DAILY_DOWNLOAD_BYTES),
                emails, request.alertToAdmins() == null ? current.alertToAdmins() : request.alertToAdmins());
    }

    private static long bytes(Long requested, long current, Kind kind) {
        if (requested == null) {
            return current;
        }
        if (requested < 0) {
            throw BinderyException.badRequest("Field '" + kind.wire() + "' must be 0 (off) or a number of bytes, not "
                    + requested);
        }
        return requested;
    }

    // --- checking -------------------------------------------------------------------------------

    /** Called by content changes: stored bytes may have changed. */
    public void contentChanged() {
        storageChanged.set(true);
    }

    /** One scheduled check (every second); never throws. */
    public synchronized void tick() {
        long now = System.nanoTime();
        if (now - lastCheck < CHECK_SPACING_NANOS) {
            return;
        }
        boolean full = now - lastFullCheck >= FULL_CHECK_NANOS || thresholdsChanged.getAndSet(false);
        long position = downloadsPosition.getAsLong();
        boolean downloads = full || position != lastPosition;
        boolean storage = full || storageChanged.getAndSet(false);
        if (!downloads && !storage) {
            return;
        }
        lastCheck = now;
        lastPosition = position;
        if (full) {
            lastFullCheck = now;
        }
        try {
            check(downloads, storage);
            if (full) {
                mailUnsent();
            }
        } catch (RuntimeException e) {
            LOG.warn("Checking usage thresholds failed: {}", e.toString());
        }
    }

    /** Checks every threshold now, downloads and storage; returns how many alerts it raised. */
    public synchronized int checkNow() {
        lastPosition = downloadsPosition.getAsLong();
        return check(true, true);
    }

    private int check(boolean downloads, boolean storage) {
        var thresholds = store.all();
        if (thresholds.isEmpty()) {
            return 0;
        }
        long now = clock.millis();
        long day = Math.floorDiv(now, DAY) * DAY;
        long month = LocalDate.ofEpochDay(Math.floorDiv(now, DAY)).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant().toEpochMilli();
        raised.removeIf(key -> key.periodStart() != day && key.periodStart() != month);
        var byOwner = new HashMap<String, List<UsageThreshold>>();
        thresholds.forEach(threshold -> byOwner.computeIfAbsent(threshold.owner(), owner -> new ArrayList<>())
                .add(threshold));
        int alerts = 0;
        for (var entry : byOwner.entrySet()) {
            var org = subjects.findSubject(entry.getKey()).filter(Subject::isOrg);
            if (org.isEmpty()) {
                continue;
            }
            var unitOf = new HashMap<String, String>();
            for (Repository repository : content.repositoriesOf(org.get().id())) {
                unitOf.put(repository.name(), repository.businessUnit());
            }
            var usageOf = new HashMap<Kind, Map<String, Long>>();
            for (var threshold : entry.getValue()) {
                Predicate<String> inScope = switch (threshold.scope()) {
                    case ORGANIZATION -> repo -> true;
                    case REPO -> threshold.target()::equals;
                    case BUSINESS_UNIT -> repo -> unitOf.containsKey(repo)
                            && threshold.target().equals(unitOf.get(repo));
                };
                if (threshold.scope() == Scope.REPO && !unitOf.containsKey(threshold.target())) {
                    continue; // the repository was deleted
                }
                for (var kind : Kind.values()) {
                    long limit = threshold.limit(kind);
                    boolean due = kind == Kind.MONTHLY_STORAGE_BYTES ? storage : downloads;
                    long period = kind.daily() ? day : month;
                    if (limit <= 0 || !due || raised.contains(new AlertKey(threshold.ref(), kind, period))) {
                        continue;
                    }
                    var perRepo = usageOf.computeIfAbsent(kind, k -> switch (k) {
                        case MONTHLY_STORAGE_BYTES -> usage.storedBytes(org.get().name());
                        case MONTHLY_DOWNLOAD_BYTES -> usage.monthDownloads(org.get().name(), month);
                        case DAILY_DOWNLOAD_BYTES -> usage.dayDownloads(org.get().name(), day);
                    });
                    long used = perRepo.entrySet().stream().filter(bytes -> inScope.test(bytes.getKey()))
                            .mapToLong(Map.Entry::getValue).sum();
                    if (used > limit && raise(org.get(), threshold, kind, period, limit, used, now)) {
                        alerts++;
                    }
                }
            }
        }
        return alerts;
    }

    /**
     * Records the alert with its event in one transaction, unless it exists; then mails it. Returns
     * whether this call raised it.
     */
    private boolean raise(Subject org, UsageThreshold threshold, Kind kind, long period, long limit, long used,
                          long now) {
        var key = new AlertKey(threshold.ref(), kind, period);
        if (store.alertExists(threshold.ref(), kind, period)) {
            raised.add(key);
            return false;
        }
        var alert = new Alert(threshold.ref(), kind, period, limit, used, now, recipients(org, threshold), 0);
        var mailState = alert.recipients().isEmpty() || !mailer.enabled() ? "none" : "pending";
        var target = threshold.scope() == Scope.ORGANIZATION ? null : threshold.target();
        var event = Event.thresholdExceeded(Instant.ofEpochMilli(now), org.name(),
                threshold.scope() == Scope.REPO ? threshold.target() : null,
                new Event.ThresholdExceeded(threshold.scope().wire(), target, kind.wire(), limit, used,
                        Instant.ofEpochMilli(period)));
        try {
            store.jdbi().useTransaction(handle -> {
                store.insertAlert(handle, alert, mailState);
                events.append(handle, List.of(event));
            });
        } catch (RuntimeException e) {
            if (store.alertExists(threshold.ref(), kind, period)) {
                raised.add(key); // another node raised it first
                return false;
            }
            throw e;
        }
        raised.add(key);
        LOG.info("Usage threshold exceeded: {} {} is {} bytes, over {}", threshold.ref(), kind.wire(), used, limit);
        if (mailState.equals("pending")) {
            background.execute(() -> mail(alert));
        } else if (!alert.recipients().isEmpty()) {
            LOG.info("No alert mail about {} sent, since no SMTP server is configured", threshold.ref());
        }
        return true;
    }

    /** {@code alert_to_emails}, and with {@code alert_to_admins} the owners' and admins' addresses. */
    private List<String> recipients(Subject org, UsageThreshold threshold) {
        var recipients = new LinkedHashSet<>(threshold.alertToEmails());
        if (threshold.alertToAdmins()) {
            for (var member : subjects.members(org)) {
                if (member.type().isAdmin()) {
                    subjects.findSubject(member.userName()).map(Subject::email).filter(Mailer::isAddress)
                            .ifPresent(recipients::add);
                }
            }
        }
        return List.copyOf(recipients);
    }

    /** Retries the mails of alerts still unsent (a failed attempt, or a node that stopped while sending). */
    private void mailUnsent() {
        long now = clock.millis();
        for (var alert : store.unmailed(now - MAIL_CLAIM_MILLIS)) {
            background.execute(() -> mail(alert));
        }
    }

    private void mail(Alert alert) {
        long now = clock.millis();
        try {
            if (!store.claimMail(alert, now, now - MAIL_CLAIM_MILLIS)) {
                return;
            }
            mailer.send(alert.recipients(), subjectLine(alert), text(alert));
            store.mailDone(alert, "sent");
        } catch (MessagingException | RuntimeException e) {
            boolean giveUp = alert.mailAttempts() + 1 >= MAX_MAIL_ATTEMPTS;
            LOG.warn("Alert mail about {} failed{}: {}", alert.ref(), giveUp ? " for the last time" : "", e.toString());
            try {
                store.mailDone(alert, giveUp ? "failed" : "pending");
            } catch (RuntimeException again) {
                LOG.warn("Recording the failed alert mail about {} failed: {}", alert.ref(), again.toString());
            }
        }
    }

    private static String subjectLine(Alert alert) {
        return "Usage threshold exceeded: " + describe(alert.kind()) + " of " + alert.ref();
    }

    private static String text(Alert alert) {
        var period = Times.format(Instant.ofEpochMilli(alert.periodStart()));
        return "The " + describe(alert.kind()) + " of " + alert.ref() + " went past its usage threshold.\n\n"
                + "organization: " + alert.ref().org() + "\n"
                + "scope: " + alert.ref().scope().wire() + "\n"
                + (alert.ref().target().isEmpty() ? "" : alert.ref().scope().wire() + ": " + alert.ref().target() + "\n")
                + "threshold: " + alert.kind().wire() + "\n"
                + "limit_bytes: " + alert.limitBytes() + "\n"
                + "usage_bytes: " + alert.usageBytes() + "\n"
                + "period_start: " + period + "\n\n"
                + "This is the only alert for this threshold in this " + (alert.kind().daily() ? "day" : "month")
                + " (UTC).\n";
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case MONTHLY_STORAGE_BYTES -> "storage";
            case MONTHLY_DOWNLOAD_BYTES -> "monthly download volume";
            case DAILY_DOWNLOAD_BYTES -> "daily download volume";
        };
    }
}
