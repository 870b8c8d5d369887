package dev.bindery.analytics;

import dev.bindery.BinderyException;
import dev.bindery.access.SlidingWindowLimiter;
import dev.bindery.access.SlidingWindowLimiter.Charge;
import dev.bindery.access.SlidingWindowLimiter.Window;
import dev.bindery.content.ContentService;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The MyJFrog usage data export ({@code GET /api/v1/usage_data/traffic}) over Bindery's downloads:
 * a CSV of downloads and bytes per day or month, grouped and filtered by the documented keys, for
 * the subjects the caller administers (themselves and the organizations they own or administer).
 *
 * <p>It reads the downloads of the days in range of the subjects in scope through the daily log
 * files' indexes ({@link DownloadLogs#forEach}), never the whole download log. Rules, as documented
 * for MyJFrog, and where the documentation is silent, as chosen here:
 *
 * <ul>
 *   <li>{@code start_date} and {@code end_date} are {@code YYYY-MM-DD} (UTC days); both days are
 *       reported; {@code start_date} is at most 558 days ago, {@code end_date} not after today and
 *       not before {@code start_date};</li>
 *   <li>{@code granularity=day} allows at most 3 months ({@code end_date} before start plus 3
 *       months), {@code month} at most 12 months; months are calendar months, each row showing the
 *       first day of its month;</li>
 *   <li>{@code samples} (1-1999) is the number of rows: the ones with the most bytes (ties: more
 *       downloads, earlier period, then group values), shown by period, then bytes, descending;</li>
 *   <li>the CSV is named {@code Bindery-data-transfer-YYYYMMDD-yyyymmdd.csv} after
 *       {@code start_date} and {@code end_date} as given (MyJFrog names its end date
 *       non-inclusive; here it is the last day reported); times are UTC;</li>
 *   <li>{@code filter_by[key]} values of one key are alternatives, different keys must all match;
 *       {@code group_by} of {@code artifact_path} or {@code ip} needs a range of 32 days or more;</li>
 *   <li>the keys {@code project}, {@code server_name} and {@code service} have no meaning here and
 *       are refused; {@code subject}, {@code package} and {@code version} are Bindery's own;</li>
 *   <li>a refused request (400, 401, 403) does not count against the rate limits: per client address
 *       10 calls in 10 minutes and 20 in an hour, per user 5 in 5 minutes and 10 in an hour.</li>
 * </ul>
 *
 * Thread-safe.
 */
public final class UsageExport {

    /** Days back {@code start_date} may reach. */
    public static final int MAX_AGE_DAYS = 558;
    public static final int MAX_SAMPLES = 1999;
    /** The shortest range (in days, both ends counted) for grouping by artifact path or IP. */
    public static final int MIN_DAYS_FOR_FINE_GROUPS = 32;

    static final List<Window> IP_LIMITS = List.of(new Window(10, Duration.ofMinutes(10)),
            new Window(20, Duration.ofHours(1)));
    static final List<Window> USER_LIMITS = List.of(new Window(5, Duration.ofMinutes(5)),
            new Window(10, Duration.ofHours(1)));

    /** The keys of {@code filter_by} and {@code group_by}, in the order the documentation lists them. */
    public static final List<String> KEYS = List.of("action", "artifact_path", "ip", "package_type", "repo_type",
            "repository", "username", "subject", "package", "version");
    private static final Set<String> MEANINGLESS = Set.of("project", "server_name", "service");
    private static final Set<String> CASE_INSENSITIVE = Set.of("action", "package_type", "repo_type");
    private static final String DOWNLOAD = "download";

    private static final DateTimeFormatter COMPACT = DateTimeFormatter.BASIC_ISO_DATE;
    private static final CSVFormat OUT_CSV = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();

    /** The day or month a row sums up. */
    public enum Granularity {
        DAY, MONTH
    }

    /**
     * A request as the query string states it, unparsed, so every problem is reported here.
     *
     * @param filters {@code filter_by[key]} values by key, in request order
     * @param groupBy {@code group_by} keys, in request order
     */
    public record Request(String type, String format, String startDate, String endDate, String granularity,
                          String samples, Map<String, List<String>> filters, List<String> groupBy) {
    }

    /** The CSV and the name it is downloaded as. */
    public record Report(String fileName, String csv) {
    }

