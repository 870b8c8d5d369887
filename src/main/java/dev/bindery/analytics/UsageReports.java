package dev.bindery.analytics;

import dev.bindery.BinderyException;
import dev.bindery.Times;
import dev.bindery.analytics.UsageStore.PackageStorage;
import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Repository;
import dev.bindery.content.Views.Page;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The usage reports: monthly download and storage bytes of a subject, of one of its repositories or
 * per business unit, and the current storage per package of a repository. Months are UTC calendar
 * months; a period that does not cover its whole month (the first or last of the range, and always
 * the current month, which ends now) is {@code partial_period}. Downloaded bytes come from the
 * month buckets of the rollups for whole months and from day buckets otherwise, so a range is
 * counted to the day: {@code from} moves back to the start of its day and a past {@code to} forward
 * to the end of its day. Storage of a past period is the last daily snapshot taken in it (0 when
 * none was), of the current month what is stored now. Percentages are shares of the subject's bytes
 * in the same period, 0 when the subject has none. All reports need admin rights on the subject;
 * the package report also answers a publisher of the package. Thread-safe.
 */
public final class UsageReports {

    private static final long DAY = Buckets.DAY;

    private final UsageStore store;
    private final ContentService content;
    private final SubjectService subjects;
    private final Clock clock;

    public UsageReports(UsageStore store, ContentService content, SubjectService subjects, Clock clock) {
        this.store = store;
        this.content = content;
        this.subjects = subjects;
        this.clock = clock;
    }

    /** The requested range, as the request body's ISO 8601 texts; null or blank means "this month" / "now". */
    public record Range(String from, String to) {
    }

    /** One month, or the part of it in the range: {@code [from, to)}. */
    public record Period(Instant from, Instant to, boolean partial) {
    }

    /** A subject's usage in one period. */
    public record Usage(Period period, long downloadBytes, long storageBytes) {
    }

    /** A repository's or business unit's usage in one period, with its shares of the subject's bytes (percent). */
    public record Share(String businessUnit, Period period, long downloadBytes, double downloadPercentage,
                        long storageBytes, double storagePercentage) {
    }

    /** What a package stores now. */
    public record PackageUsage(String pkg, long storageBytes, long fileCount) {
    }

    /** Get Usage Report For Subject. */
    public List<Usage> subjectUsage(Caller caller, String subjectName, Range range) {
        var subject = requireAdmin(caller, subjectName);
        long now = clock.millis();
        var usage = new ArrayList<Usage>();
        for (var period : periods(range, now)) {
            var bytes = periodBytes(subject.name(), period, now);
            usage.add(new Usage(period, total(bytes.downloads(), repo -> true), total(bytes.storage(), repo -> true)));
        }
        return usage;
    }

    /** Get Usage Report For Repository. */
    public List<Share> repositoryUsage(Caller caller, RepoRef ref, Range range) {
        requireAdmin(caller, ref.subject());
        var repository = content.readable(caller, ref).repository();
        long now = clock.millis();
        var shares = new ArrayList<Share>();
        for (var period : periods(range, now)) {
            shares.add(share(repository.businessUnit(), period, periodBytes(repository.owner().name(), period, now),
                    repository.name()::equals));
        }
        return shares;
    }

    /**
     * Get Usage Report Grouped By Business Unit: each unit of the subject's repositories (or only
     * {@code unit}), by unit name, then period. Repositories without a unit make one more group with a
     * null unit, last, so the shares of a subject add up to 100.
     */
    public List<Share> businessUnitUsage(Caller caller, String subjectName, String unit, Range range) {
        var subject = requireAdmin(caller, subjectName);
        var unitOf = new HashMap<String, String>();
        for (var repository : content.repositories(caller, subject.name())) {
            unitOf.put(repository.name(), repository.businessUnit());
        }
        var units = new ArrayList<String>(new TreeSet<>(unitOf.values().stream().filter(Objects::nonNull).toList()));
        if (unit != null) {
            if (!units.contains(unit)) {
                throw BinderyException.notFound("Business unit '" + unit + "' of '" + subject.name() + "' was not found");
            }
            units = new ArrayList<>(List.of(unit));
        } else if (unitOf.containsValue(null)) {
            units.add(null);
        }
        long now = clock.millis();
        var periods = periods(range, now);
        var bytes = periods.stream().map(period -> periodBytes(subject.name(), period, now)).toList();
        var shares = new ArrayList<Share>();
        for (var name : units) {
            // Bytes of repositories deleted since count with the repositories without a unit.
            Predicate<String> inUnit = repo -> Objects.equals(unitOf.get(repo), name);
            for (int i = 0; i < periods.size(); i++) {
                shares.add(share(name, periods.get(i), bytes.get(i), inUnit));
            }
        }
        return shares;
    }

