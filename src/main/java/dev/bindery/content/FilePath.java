package dev.bindery.content;

import dev.bindery.BinderyException;
import java.util.ArrayList;
import java.util.List;

/**
 * A file's path inside a repository, checked so it can never leave it: no {@code .} or {@code ..}
 * segments, no backslashes, NULs or other control characters. Doubled slashes and a leading slash
 * are folded away, as real clients send both.
 */
public record FilePath(String value) {

    public static final int MAX_LENGTH = 1024;
    private static final int MAX_SEGMENT = 255;

    public FilePath {
        value = normalize(value);
    }

    public static FilePath of(String raw) {
        return new FilePath(raw);
    }

    /** The last segment. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The folder the file is in, empty for the repository root. */
    public String parent() {
        int slash = value.lastIndexOf('/');
        return slash < 0 ? "" : value.substring(0, slash);
    }

    /** {@code child} resolved below this path's folder, checked like any other path. */
    public FilePath sibling(String child) {
        var folder = parent();
        return new FilePath(folder.isEmpty() ? child : folder + "/" + child);
    }

    public List<String> segments() {
        return List.of(value.split("/"));
    }

    /**
     * Whether {@code segment} means "this folder" or "its parent" to some server: {@code .} and
     * {@code ..}, also with a path parameter ({@code ..;x}), which servlet containers read as {@code ..}.
     */
    public static boolean isDotSegment(String segment) {
        if (segment == null) {
            return false;
        }
        int semicolon = segment.indexOf(';');
        var name = semicolon < 0 ? segment : segment.substring(0, semicolon);
        return name.equals(".") || name.equals("..");
    }

    private static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw BinderyException.badRequest("File path is missing");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                throw BinderyException.badRequest("File path must not contain backslashes");
            }
            if (c < 0x20 || c == 0x7f) {
                throw BinderyException.badRequest("File path must not contain control characters");
            }
        }
        var segments = new ArrayList<String>();
        for (var segment : raw.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (isDotSegment(segment)) {
                throw BinderyException.badRequest("File path must not contain '.' or '..' segments");
            }
            if (segment.length() > MAX_SEGMENT) {
                throw BinderyException.badRequest("File path segment is longer than " + MAX_SEGMENT + " characters");
            }
            segments.add(segment);
        }
        if (segments.isEmpty()) {
            throw BinderyException.badRequest("File path is missing");
        }
        var joined = String.join("/", segments);
        if (joined.length() > MAX_LENGTH) {
            throw BinderyException.badRequest("File path is longer than " + MAX_LENGTH + " characters");
        }
        return joined;
    }

    @Override
    public String toString() {
        return value;
    }
}
