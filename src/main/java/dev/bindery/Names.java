package dev.bindery;

import java.util.regex.Pattern;

/**
 * Validation of the names clients choose: subjects, repositories, packages and versions. Each
 * check says what is wrong, so a 400 tells the client how to fix its request.
 */
public final class Names {

    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    // Bintray package names were often Maven coordinates, "group:artifact".
    private static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+-]*");
    // Debian (1:2.0~rc1) and semver build metadata (1.0+abc) need ':', '~' and '+'.
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+~-]*");

    private Names() {
    }

    public static String subject(String name) {
        return check("Subject", name, 64, SUBJECT, "'.', '_' and '-'");
    }

    public static String repository(String name) {
        return check("Repository", name, 64, REPOSITORY, "'.', '_' and '-'");
    }

    public static String pkg(String name) {
        return check("Package", name, 128, PACKAGE, "'.', '_', ':', '+' and '-'");
    }

    public static String version(String name) {
        return check("Version", name, 128, VERSION, "'.', '_', ':', '+', '~' and '-'");
    }

    private static String check(String what, String name, int maxLength, Pattern allowed, String punctuation) {
        if (name == null || name.isEmpty()) {
            throw BinderyException.badRequest(what + " name is missing");
        }
        if (name.length() > maxLength) {
            throw BinderyException.badRequest(what + " name '" + abbreviate(name) + "' is longer than "
                    + maxLength + " characters");
        }
        if (!allowed.matcher(name).matches()) {
            throw BinderyException.badRequest(what + " name '" + abbreviate(name)
                    + "' may only contain letters, digits, " + punctuation
                    + ", and must start with a letter or digit");
        }
        return name;
    }

    private static String abbreviate(String name) {
        var printable = name.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
