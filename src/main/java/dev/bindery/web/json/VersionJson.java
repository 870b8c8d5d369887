package dev.bindery.web.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bindery.Times;
import dev.bindery.content.Views.VersionView;
import java.util.List;
import java.util.Map;

/** Get Version. Publisher-only fields are left out for other callers. */
public record VersionJson(
        String name,
        String desc,
        @JsonProperty("package") String pkg,
        String repo,
        String owner,
        List<String> labels,
        boolean published,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> attributeNames,
        String created,
        String updated,
        String released,
        @JsonInclude(JsonInclude.Include.NON_NULL) String githubReleaseNotesFile,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean githubUseTagReleaseNotes,
        @JsonInclude(JsonInclude.Include.NON_NULL) String vcsTag,
        int ordinal,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, List<Object>> attributes) {

    public static VersionJson of(VersionView view, boolean attributeValues) {
        var version = view.version();
        boolean publisher = view.publisher();
        return new VersionJson(version.name(), version.desc(), view.pkg().name(), view.repository().name(),
                view.repository().owner().name(), List.of(), view.hasPublishedFiles(),
                attributeValues ? null : List.of(), Times.format(version.created()), Times.format(version.updated()),
                Times.format(version.released()),
                publisher ? PackageJson.nullToEmpty(version.githubReleaseNotesFile()) : null,
                publisher ? version.githubUseTagReleaseNotes() : null,
                publisher ? PackageJson.nullToEmpty(version.vcsTag()) : null,
                version.ordinal(), attributeValues ? Map.of() : null);
    }
}
