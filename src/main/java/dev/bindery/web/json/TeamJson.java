package dev.bindery.web.json;

import dev.bindery.access.TeamService.TeamView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Get Team, Create Team and Update Team: {@code permitted_repos} maps repository names to the
 * team's permission on them.
 */
public record TeamJson(String name, String owner, List<String> members, Map<String, String> permittedRepos,
                       boolean allowRepoCreation, String businessUnit) {

    public static TeamJson of(TeamView view) {
        var permitted = new LinkedHashMap<String, String>();
        view.permittedRepos().forEach((repo, permission) ->
                permitted.put(repo, permission.name().toLowerCase(Locale.ROOT)));
        return new TeamJson(view.team().name(), view.owner(), view.members(), permitted,
                view.team().allowRepoCreation(), view.team().businessUnit());
    }

    /** Get Teams. */
    public record TeamsJson(List<String> teams) {
    }

    /** Get Team Permission, and each element of Get All Team Permissions. */
    public record TeamPermissionJson(String team, String permission) {
    }
}
