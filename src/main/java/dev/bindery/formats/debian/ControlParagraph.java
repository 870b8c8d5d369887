package dev.bindery.formats.debian;

import dev.bindery.BinderyException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The first paragraph of a Debian control file (deb-control(5)): fields in the order written, each
 * value as written after the colon, continuation lines joined with "\n" and kept with their leading
 * space. Immutable.
 */
record ControlParagraph(Map<String, String> fields) {

    /** The fields an index adds for the file itself; a control file's own copies are dropped. */
    static final Set<String> FILE_FIELDS = Set.of("filename", "size", "md5sum", "sha1", "sha256", "sha512");

    private static final int MAX_FIELDS = 512;

    ControlParagraph {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    String get(String name) {
        for (var field : fields.entrySet()) {
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    /**
     * Parses the first paragraph of {@code text}.
     *
     * @param what names the file in messages, e.g. {@code 'hello_1.0_amd64.deb'}
     * @throws BinderyException badRequest naming the problem
     */
    static ControlParagraph parse(String text, String what) {
        var fields = new LinkedHashMap<String, String>();
        var seen = new java.util.HashSet<String>();
        String name = null;
        var value = new StringBuilder();
        int lineNumber = 0;
        for (var line : text.split("\n", -1)) {
            lineNumber++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                if (name != null) {
                    break;
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (name == null) {
                    throw bad(what, "line " + lineNumber + " of its control file continues no field");
                }
                value.append('\n').append(line);
                continue;
            }
            if (name != null) {
                fields.put(name, value.toString());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw bad(what, "line " + lineNumber + " of its control file is not a 'Field: value' line");
            }
            name = line.substring(0, colon);
            if (!validName(name)) {
                throw bad(what, "its control file has a field with an invalid name '" + printable(name) + "'");
            }
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw bad(what, "its control file has the field '" + name + "' twice");
            }
            if (seen.size() > MAX_FIELDS) {
                throw bad(what, "its control file has more than " + MAX_FIELDS + " fields");
            }
            value.setLength(0);
            value.append(line.substring(colon + 1).strip());
        }
        if (name != null) {
            fields.put(name, value.toString());
        }
        var paragraph = new ControlParagraph(fields);
        for (var required : new String[] {"Package", "Version", "Architecture"}) {
            var found = paragraph.get(required);
            if (found == null || found.isBlank()) {
                throw bad(what, "its control file has no " + required + " field");
            }
            if (found.contains("\n") || found.chars().anyMatch(Character::isWhitespace)) {
                throw bad(what, "its control file's " + required + " field must be one word, not '"
                        + printable(found) + "'");
            }
        }
        return paragraph;
    }

    /** The paragraph as an index writes it, without the fields the index adds for the file; ends with "\n". */
    String render() {
        var out = new StringBuilder(256);
        for (var field : fields.entrySet()) {
            if (FILE_FIELDS.contains(field.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            out.append(field.getKey()).append(':');
            if (!field.getValue().isEmpty() && field.getValue().charAt(0) != '\n') {
                out.append(' ');
            }
            out.append(field.getValue()).append('\n');
        }
        return out.toString();
    }

    private static boolean validName(String name) {
        if (name.startsWith("-")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~' || c == ':') {
                return false;
            }
        }
        return true;
    }

    private static String printable(String value) {
        var shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    static BinderyException bad(String what, String problem) {
        return BinderyException.badRequest(what + " is not a valid Debian package: " + problem);
    }
}
