package dev.bindery;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/**
 * Bintray's time format, ISO 8601 as {@code yyyy-MM-dd'T'HH:mm:ss.SSSZ} in UTC, written as
 * {@code 2019-07-07T10:00:00.000Z}. Parsing is liberal: any ISO 8601 offset form, {@code +0000}
 * offsets, or a plain {@code yyyy-MM-dd} (midnight UTC).
 */
public final class Times {

    private static final DateTimeFormatter OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter IN = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private Times() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : OUT.format(instant);
    }

    /** Parses {@code value} of the field {@code field}, or fails with a 400 naming the field. */
    public static Instant parse(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        var text = value.trim();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            var parsed = IN.parseBest(text, OffsetDateTime::from, java.time.LocalDateTime::from);
            if (parsed instanceof OffsetDateTime offset) {
                return offset.toInstant();
            }
            return ((java.time.LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw BinderyException.badRequest("Field '" + field + "' must be an ISO 8601 date"
                    + " (yyyy-MM-dd'T'HH:mm:ss.SSSZ or yyyy-MM-dd), not '" + value + "'");
        }
    }
}