    private record Query(LocalDate start, LocalDate end, Granularity granularity, int samples,
                         Map<String, Set<String>> filters, List<String> groupBy) {
    }

    private record Row(LocalDate period, List<String> group) {
    }

    private static final class Totals {
        long downloads;
        long bytes;
    }

    private final SubjectService subjects;
    private final ContentService content;
    private final DownloadLogs logs;
    private final Clock clock;
    private final SlidingWindowLimiter limiter;

    public UsageExport(SubjectService subjects, ContentService content, DownloadLogs logs, Clock clock) {
        this.subjects = subjects;
        this.content = content;
        this.logs = logs;
        this.clock = clock;
        this.limiter = new SlidingWindowLimiter(clock);
    }

    /**
     * Exports the traffic of {@code request}'s range for {@code caller}, calling from {@code clientIp}.
     *
     * @throws BinderyException 401 for anonymous callers, 400 naming the first invalid parameter, 403
     *         for a {@code filter_by[subject]} the caller does not administer (or that does not exist),
     *         429 when a rate limit is spent
     */
    public Report traffic(Caller caller, String clientIp, Request request) {
        if (caller.isAnonymous()) {
            throw BinderyException.unauthorized("Usage data requires authentication");
        }
        var query = validate(request);
        var scope = scope(caller, query.filters().get("subject"));
        charge(caller, clientIp);
        var totals = aggregate(caller, scope, query);
        return new Report("Bindery-data-transfer-" + COMPACT.format(query.start()) + "-" + COMPACT.format(query.end())
                + ".csv", render(query, totals));
    }

    // --- validation ---------------------------------------------------------------------------

