package dev.bindery.formats.rpm;

import java.util.List;

/**
 * Renders one package's entries of {@code primary.xml}, {@code filelists.xml} and {@code other.xml}
 * byte for byte as {@code createrepo_c} writes them (libxml2's two-space indentation and escaping),
 * except for what belongs to the stored file rather than the RPM: its checksum (the package id),
 * upload time, size and location. Those are filled in when the index is put together, so a rebuild
 * only concatenates. Stateless.
 */
final class YumXml {

    static final String PRIMARY_START = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\""
            + " packages=\"";
    static final String PRIMARY_END = "</metadata>";
    static final String FILELISTS_START = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"";
    static final String FILELISTS_END = "</filelists>";
    static final String OTHER_START = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\"";
    static final String OTHER_END = "</otherdata>";

    private YumXml() {
    }

    /**
     * The package's pre-rendered entries.
     *
     * @param primary   the {@code <package>} element of primary.xml cut where the file's own values go:
     *                  [0] up to the checksum, [1] up to the file time, [2] up to the package size,
     *                  [3] up to the location href, [4] the rest
     * @param filelists the filelists.xml entry after {@code <package pkgid="...">}'s pkgid value
     * @param other     the other.xml entry after {@code <package pkgid="...">}'s pkgid value
     */
    record Fragments(List<String> primary, String filelists, String other) {
    }

    static Fragments render(RpmPackage rpm) {
        var version = "<version epoch=\"" + rpm.epoch() + "\" ver=\"" + attr(rpm.version()) + "\" rel=\""
                + attr(rpm.release()) + "\"/>\n";
        var head = "<package type=\"rpm\">\n  <name>" + text(rpm.name()) + "</name>\n  <arch>" + text(rpm.arch())
                + "</arch>\n  " + version;
        var middle = "  <summary>" + text(rpm.summary()) + "</summary>\n"
                + "  <description>" + text(rpm.description()) + "</description>\n"
                + "  <packager>" + text(rpm.packager()) + "</packager>\n"
                + "  <url>" + text(rpm.url()) + "</url>\n"
                + "  <time file=\"";
        var afterFileTime = "\" build=\"" + rpm.buildTime() + "\"/>\n  <size package=\"";
        var afterSize = "\" installed=\"" + rpm.installedSize() + "\" archive=\"" + rpm.archiveSize()
                + "\"/>\n  <location href=\"";
        var format = new StringBuilder(1024);
        format.append("\"/>\n  <format>\n")
                .append("    <rpm:license>").append(text(rpm.license())).append("</rpm:license>\n")
                .append("    <rpm:vendor>").append(text(rpm.vendor())).append("</rpm:vendor>\n")
                .append("    <rpm:group>").append(text(rpm.group())).append("</rpm:group>\n")
                .append("    <rpm:buildhost>").append(text(rpm.buildhost())).append("</rpm:buildhost>\n")
                .append("    <rpm:sourcerpm>").append(text(rpm.sourcerpm())).append("</rpm:sourcerpm>\n")
                .append("    <rpm:header-range start=\"").append(rpm.headerStart()).append("\" end=\"")
                .append(rpm.headerEnd()).append("\"/>\n");
        dependencies(format, "provides", rpm.provides());
        dependencies(format, "requires", rpm.requires());
        dependencies(format, "conflicts", rpm.conflicts());
        dependencies(format, "obsoletes", rpm.obsoletes());
        dependencies(format, "suggests", rpm.suggests());
        dependencies(format, "enhances", rpm.enhances());
        dependencies(format, "recommends", rpm.recommends());
        dependencies(format, "supplements", rpm.supplements());
        for (var file : rpm.files()) {
            if (isPrimaryFile(file.path())) {
                file(format, "    ", file);
            }
        }
        format.append("  </format>\n</package>\n");

        var packageAttributes = "\" name=\"" + attr(rpm.name()) + "\" arch=\"" + attr(rpm.arch()) + "\">\n  " + version;
        var filelists = new StringBuilder(packageAttributes);
        for (var file : rpm.files()) {
            file(filelists, "  ", file);
        }
        filelists.append("</package>\n");
        var other = new StringBuilder(packageAttributes);
        for (var entry : rpm.changelog()) {
            other.append("  <changelog author=\"").append(attr(entry.author())).append("\" date=\"").append(entry.date())
                    .append("\">").append(text(entry.text())).append("</changelog>\n");
        }
        other.append("</package>\n");
        return new Fragments(List.of(head, middle, afterFileTime, afterSize, format.toString()), filelists.toString(),
                other.toString());
    }

    /** Files createrepo_c lists in primary.xml too: configuration, programs and sendmail. */
    static boolean isPrimaryFile(String path) {
        return path.startsWith("/etc/") || path.contains("bin/") || path.equals("/usr/lib/sendmail");
    }

    private static void file(StringBuilder out, String indent, RpmPackage.PackageFile file) {
        out.append(indent).append(switch (file.type()) {
            case "dir" -> "<file type=\"dir\">";
            case "ghost" -> "<file type=\"ghost\">";
            default -> "<file>";
        }).append(text(file.path())).append("</file>\n");
    }

    private static void dependencies(StringBuilder out, String element, List<RpmPackage.Dependency> dependencies) {
        if (dependencies.isEmpty()) {
            return;
        }
        out.append("    <rpm:").append(element).append(">\n");
        for (var dependency : dependencies) {
            out.append("      <rpm:entry name=\"").append(attr(dependency.name())).append('"');
            if (dependency.flags() != null) {
                out.append(" flags=\"").append(dependency.flags()).append('"');
                optional(out, "epoch", dependency.epoch());
                optional(out, "ver", dependency.version());
                optional(out, "rel", dependency.release());
            }
            if (dependency.pre()) {
                out.append(" pre=\"1\"");
            }
            out.append("/>\n");
        }
        out.append("    </rpm:").append(element).append(">\n");
    }

    private static void optional(StringBuilder out, String attribute, String value) {
        if (value != null && !value.isEmpty()) {
            out.append(' ').append(attribute).append("=\"").append(attr(value)).append('"');
        }
    }

    /** Text content as libxml2 escapes it; characters XML cannot hold become '?'. Null is empty. */
    static String text(String value) {
        return escape(value, false);
    }

    /** An attribute value as libxml2 escapes it. Null is empty. */
    static String attr(String value) {
        return escape(value, true);
    }

    private static String escape(String value, boolean attribute) {
        if (value == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '\r' -> "&#13;";
                case '"' -> attribute ? "&quot;" : null;
                case '\n' -> attribute ? "&#10;" : null;
                case '\t' -> attribute ? "&#9;" : null;
                default -> (c < 0x20 || c == 0xfffe || c == 0xffff) ? "?" : null;
            };
            if (replacement == null && Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (paired) {
                    if (out != null) {
                        out.append(c).append(value.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                replacement = "?";
            }
            if (replacement != null) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 16).append(value, 0, i);
                }
                out.append(replacement);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }
}
