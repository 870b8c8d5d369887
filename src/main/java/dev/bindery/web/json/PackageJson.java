package dev.bindery.web.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.bindery.Times;
import dev.bindery.content.Views.PackageView;
import java.util.List;
import java.util.Map;

/**
 * Get Package. Publisher-only fields are left out for other callers; {@code attribute_names} is
 * replaced by {@code attributes} when {@code attribute_values=1}.
 */
public record PackageJson(
        String name,
        String repo,
        String owner,
        String desc,
        List<String> labels,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> attributeNames,
        List<String> licenses,
        List<String> customLicenses,
        int followersCount,
        String created,
        String websiteUrl,
        int rating,
        String issueTrackerUrl,
        List<String> linkedToRepos,
        @JsonInclude(JsonInclude.Include.NON_NULL) String githubRepo,
        @JsonInclude(JsonInclude.Include.NON_NULL) String githubReleaseNotesFile,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean publicDownloadNumbers,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean publicStats,
        List<String> permissions,
        List<String> versions,
        String latestVersion,
        int ratingCount,
        List<String> systemIds,
        String updated,
        String vcsUrl,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, List<Object>> attributes) {

    public static PackageJson of(PackageView view, boolean attributeValues) {
        var pkg = view.pkg();
        boolean publisher = view.publisher();
        return new PackageJson(pkg.name(), view.repository().name(), view.repository().owner().name(), pkg.desc(),
                pkg.labels(), attributeValues ? null : List.of(), pkg.licenses(), pkg.customLicenses(), view.followers(),
                Times.format(pkg.created()), pkg.websiteUrl(), 0, pkg.issueTrackerUrl(), List.of(),
                publisher ? nullToEmpty(pkg.githubRepo()) : null,
                publisher ? nullToEmpty(pkg.githubReleaseNotesFile()) : null,
                publisher ? pkg.publicDownloadNumbers() : null,
                publisher ? pkg.publicStats() : null,
                List.of(), view.versions(), view.latestVersion(), 0, List.of(), Times.format(pkg.updated()),
                pkg.vcsUrl(), attributeValues ? Map.of() : null);
    }

    static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
