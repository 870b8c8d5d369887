package dev.bindery.events;

import java.util.Locale;

/** What a domain event is about; {@link #wire} is its {@code type} in the firehose and webhooks. */
public enum EventType {
    UPLOAD,
    DOWNLOAD,
    DELETE,
    LOGIN_SUCCESS,
    LOGIN_FAILURE,
    VERSION_PUBLISHED,
    THRESHOLD_EXCEEDED;

    /** The Stream API's name: {@code upload}, {@code login_failure}, ... */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code wire}, as {@link #wire} writes it. */
    public static EventType fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
