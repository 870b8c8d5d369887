package dev.bindery.formats.rpm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.packager.rpm.RpmBaseTag;
import org.eclipse.packager.rpm.RpmSignatureTag;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.parse.InputHeader;

/**
 * What the YUM index needs of one RPM, read from its headers the way {@code createrepo_c} reads
 * them, so the metadata clients see is the same: {@code rpmlib(...)} requirements, requirements the
 * package itself provides and duplicates are left out, {@code pre} marks requirements of the
 * pre/post scriptlets, and only the newest {@value #CHANGELOG_LIMIT} changelog entries are kept,
 * oldest first. Dependency flags are {@code LT}, {@code GT}, {@code EQ}, {@code LE}, {@code GE} or null.
 *
 * @param headerStart byte offset of the header in the file ({@code <rpm:header-range start>})
 * @param headerEnd   byte offset just past the header
 */
record RpmPackage(
        String name, long epoch, String version, String release, String arch,
        String summary, String description, String license, String url, String vendor, String group,
        String buildhost, String sourcerpm, String packager,
        long buildTime, long installedSize, long archiveSize, long headerStart, long headerEnd,
        List<Dependency> provides, List<Dependency> requires, List<Dependency> conflicts,
        List<Dependency> obsoletes, List<Dependency> suggests, List<Dependency> enhances,
        List<Dependency> recommends, List<Dependency> supplements,
        List<PackageFile> files, List<ChangelogEntry> changelog) {

    static final int CHANGELOG_LIMIT = 10;

    /** A capability: name, comparison flags and the epoch, version and release compared with. */
    record Dependency(String name, String flags, String epoch, String version, String release, boolean pre) {
    }

    /** @param type "file", "dir" or "ghost" */
    record PackageFile(String path, String type) {
    }

    /** @param date seconds since the epoch */
    record ChangelogEntry(String author, long date, String text) {
    }

    private static final int SOURCE_PACKAGE_TAG = 1106;
    private static final long SENSE_PREREQ = 1 << 6;
    private static final long SENSE_SCRIPT_PRE = 1 << 9;
    private static final long SENSE_SCRIPT_POST = 1 << 10;
    private static final int FILE_GHOST = 1 << 6;

    /** Reads the package from its parsed headers. */
    static RpmPackage of(RpmHeaderReader.Headers headers) {
        var header = headers.header();
        var signature = headers.signature();
        var tags = new Tags<>(header);
        var signatureTags = new Tags<>(signature);
        boolean source = header.getRawTags().containsKey(SOURCE_PACKAGE_TAG);

        var files = files(tags);
        var fileNames = new HashSet<String>();
        files.forEach(file -> fileNames.add(file.path()));

        var provides = dependencies(tags, RpmTag.PROVIDE_NAME, RpmTag.PROVIDE_FLAGS, RpmTag.PROVIDE_VERSION);
        var provided = new HashSet<String>();
        provides.forEach(provide -> provided.add(provide.name()));

        long installed = tags.number(RpmTag.LONGSIZE, tags.number(RpmTag.SIZE, 0));
        long archive = signatureTags.number(RpmSignatureTag.LONGARCHIVESIZE,
                signatureTags.number(RpmSignatureTag.PAYLOAD_SIZE, 0));
        return new RpmPackage(
                tags.string(RpmTag.NAME), tags.number(RpmTag.EPOCH, 0), tags.string(RpmTag.VERSION),
                tags.string(RpmTag.RELEASE), source ? "src" : tags.string(RpmTag.ARCH),
                tags.string(RpmTag.SUMMARY), tags.string(RpmTag.DESCRIPTION), tags.string(RpmTag.LICENSE),
                tags.string(RpmTag.URL), tags.string(RpmTag.VENDOR), tags.string(RpmTag.GROUP),
                tags.string(RpmTag.BUILDHOST), tags.string(RpmTag.SOURCE_PACKAGE), tags.string(RpmTag.PACKAGER),
                tags.number(RpmTag.BUILDTIME, 0), installed, archive,
                header.getStart(), header.getStart() + header.getLength(),
                provides,
                requires(tags, fileNames, provided),
                dependencies(tags, RpmTag.CONFLICT_NAME, RpmTag.CONFLICT_FLAGS, RpmTag.CONFLICT_VERSION),
                dependencies(tags, RpmTag.OBSOLETE_NAME, RpmTag.OBSOLETE_FLAGS, RpmTag.OBSOLETE_VERSION),
                dependencies(tags, RpmTag.SUGGEST_NAME, RpmTag.SUGGEST_FLAGS, RpmTag.SUGGEST_VERSION),
                dependencies(tags, RpmTag.ENHANCE_NAME, RpmTag.ENHANCE_FLAGS, RpmTag.ENHANCE_VERSION),
                dependencies(tags, RpmTag.RECOMMEND_NAME, RpmTag.RECOMMEND_FLAGS, RpmTag.RECOMMEND_VERSION),
                dependencies(tags, RpmTag.SUPPLEMENT_NAME, RpmTag.SUPPLEMENT_FLAGS, RpmTag.SUPPLEMENT_VERSION),
                files, changelog(tags));
    }

    /** The full path, e.g. {@code /usr/bin/hello}. */
    private static List<PackageFile> files(Tags<RpmTag> tags) {
        var baseNames = tags.strings(RpmTag.BASENAMES);
        var dirNames = tags.strings(RpmTag.DIRNAMES);
        var dirIndexes = tags.numbers(RpmTag.DIR_INDEXES);
        var modes = tags.numbers(RpmTag.FILE_MODES);
        var flags = tags.numbers(RpmTag.FILE_FLAGS);
        var files = new ArrayList<PackageFile>(baseNames.size());
        for (int i = 0; i < baseNames.size(); i++) {
            int dirIndex = i < dirIndexes.length ? (int) dirIndexes[i] : -1;
            var dir = dirIndex >= 0 && dirIndex < dirNames.size() ? dirNames.get(dirIndex) : "";
            long mode = i < modes.length ? modes[i] & 0xffff : 0;
            long flag = i < flags.length ? flags[i] : 0;
            var type = (mode & 0xf000) == 0x4000 ? "dir" : (flag & FILE_GHOST) != 0 ? "ghost" : "file";
            files.add(new PackageFile(dir + baseNames.get(i), type));
        }
        return files;
    }

    private static List<Dependency> dependencies(Tags<RpmTag> tags, RpmTag nameTag, RpmTag flagsTag,
                                                 RpmTag versionTag) {
        var names = tags.strings(nameTag);
        var flags = tags.numbers(flagsTag);
        var versions = tags.strings(versionTag);
        var dependencies = new ArrayList<Dependency>(names.size());
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                continue;
            }
            dependencies.add(dependency(names.get(i), i < flags.length ? flags[i] : 0,
                    i < versions.size() ? versions.get(i) : "", false));
        }
        return dependencies;
    }

    /** Requirements as createrepo_c lists them (see the class comment). */
    private static List<Dependency> requires(Tags<RpmTag> tags, Set<String> fileNames, Set<String> provided) {
        var names = tags.strings(RpmTag.REQUIRE_NAME);
        var flags = tags.numbers(RpmTag.REQUIRE_FLAGS);
        var versions = tags.strings(RpmTag.REQUIRE_VERSION);
        var requires = new ArrayList<Dependency>(names.size());
        // The last requirement kept of each name, to leave out an exact repeat of it.
        record Seen(String flags, String version, boolean pre) {
        }
        Map<String, Seen> last = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            var name = names.get(i);
            long flag = i < flags.length ? flags[i] : 0;
            var version = i < versions.size() ? versions.get(i) : "";
            if (name.isEmpty() || name.startsWith("rpmlib(")
                    || (fileNames.contains(name) && YumXml.isPrimaryFile(name)) || provided.contains(name)) {
                continue;
            }
            boolean pre = (flag & (SENSE_PREREQ | SENSE_SCRIPT_PRE | SENSE_SCRIPT_POST)) != 0;
            var dependency = dependency(name, flag, version, pre);
            var seen = new Seen(dependency.flags(), version, pre);
            if (seen.equals(last.get(name))) {
                continue;
            }
            last.put(name, seen);
            requires.add(dependency);
        }
        return requires;
    }

    private static Dependency dependency(String name, long flags, String version, boolean pre) {
        String sense = switch ((int) (flags & 0xf)) {
            case 2 -> "LT";
            case 4 -> "GT";
            case 8 -> "EQ";
            case 10 -> "LE";
            case 12 -> "GE";
            default -> null;
        };
        if (version == null || version.isEmpty()) {
            return new Dependency(name, sense, null, null, null, pre);
        }
        String epoch = "0";
        var rest = version;
        int colon = version.indexOf(':');
        if (colon > 0 && version.substring(0, colon).chars().allMatch(Character::isDigit)) {
            epoch = version.substring(0, colon);
            rest = version.substring(colon + 1);
        }
        int dash = rest.lastIndexOf('-');
        var ver = dash < 0 ? rest : rest.substring(0, dash);
        var release = dash < 0 ? null : rest.substring(dash + 1);
        return new Dependency(name, sense, epoch, ver, release, pre);
    }

    /**
     * The newest {@link #CHANGELOG_LIMIT} entries, oldest first; entries sharing a time get the later
     * ones moved a second apart, as createrepo_c does, so clients can order them.
     */
    private static List<ChangelogEntry> changelog(Tags<RpmTag> tags) {
        var times = tags.numbers(RpmTag.CHANGELOG_TIMESTAMP);
        var authors = tags.strings(RpmTag.CHANGELOG_AUTHOR);
        var texts = tags.strings(RpmTag.CHANGELOG_TEXT);
        int count = Math.min(CHANGELOG_LIMIT, Math.min(times.length, Math.min(authors.size(), texts.size())));
        // Built newest-last, then reversed: index 0 is the oldest kept entry.
        var authorList = new ArrayList<String>();
        var dates = new long[count];
        var textList = new ArrayList<String>();
        long lastTime = 0;
        for (int i = 0; i < count; i++) {
            long time = times[i];
            authorList.add(0, authors.get(i).stripTrailing());
            textList.add(0, texts.get(i));
            System.arraycopy(dates, 0, dates, 1, i);
            dates[0] = time;
            if (lastTime == time) {
                long expected = time;
                for (int j = 1; j <= i && dates[j] == expected; j++) {
                    dates[j]++;
                    expected++;
                }
            } else {
                lastTime = time;
            }
        }
        var entries = new ArrayList<ChangelogEntry>(count);
        for (int i = 0; i < count; i++) {
            entries.add(new ChangelogEntry(authorList.get(i), dates[i], textList.get(i)));
        }
        return entries;
    }

    /** Typed access to a header's values, whatever shape the parser gave them. */
    private record Tags<T extends RpmBaseTag>(InputHeader<T> header) {

        String string(T tag) {
            var strings = strings(tag);
            return strings.isEmpty() ? null : strings.get(0);
        }

        List<String> strings(T tag) {
            var value = header.getValue(tag).orElse(null);
            if (value == null) {
                return List.of();
            }
            if (value instanceof String text) {
                return List.of(text);
            }
            if (value instanceof String[] texts) {
                return Arrays.asList(texts);
            }
            if (value instanceof Object[] objects) {
                return Arrays.stream(objects).map(String::valueOf).toList();
            }
            return List.of(String.valueOf(value));
        }

        long number(T tag, long fallback) {
            var numbers = numbers(tag);
            return numbers.length == 0 ? fallback : numbers[0];
        }

        /** Values of an integer tag; 32-bit values as unsigned, 16-bit ones as read (callers mask). */
        long[] numbers(T tag) {
            var value = header.getValue(tag).orElse(null);
            if (value == null) {
                return new long[0];
            }
            if (value instanceof Integer number) {
                return new long[] {Integer.toUnsignedLong(number)};
            }
            if (value instanceof Number number) {
                return new long[] {number.longValue()};
            }
            if (value instanceof int[] ints) {
                return Arrays.stream(ints).mapToLong(Integer::toUnsignedLong).toArray();
            }
            if (value instanceof long[] longs) {
                return longs;
            }
            if (value instanceof short[] shorts) {
                var result = new long[shorts.length];
                for (int i = 0; i < shorts.length; i++) {
                    result[i] = shorts[i];
                }
                return result;
            }
            if (value instanceof Object[] objects) {
                var result = new long[objects.length];
                for (int i = 0; i < objects.length; i++) {
                    result[i] = objects[i] instanceof Integer number ? Integer.toUnsignedLong(number)
                            : objects[i] instanceof Number number ? number.longValue() : 0;
                }
                return result;
            }
            throw new IllegalArgumentException("tag " + tag + " holds " + value.getClass().getSimpleName()
                    + ", not numbers");
        }
    }
}
