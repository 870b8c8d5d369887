package dev.bindery.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.commons.csv.CSVFormat;

/**
 * One download as a line of a download log file, in Bintray's two formats:
 *
 * <ul>
 *   <li>Apache-style, exactly as Bintray documented it (note its ISO time stamp):
 *       {@code 82.102.172.26 - anonymous:user254 [2014-11-14T23:50:10.207 +0000] "GET /subject/repo/path HTTP/1.1" 200 1234 "referrer" "user-agent"};</li>
 *   <li>CSV with a header row and every enriched field.</li>
 * </ul>
 */
public final class LogLines {

    private static final DateTimeFormatter APACHE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS Z").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The CSV columns, in order. */
    public static final String[] CSV_HEADER = {"time", "ip", "user", "subject", "repo", "package", "version", "path",
        "method", "status", "bytes", "range", "user_agent", "referrer", "country", "region", "city", "zip",
        "latitude", "longitude", "organization", "asn", "os", "client"};

    private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();

    private LogLines() {
    }

    public static String apache(DownloadEvent event) {
        return apache(event, new StringBuilder(256)).toString();
    }

    /** Appends the event's Apache-style line to {@code out}: a file's lines are built in one buffer. */
    public static StringBuilder apache(DownloadEvent event, StringBuilder out) {
        out.append(event.ip()).append(" - ").append(event.user()).append(" [");
        time(out, event.timeMillis(), " +0000");
        out.append("] \"").append(event.method()).append(" /").append(event.subject()).append('/')
                .append(event.repo()).append('/').append(event.path()).append(" HTTP/1.1\" ").append(event.status())
                .append(' ').append(event.bytesSent()).append(" \"");
        quoted(out, event.referrer());
        out.append("\" \"");
        quoted(out, event.userAgent());
        return out.append("\"\n");
    }

    /** Apache quoting: the fields are between double quotes, so quotes and backslashes are escaped. */
    private static void quoted(StringBuilder out, String value) {
        if (value == null || value.isEmpty()) {
            out.append('-');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    public static String csvHeader() {
        return record((Object[]) CSV_HEADER);
    }

    public static String csv(DownloadEvent event) {
        return csv(event, new StringBuilder(256)).toString();
    }

    /**
     * Appends the event's CSV record to {@code out}. Values are appended as they are while none needs
     * quoting, which is almost always; otherwise the record is written again through commons-csv.
     */
    public static StringBuilder csv(DownloadEvent event, StringBuilder out) {
        int start = out.length();
        time(out, event.timeMillis(), "Z");
        char first = out.charAt(start);
        if (first >= '0' && first <= '9' && plain(out, event.ip()) && plain(out, event.user())
                && plain(out, event.subject()) && plain(out, event.repo()) && plain(out, event.pkg())
                && plain(out, event.version()) && plain(out, event.path()) && plain(out, event.method())
                && number(out, event.status()) && number(out, event.bytesSent()) && plain(out, event.range())
                && plain(out, event.userAgent()) && plain(out, event.referrer()) && plain(out, event.country())
                && plain(out, event.region()) && plain(out, event.city()) && plain(out, event.postalCode())
                && number(out, event.latitude()) && number(out, event.longitude())
                && plain(out, event.organization()) && number(out, event.asn()) && plain(out, event.os())
                && plain(out, event.client())) {
            return out.append('\n');
        }
        out.setLength(start);
        return out.append(csvRecord(time(event.timeMillis(), "Z"), event.ip(), event.user(),
                event.subject(), event.repo(), event.pkg(), event.version(), event.path(), event.method(),
                event.status(), event.bytesSent(), event.range(), event.userAgent(), event.referrer(), event.country(),
                event.region(), event.city(), event.postalCode(), event.latitude(), event.longitude(),
                event.organization(), event.asn(), event.os(), event.client()));
    }

    /**
     * Appends a comma and the value if it needs no quoting; false (and nothing sure appended)
     * otherwise. Text only: numbers never need quoting, and go through {@link #number} unboxed.
     */
    private static boolean plain(StringBuilder out, String value) {
        if (value == null) {
            out.append(',');
            return true;
        }
        if (!needsNoQuotes(value, false)) {
            return false;
        }
        out.append(',').append(value);
        return true;
    }

    /** A comma and the number; true, since a number never needs quoting (so it chains with {@link #plain}). */
    private static boolean number(StringBuilder out, long value) {
        out.append(',').append(value);
        return true;
    }

    /** A comma and the number, or nothing after the comma when there is none; true, as above. */
    private static boolean number(StringBuilder out, Number value) {
        out.append(',');
        if (value instanceof Long whole) {
            out.append(whole.longValue());
        } else if (value != null) {
            out.append(value.doubleValue());
        }
        return true;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss.SSS} and the zone, as the formatters above write it, several times
     * faster: the log files format two time stamps for every download.
     */
    static String time(long millis, String zone) {
        return time(new StringBuilder(29), millis, zone).toString();
    }

    private static StringBuilder time(StringBuilder out, long millis, String zone) {
        var at = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), 0, ZoneOffset.UTC);
        if (at.getYear() < 1000 || at.getYear() > 9999) {
            return out.append((zone.equals("Z") ? ISO_TIME : APACHE_TIME).format(Instant.ofEpochMilli(millis)));
        }
        out.append(at.getYear()).append('-');
        twoDigits(out, at.getMonthValue()).append('-');
        twoDigits(out, at.getDayOfMonth()).append('T');
        twoDigits(out, at.getHour()).append(':');
        twoDigits(out, at.getMinute()).append(':');
        twoDigits(out, at.getSecond()).append('.');
        int fraction = (int) Math.floorMod(millis, 1000);
        return out.append((char) ('0' + fraction / 100)).append((char) ('0' + fraction / 10 % 10))
                .append((char) ('0' + fraction % 10)).append(zone);
    }

    private static StringBuilder twoDigits(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static String record(Object... values) {
        // Most records need no quoting at all: write them directly. Any value that commons-csv's
        // minimal quoting would quote (or might: the test is stricter) sends the record through it.
        var plain = new StringBuilder(256);
        for (int i = 0; i < values.length; i++) {
            var text = values[i] == null ? "" : values[i].toString();
            if (!needsNoQuotes(text, i == 0)) {
                return csvRecord(values);
            }
            plain.append(i == 0 ? "" : ",").append(text);
        }
        return plain.append('\n').toString();
    }

    private static boolean needsNoQuotes(String text, boolean first) {
        if (text.isEmpty()) {
            return !first;
        }
        char start = text.charAt(0);
        if (start <= '#' || (first && !(start >= '0' && start <= '9' || start >= 'A' && start <= 'Z'
                || start >= 'a' && start <= 'z')) || text.charAt(text.length() - 1) <= ' ') {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '"' || c == '\r' || c == '\n' || c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static String csvRecord(Object... values) {
        try {
            var out = new StringBuilder(256);
            CSV.printRecord(out, values);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
