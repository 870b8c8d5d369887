package dev.bindery.content;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Inputs of the content API, as clients send them (snake_case JSON). For updates, a null field
 * means "leave as is".
 */
public final class Requests {

    private Requests() {
    }

    public record CreateRepositoryRequest(
            String name,
            String type,
            @JsonProperty("private") Boolean isPrivate,
            Boolean premium,
            String businessUnit,
            String desc,
            List<String> labels,
            Boolean gpgSignMetadata,
            Boolean gpgSignFiles,
            Boolean gpgUseOwnerKey,
            Integer versionUpdateMaxDays,
            String defaultDebianDistribution,
            String defaultDebianComponent,
            String defaultDebianArchitecture,
            Integer yumMetadataDepth,
            String yumGroupsFile) {
    }

    public record UpdateRepositoryRequest(
            String businessUnit,
            String desc,
            List<String> labels,
            Boolean gpgSignMetadata,
            Boolean gpgSignFiles,
            Boolean gpgUseOwnerKey,
            Integer versionUpdateMaxDays) {
    }

    public record CreatePackageRequest(
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
            Boolean publicDownloadNumbers,
            Boolean publicStats) {
    }

    public record UpdatePackageRequest(
            String desc,
            List<String> labels,
            List<String> licenses,
            List<String> customLicenses,
            String vcsUrl,
            String websiteUrl,
            String issueTrackerUrl,
            String githubRepo,
            String githubReleaseNotesFile,
            Boolean publicDownloadNumbers,
            Boolean publicStats) {
    }

    public record CreateVersionRequest(
            String name,
            String released,
            String desc,
            String githubReleaseNotesFile,
            Boolean githubUseTagReleaseNotes,
            String vcsTag) {
    }

    public record UpdateVersionRequest(
            String desc,
            String githubReleaseNotesFile,
            Boolean githubUseTagReleaseNotes,
            String vcsTag,
            String released) {
    }

    /** Publish or discard a version's unpublished files; {@code publishWaitForSecs} -1 waits the maximum. */
    public record PublishRequest(Boolean discard, Integer publishWaitForSecs) {
    }
}
