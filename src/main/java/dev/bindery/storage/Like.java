package dev.bindery.storage;

/** Builds SQL {@code LIKE} patterns from user input, for use with {@code ESCAPE '\'}. */
public final class Like {

    private Like() {
    }

    /** Escapes {@code %}, {@code _} and the escape character itself, so they match literally. */
    public static String escape(String literal) {
        return literal.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * Turns a wildcard pattern with {@code *} (any run) and {@code ?} (one character) into a LIKE
     * pattern; everything else matches literally.
     */
    public static String fromWildcard(String wildcard) {
        var out = new StringBuilder(wildcard.length() + 8);
        for (char c : wildcard.toCharArray()) {
            switch (c) {
                case '*' -> out.append('%');
                case '?' -> out.append('_');
                case '%', '_', '\\' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
