package dev.bindery.content;

import java.time.Instant;

/**
 * A version of a package.
 *
 * @param published when its first file was published, or null; the 180-day windows count from here
 */
public record Version(
        long id,
        long packageId,
        String name,
        String desc,
        int ordinal,
        String githubReleaseNotesFile,
        boolean githubUseTagReleaseNotes,
        String vcsTag,
        Instant created,
        Instant updated,
        Instant released,
        Instant published) {
}