    private Query validate(Request request) {
        if (!"traffic".equals(request.type())) {
            throw BinderyException.badRequest("Usage data type '" + request.type() + "' is not supported; only 'traffic' is");
        }
        var format = required(request.format(), "format");
        if (!format.equalsIgnoreCase("csv")) {
            throw BinderyException.badRequest("format '" + format + "' is not supported; only 'csv' is");
        }
        var start = date(request.startDate(), "start_date");
        var end = date(request.endDate(), "end_date");
        var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        var earliest = today.minusDays(MAX_AGE_DAYS);
        if (start.isBefore(earliest)) {
            throw BinderyException.badRequest("start_date " + start + " must be within the last " + MAX_AGE_DAYS
                    + " days (not before " + earliest + ")");
        }
        if (end.isAfter(today)) {
            throw BinderyException.badRequest("end_date " + end + " is in the future (today is " + today + " UTC)");
        }
        if (end.isBefore(start)) {
            throw BinderyException.badRequest("end_date " + end + " is before start_date " + start);
        }
        var granularityText = required(request.granularity(), "granularity");
        var granularity = switch (granularityText.toLowerCase(Locale.ROOT)) {
            case "day" -> Granularity.DAY;
            case "month" -> Granularity.MONTH;
            default -> throw BinderyException.badRequest("granularity '" + granularityText
                    + "' is not one of day, month");
        };
        int months = granularity == Granularity.DAY ? 3 : 12;
        if (end.isAfter(start.plusMonths(months).minusDays(1))) {
            throw BinderyException.badRequest("The date range " + start + " to " + end + " exceeds " + months
                    + " months, the most granularity=" + granularity.name().toLowerCase(Locale.ROOT) + " allows");
        }
        var samplesText = required(request.samples(), "samples");
        int samples;
        try {
            samples = Integer.parseInt(samplesText.trim());
        } catch (NumberFormatException e) {
            throw BinderyException.badRequest("samples '" + samplesText + "' is not a number from 1 to " + MAX_SAMPLES);
        }
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw BinderyException.badRequest("samples " + samples + " is not from 1 to " + MAX_SAMPLES);
        }
        var filters = new LinkedHashMap<String, Set<String>>();
        request.filters().forEach((key, values) -> {
            checkKey(key, "filter_by");
            for (var value : values) {
                if (value == null || value.isBlank()) {
                    throw BinderyException.badRequest("filter_by[" + key + "] needs a value");
                }
                var normalized = CASE_INSENSITIVE.contains(key) ? value.trim().toLowerCase(Locale.ROOT) : value.trim();
                if (key.equals("action") && !normalized.equals("upload") && !normalized.equals(DOWNLOAD)) {
                    throw BinderyException.badRequest("filter_by[action] '" + value + "' is not one of upload, download");
                }
                filters.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(normalized);
            }
        });
        var groupBy = new ArrayList<String>();
        long days = ChronoUnit.DAYS.between(start, end) + 1;
        for (var key : request.groupBy()) {
            checkKey(key, "group_by");
            if ((key.equals("artifact_path") || key.equals("ip")) && days < MIN_DAYS_FOR_FINE_GROUPS) {
                throw BinderyException.badRequest("group_by=" + key + " needs a date range of "
                        + MIN_DAYS_FOR_FINE_GROUPS + " days or more; " + start + " to " + end + " is " + days
                        + (days == 1 ? " day" : " days"));
            }
            if (!groupBy.contains(key)) {
                groupBy.add(key);
            }
        }
        return new Query(start, end, granularity, samples, filters, List.copyOf(groupBy));
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw BinderyException.badRequest("Query parameter '" + name + "' is required");
        }
        return value;
    }

    private static LocalDate date(String value, String name) {
        var text = required(value, name).trim();
        try {
            return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeParseException e) {
            throw BinderyException.badRequest(name + " '" + value + "' is not a date in YYYY-MM-DD format");
        }
    }

    private static void checkKey(String key, String parameter) {
        if (MEANINGLESS.contains(key)) {
            throw BinderyException.badRequest(parameter + " key '" + key + "' has no meaning in Bindery; valid keys are "
                    + String.join(", ", KEYS));
        }
        if (!KEYS.contains(key)) {
            throw BinderyException.badRequest(parameter + " key '" + key + "' is not one of " + String.join(", ", KEYS));
        }
    }

    // --- access and rate limits ---------------------------------------------------------------

    /** The subjects to report: the asked ones, each administered by the caller, else all the caller administers. */
    private List<Subject> scope(Caller caller, Set<String> asked) {
        if (asked != null) {
            var scope = new ArrayList<Subject>();
            for (var name : asked) {
                // A subject that does not exist is refused like one the caller does not administer.
                scope.add(subjects.findSubject(name).filter(caller::administers)
                        .orElseThrow(() -> BinderyException.forbidden("User '" + caller.name()
                                + "' may not see the usage data of '" + name + "'")));
            }
            return scope;
        }
        var scope = new ArrayList<Subject>();
        scope.add(caller.user());
        caller.memberships().forEach((orgId, type) -> {
            if (type.isAdmin()) {
                scope.add(subjects.byId(orgId));
            }
        });
        return scope;
    }

    private void charge(Caller caller, String clientIp) {
        var refusal = limiter.acquire(List.of(new Charge("ip:" + clientIp, "client address " + clientIp, IP_LIMITS),
                new Charge("user:" + caller.name(), "user '" + caller.name() + "'", USER_LIMITS)));
        refusal.ifPresent(refused -> {
            throw BinderyException.tooManyRequests("Usage data rate limit exceeded for " + refused.charge().label()
                    + ": at most " + refused.window().limit() + " requests within " + describe(refused.window().length())
                    + "; try again in " + Math.max(1, refused.retryAfter().toSeconds()) + " seconds");
        });
    }

    private static String describe(Duration length) {
        return length.toHours() >= 1 && length.toMinutesPart() == 0
                ? (length.toHours() == 1 ? "an hour" : length.toHours() + " hours")
                : length.toMinutes() + " minutes";
    }

    // --- reading the downloads ------------------------------------------------------------------

    private Map<Row, Totals> aggregate(Caller caller, List<Subject> scope, Query query) {
        var filters = query.filters();
        var totals = new HashMap<Row, Totals>();
        if (filters.containsKey("action") && !filters.get("action").contains(DOWNLOAD)) {
            // Uploads are not logged; only downloads are.
            return totals;
        }
        for (var subject : scope) {
            var repositories = logs.repositories(subject.name());
            if (repositories.isEmpty()) {
                continue;
            }
            // Once per repository, not per download: its type is the package type of all its files.
            var types = new HashMap<String, String>();
            content.repositories(caller, subject.name())
                    .forEach(repository -> types.put(repository.name(), repository.type().wire()));
            for (var repo : repositories) {
                var type = types.getOrDefault(repo, "unknown");
                if (!matches(filters, "repository", repo) || !matches(filters, "package_type", type)
                        || !matches(filters, "repo_type", type)) {
                    continue;
                }
                for (var pkg : logs.packages(subject.name(), repo)) {
                    if (!matches(filters, "package", pkg)) {
                        continue;
                    }
                    for (var day = query.start(); !day.isAfter(query.end()); day = day.plusDays(1)) {
                        var period = query.granularity() == Granularity.DAY ? day : day.withDayOfMonth(1);
                        logs.forEach(subject.name(), repo, pkg, day, event -> add(event, period, type, query, totals));
                    }
                }
            }
        }
        return totals;
    }

    private static boolean matches(Map<String, Set<String>> filters, String key, String value) {
        var allowed = filters.get(key);
        if (allowed == null) {
            return true;
        }
        return allowed.contains(CASE_INSENSITIVE.contains(key) ? value.toLowerCase(Locale.ROOT) : value);
    }

    private static void add(DownloadEvent event, LocalDate period, String type, Query query, Map<Row, Totals> totals) {
        var values = new HashMap<String, String>();
        values.put("action", DOWNLOAD);
        values.put("artifact_path", text(event.path()));
        values.put("ip", text(event.ip()));
        values.put("package_type", type);
        values.put("repo_type", type);
        values.put("repository", text(event.repo()));
        values.put("username", username(text(event.user())));
        values.put("subject", text(event.subject()));
        values.put("package", text(event.pkg()));
        values.put("version", text(event.version()));
        for (var filter : query.filters().entrySet()) {
            if (!matches(query.filters(), filter.getKey(), values.get(filter.getKey()))) {
                return;
            }
        }
        var group = query.groupBy().stream().map(values::get).toList();
        var sum = totals.computeIfAbsent(new Row(period, group), row -> new Totals());
        sum.downloads++;
        sum.bytes += event.bytesSent();
    }

    /** A field as the CSV log line shows it: absent is empty. */
    private static String text(String value) {
        return value == null ? "" : value;
    }

    /** The user of a download is {@code name} or {@code name:callback_id} for signed URLs; the name is the user. */
    private static String username(String user) {
        int colon = user.indexOf(':');
        return colon < 0 ? user : user.substring(0, colon);
    }

    // --- the CSV ------------------------------------------------------------------------------

    private static String render(Query query, Map<Row, Totals> totals) {
        Comparator<Map.Entry<Row, Totals>> byGroup = (left, right) -> compare(left.getKey().group(), right.getKey().group());
        var top = totals.entrySet().stream()
                .sorted(Comparator.<Map.Entry<Row, Totals>>comparingLong(entry -> entry.getValue().bytes).reversed()
                        .thenComparing(Comparator.<Map.Entry<Row, Totals>>comparingLong(entry -> entry.getValue().downloads)
                                .reversed())
                        .thenComparing(entry -> entry.getKey().period())
                        .thenComparing(byGroup))
                .limit(query.samples())
                .sorted(Comparator.<Map.Entry<Row, Totals>, LocalDate>comparing(entry -> entry.getKey().period())
                        .thenComparing(Comparator.<Map.Entry<Row, Totals>>comparingLong(entry -> entry.getValue().bytes)
                                .reversed())
                        .thenComparing(byGroup))
                .toList();
        try {
            var out = new StringWriter();
            try (var printer = new CSVPrinter(out, OUT_CSV)) {
                var header = new ArrayList<String>();
                header.add(query.granularity() == Granularity.DAY ? "day" : "month");
                header.addAll(query.groupBy());
                header.add("downloads");
                header.add("bytes");
                printer.printRecord(header);
                for (var entry : top) {
                    var record = new ArrayList<Object>();
                    record.add(entry.getKey().period().atStartOfDay(ZoneOffset.UTC).toInstant().toString());
                    record.addAll(entry.getKey().group());
                    record.add(entry.getValue().downloads);
                    record.add(entry.getValue().bytes);
                    printer.printRecord(record);
                }
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int compare(List<String> left, List<String> right) {
        for (int i = 0; i < left.size(); i++) {
            int order = String.valueOf(left.get(i)).compareTo(String.valueOf(right.get(i)));
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }
}
