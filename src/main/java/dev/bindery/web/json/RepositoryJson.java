package dev.bindery.web.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bindery.Times;
import dev.bindery.content.Views.RepositoryView;
import java.util.List;

/** Get Repository. Fields marked "only if defined" in the API reference are left out when unset. */
public record RepositoryJson(
        String name,
        String owner,
        String type,
        @JsonProperty("private") boolean isPrivate,
        boolean premium,
        String desc,
        List<String> labels,
        String created,
        int packageCount,
        @JsonInclude(JsonInclude.Include.NON_NULL) String businessUnit,
        boolean gpgSignMetadata,
        boolean gpgSignFiles,
        boolean gpgUseOwnerKey,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer versionUpdateMaxDays,
        @JsonInclude(JsonInclude.Include.NON_NULL) String defaultDebianDistribution,
        @JsonInclude(JsonInclude.Include.NON_NULL) String defaultDebianComponent,
        @JsonInclude(JsonInclude.Include.NON_NULL) String defaultDebianArchitecture,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer yumMetadataDepth,
        @JsonInclude(JsonInclude.Include.NON_NULL) String yumGroupsFile) {

    public static RepositoryJson of(RepositoryView view) {
        var repository = view.repository();
        return new RepositoryJson(repository.name(), repository.owner().name(), repository.type().wire(),
                repository.isPrivate(), repository.premium(), repository.desc(), repository.labels(),
                Times.format(repository.created()), view.packageCount(), repository.businessUnit(),
                repository.gpgSignMetadata(), repository.gpgSignFiles(), repository.gpgUseOwnerKey(),
                repository.versionUpdateMaxDays(), repository.defaultDebianDistribution(),
                repository.defaultDebianComponent(), repository.defaultDebianArchitecture(),
                repository.yumMetadataDepth(), repository.yumGroupsFile());
    }
}
