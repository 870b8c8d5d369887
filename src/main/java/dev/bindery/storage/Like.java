package dev.bindery.storage;

/** Builds SQL {@code LIKE} patterns from user input, for use with {@link #ESCAPE}. */
public final class Like {

    /**
     * What follows {@code LIKE :pattern}: backslash as the escape character. Spelled {@code CHR(92)},
     * not {@code '\'}, because JDBI's statement lexer reads {@code \'} as an escaped quote, so two
     * {@code ESCAPE '\'} clauses in one statement hide the named parameters between them.
     */
    public static final String ESCAPE = " ESCAPE CHR(92)";

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