    /**
     * Get Usage Report For Package: what each package of the repository (or only {@code pkg}) stores
     * now, by package name, in pages of {@link ContentService#PAGE_SIZE} from {@code startPos}.
     */
    public Page<PackageUsage> packageUsage(Caller caller, RepoRef ref, String pkg, int startPos) {
        Repository repository;
        if (pkg == null) {
            requireAdmin(caller, ref.subject());
            repository = content.readable(caller, ref).repository();
        } else {
            repository = content.publishable(caller, ref, "see the storage usage of '" + ref + "/" + pkg + "'")
                    .repository();
            content.pkg(caller, new PackageRef(ref.subject(), ref.repo(), pkg));
        }
        var all = store.repositoryStorage(repository.id(), repository.name()).stream()
                .filter(storage -> pkg == null || storage.pkg().equals(pkg))
                .map(storage -> new PackageUsage(storage.pkg(), storage.bytes(), storage.files()))
                .toList();
        int from = Math.min(Math.max(startPos, 0), all.size());
        var items = all.subList(from, Math.min(all.size(), from + ContentService.PAGE_SIZE));
        return new Page<>(List.copyOf(items), from, all.size());
    }

    private Subject requireAdmin(Caller caller, String subjectName) {
        var refusal = "User '" + caller.name() + "' may not see the usage of '" + subjectName + "'";
        if (caller.isAnonymous()) {
            throw caller.refusal(refusal);
        }
        var subject = subjects.subject(subjectName);
        if (!caller.administers(subject)) {
            throw caller.refusal(refusal);
        }
        return subject;
    }

    /** Bytes downloaded and stored in one period, per repository of the subject. */
    private record PeriodBytes(Map<String, Long> downloads, Map<String, Long> storage) {
    }

    /** The bytes of a period; one ending {@code now} stores what is stored now. */
    private PeriodBytes periodBytes(String subject, Period period, long now) {
        long from = period.from().toEpochMilli();
        long to = period.to().toEpochMilli();
        var downloads = period.partial()
                ? store.downloadedBytes(subject, Buckets.DAYS, from, ceilDay(to))
                : store.downloadedBytes(subject, Buckets.MONTHS, from, to);
        List<PackageStorage> stored;
        if (to >= now) {
            stored = store.liveStorage(subject);
        } else {
            stored = store.lastSnapshotDay(from, to).map(day -> store.snapshotStorage(subject, day)).orElse(List.of());
        }
        var storage = new HashMap<String, Long>();
        stored.forEach(row -> storage.merge(row.repo(), row.bytes(), Long::sum));
        return new PeriodBytes(downloads, storage);
    }

    private static Share share(String businessUnit, Period period, PeriodBytes bytes, Predicate<String> repos) {
        long downloads = total(bytes.downloads(), repos);
        long storage = total(bytes.storage(), repos);
        return new Share(businessUnit, period, downloads, percentage(downloads, total(bytes.downloads(), repo -> true)),
                storage, percentage(storage, total(bytes.storage(), repo -> true)));
    }

    private static long total(Map<String, Long> bytes, Predicate<String> repos) {
        return bytes.entrySet().stream().filter(entry -> repos.test(entry.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** A share in percent with 8 decimals, as the Bintray examples show them. */
    static double percentage(long part, long whole) {
        if (whole == 0) {
            return 0;
        }
        return BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(whole), 8, RoundingMode.HALF_UP).doubleValue();
    }

    /** The months of the range, the first and last cut to it; the range ends now at the latest. */
    List<Period> periods(Range range, long now) {
        var fromText = range == null ? null : range.from();
        var toText = range == null ? null : range.to();
        var requestedFrom = Times.parse(fromText, "from");
        var requestedTo = Times.parse(toText, "to");
        long from = requestedFrom == null ? monthStart(now) : Buckets.day(requestedFrom.toEpochMilli());
        long to;
        if (requestedTo == null) {
            to = now;
        } else {
            to = ceilDay(requestedTo.toEpochMilli());
            if (toText.trim().length() == "yyyy-MM-dd".length()) {
                // A plain date as the end means that whole day, as for the statistics.
                to += DAY;
            }
        }
        to = Math.min(to, now);
        if (requestedFrom != null && requestedTo != null && requestedFrom.isAfter(requestedTo)) {
            throw BinderyException.badRequest("'from' (" + fromText + ") is after 'to' (" + toText + ")");
        }
        if (from >= to) {
            throw BinderyException.badRequest("'from' (" + Times.format(Instant.ofEpochMilli(from))
                    + ") must be before 'to' and before now (" + Times.format(Instant.ofEpochMilli(to)) + ")");
        }
        var periods = new ArrayList<Period>();
        for (long start = from; start < to; ) {
            long month = monthStart(start);
            long next = nextMonth(month);
            long end = Math.min(next, to);
            periods.add(new Period(Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), start != month || end != next));
            start = next;
        }
        return periods;
    }

    private static long ceilDay(long millis) {
        return Buckets.day(millis + DAY - 1);
    }

    private static long monthStart(long millis) {
        return Buckets.month(millis);
    }

    private static long nextMonth(long monthStart) {
        return LocalDate.ofEpochDay(Math.floorDiv(monthStart, DAY)).plusMonths(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
