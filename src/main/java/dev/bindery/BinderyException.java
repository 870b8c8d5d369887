package dev.bindery;

/**
 * The one exception domain code throws for an expected failure. The web layer maps its
 * {@link Kind} to an HTTP status in one place and writes {@code {"message": "..."}}.
 * Messages name the thing that failed, e.g. {@code Package 'alice/generic/tool' was not found}.
 */
public final class BinderyException extends RuntimeException {

    /** What went wrong, independent of HTTP; {@code web} maps each kind to a status. */
    public enum Kind {
        BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, TIMEOUT, TOO_MANY_REQUESTS, TOO_LARGE
    }

    private final Kind kind;

    public BinderyException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static BinderyException badRequest(String message) {
        return new BinderyException(Kind.BAD_REQUEST, message);
    }

    public static BinderyException unauthorized(String message) {
        return new BinderyException(Kind.UNAUTHORIZED, message);
    }

    public static BinderyException forbidden(String message) {
        return new BinderyException(Kind.FORBIDDEN, message);
    }

    public static BinderyException notFound(String message) {
        return new BinderyException(Kind.NOT_FOUND, message);
    }

    public static BinderyException conflict(String message) {
        return new BinderyException(Kind.CONFLICT, message);
    }

    public static BinderyException timeout(String message) {
        return new BinderyException(Kind.TIMEOUT, message);
    }

    public static BinderyException tooManyRequests(String message) {
        return new BinderyException(Kind.TOO_MANY_REQUESTS, message);
    }

    public static BinderyException tooLarge(String message) {
        return new BinderyException(Kind.TOO_LARGE, message);
    }
}
