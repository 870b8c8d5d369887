package dev.bindery.content;

import dev.bindery.subject.Subject;
import java.time.Instant;
import java.util.List;

/** A repository of one type, owned by a user or an organization. */
public record Repository(
        long id,
        Subject owner,
        String name,
        RepositoryType type,
        boolean isPrivate,
        boolean premium,
        String desc,
        List<String> labels,
        String businessUnit,
        boolean gpgSignMetadata,
        boolean gpgSignFiles,
        boolean gpgUseOwnerKey,
        Integer versionUpdateMaxDays,
        String defaultDebianDistribution,
        String defaultDebianComponent,
        String defaultDebianArchitecture,
        Integer yumMetadataDepth,
        String yumGroupsFile,
        Instant created) {

    /** {@code owner/name}, as messages name it. */
    public String fullName() {
        return owner.name() + "/" + name;
    }
}
