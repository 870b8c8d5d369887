package dev.bindery.analytics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
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
        return event.ip() + " - " + event.user() + " [" + APACHE_TIME.format(Instant.ofEpochMilli(event.timeMillis()))
                + "] \"" + event.method() + " /" + event.subject() + "/" + event.repo() + "/" + event.path()
                + " HTTP/1.1\" " + event.status() + " " + event.bytesSent() + " \"" + quoted(event.referrer()) + "\" \""
                + quoted(event.userAgent()) + "\"\n";
    }

    /** Apache quoting: the fields are between double quotes, so quotes and backslashes are escaped. */
    private static String quoted(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        var out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    public static String csvHeader() {
        return record((Object[]) CSV_HEADER);
    }

    public static String csv(DownloadEvent event) {
        return record(ISO_TIME.format(Instant.ofEpochMilli(event.timeMillis())), event.ip(), event.user(),
                event.subject(), event.repo(), event.pkg(), event.version(), event.path(), event.method(),
                event.status(), event.bytesSent(), event.range(), event.userAgent(), event.referrer(), event.country(),
                event.region(), event.city(), event.postalCode(), event.latitude(), event.longitude(),
                event.organization(), event.asn(), event.os(), event.client());
    }

    private static String record(Object... values) {
        try {
            var out = new StringBuilder(256);
            CSV.printRecord(out, values);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
