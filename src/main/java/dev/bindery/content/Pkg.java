package dev.bindery.content;

import java.time.Instant;
import java.util.List;

/** A package in a repository ({@code Pkg}, since {@code Package} is taken by java.lang). */
public record Pkg(
        long id,
        long repositoryId,
        String name,
        String desc,
        List<String> labels,
        List<String> licenses,
        List<String> customLicenses,
        String vcsUrl,
        String websiteUrl,
        String issueTrackerUrl,
        String githubRepo,
        String githubReleaseNotesFile,
        boolean publicDownloadNumbers,
        boolean publicStats,
        Instant created,
        Instant updated) {
}
