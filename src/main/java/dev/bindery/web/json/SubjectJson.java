package dev.bindery.web.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Get User and Get Organization. */
public final class SubjectJson {

    private SubjectJson() {
    }

    public record UserJson(
            String name,
            String fullName,
            String gravatarId,
            List<String> repos,
            List<String> organizations,
            int followersCount,
            String registered,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long quotaUsedBytes) {
    }

    public record OrgJson(
            String name,
            List<String> repos,
            int followersCount,
            String registered,
            String owner,
            String fullName,
            List<MemberJson> members,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long quotaUsedBytes) {
    }

    /** {@code type} is shown to organization admins only. */
    public record MemberJson(String name, @JsonInclude(JsonInclude.Include.NON_NULL) String type) {
    }

    /** Get Repositories: one element per repository. */
    public record RepositoryNameJson(String name, String owner) {
    }

    public record CreatedUserJson(String name, String apiKey) {
    }
}
