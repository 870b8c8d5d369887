package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Repository;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Member;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Teams of users and organizations, their permissions on the owner's repositories, and the
 * organization membership changes that affect them. Managing a subject's teams takes
 * administering the subject; a repository's team permissions take admin permission on it. Every
 * change drops the cached grants of {@link TeamGrants} at once. Thread-safe.
 */
public final class TeamService {

    private static final Pattern TEAM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_NAME = 64;
    private static final int MAX_BUSINESS_UNIT = 256;

    private final TeamStore store;
    private final TeamGrants grants;
    private final SubjectService subjects;
    private final ContentService content;
    private final AccessService access;
    private final Clock clock;

    public TeamService(TeamStore store, TeamGrants grants, SubjectService subjects, ContentService content,
                       AccessService access, Clock clock) {
        this.store = store;
        this.grants = grants;
        this.subjects = subjects;
        this.content = content;
        this.access = access;
        this.clock = clock;
        subjects.onCredentialsChanged(grants::invalidate);
    }

    /** Which kind of subject a path names: {@code /orgs/:org} or {@code /users/:user}. */
    public enum OwnerKind {
        ORG, USER
    }

    /** A team as Get Team shows it. */
    public record TeamView(Team team, String owner, List<String> members, Map<String, Permission> permittedRepos) {
    }

    /** Create Team and Update Team; null fields are left as they are (or empty, on create). */
    public record TeamRequest(String name, List<String> members, Boolean allowRepoCreation, String businessUnit) {
    }

    // --- teams --------------------------------------------------------------------------------

    public List<String> teamNames(Caller caller, OwnerKind kind, String ownerName) {
        var owner = administeredOwner(caller, kind, ownerName);
        return store.teamsOf(owner.id()).stream().map(Team::name).toList();
    }

    public TeamView team(Caller caller, OwnerKind kind, String ownerName, String teamName) {
        var owner = administeredOwner(caller, kind, ownerName);
        return view(owner, team(owner, teamName));
    }

    public TeamView createTeam(Caller caller, OwnerKind kind, String ownerName, TeamRequest request) {
        var owner = administeredOwner(caller, kind, ownerName);
        var name = teamName(request.name());
        boolean allow = Boolean.TRUE.equals(request.allowRepoCreation());
        var businessUnit = businessUnit(allow, request.businessUnit());
        var memberIds = memberIds(owner, request.members() == null ? List.of() : request.members());
        Team created;
        try {
            created = store.insert(new Team(0, owner.id(), name, allow, businessUnit, clock.instant()), memberIds);
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("Team '" + name + "' already exists in '" + owner.name() + "'");
        }
        grants.invalidate();
        return view(owner, created);
    }

    public TeamView updateTeam(Caller caller, OwnerKind kind, String ownerName, String teamName, TeamRequest request) {
        var owner = administeredOwner(caller, kind, ownerName);
        var current = team(owner, teamName);
        if (request.name() != null && !request.name().equals(current.name())) {
            throw BinderyException.badRequest("A team cannot be renamed: name '" + request.name()
                    + "' in the body does not match '" + current.name() + "'");
        }
        boolean allow = request.allowRepoCreation() == null ? current.allowRepoCreation() : request.allowRepoCreation();
        String businessUnit;
        if (request.businessUnit() != null) {
            businessUnit = businessUnit(allow, request.businessUnit());
        } else {
            // A business unit goes with repository creation: dropping one drops the other.
            businessUnit = allow ? current.businessUnit() : null;
        }
        var memberIds = request.members() == null ? null : memberIds(owner, request.members());
        var updated = new Team(current.id(), current.ownerId(), current.name(), allow, businessUnit, current.created());
        store.update(updated, memberIds);
        grants.invalidate();
        return view(owner, updated);
    }

    public void deleteTeam(Caller caller, OwnerKind kind, String ownerName, String teamName) {
        var owner = administeredOwner(caller, kind, ownerName);
        store.delete(team(owner, teamName).id());
        grants.invalidate();
    }

    // --- repository permissions ---------------------------------------------------------------

    public List<TeamStore.TeamPermission> permissions(Caller caller, RepoRef ref) {
        return store.repositoryPermissions(administeredRepository(caller, ref).id());
    }

    public TeamStore.TeamPermission permission(Caller caller, RepoRef ref, String teamName) {
        var repository = administeredRepository(caller, ref);
        var team = team(repository.owner(), teamName);
        var permission = store.permission(team.id(), repository.id()).orElseThrow(() -> BinderyException.notFound(
                "Team '" + teamName + "' has no permission on '" + ref + "'"));
        return new TeamStore.TeamPermission(team.name(), permission);
    }

    public void setPermission(Caller caller, RepoRef ref, String teamName, String permission) {
        var repository = administeredRepository(caller, ref);
        if (teamName == null || teamName.isBlank()) {
            throw BinderyException.badRequest("Field 'team' is required");
        }
        var parsed = permission(permission);
        var team = team(repository.owner(), teamName);
        try {
            store.setPermission(team.id(), repository.id(), parsed);
        } catch (UnableToExecuteStatementException e) {
            // Two callers set the same permission at once; the other one won.
            throw BinderyException.conflict("The permission of team '" + teamName + "' on '" + ref
                    + "' changed concurrently; try again");
        }
        grants.invalidate();
    }

    public void deletePermission(Caller caller, RepoRef ref, String teamName) {
        var repository = administeredRepository(caller, ref);
        var team = team(repository.owner(), teamName);
        if (!store.deletePermission(team.id(), repository.id())) {
            throw BinderyException.notFound("Team '" + teamName + "' has no permission on '" + ref + "'");
        }
        grants.invalidate();
    }

    // --- organization members -----------------------------------------------------------------

    /** Adds a member to an organization or changes their type; see {@link SubjectService#setMember}. */
    public Member setOrgMember(Caller caller, String orgName, String userName, String type) {
        var member = subjects.setMember(caller, orgName, userName, type);
        grants.invalidate();
        return member;
    }

    /** Removes a member from an organization and from its teams; see {@link SubjectService#removeMember}. */
    public void removeOrgMember(Caller caller, String orgName, String userName) {
        subjects.removeMember(caller, orgName, userName);
        store.removeFromTeamsOf(subjects.org(orgName).id(), subjects.user(userName).id());
        grants.invalidate();
    }

    // --- helpers ------------------------------------------------------------------------------

    private Subject administeredOwner(Caller caller, OwnerKind kind, String ownerName) {
        access.requireAuthenticated(caller);
        var owner = kind == OwnerKind.ORG ? subjects.org(ownerName) : subjects.user(ownerName);
        access.requireSubjectAdmin(caller, owner, "manage teams of '" + owner.name() + "'");
        return owner;
    }

    private Repository administeredRepository(Caller caller, RepoRef ref) {
        access.requireAuthenticated(caller);
        var resolved = content.readable(caller, ref);
        access.requireAdmin(caller, resolved.permission(), "Repository '" + ref + "' was not found",
                "manage team permissions of '" + ref + "'");
        return resolved.repository();
    }

    private Team team(Subject owner, String teamName) {
        return store.team(owner.id(), teamName).orElseThrow(() -> BinderyException.notFound(
                "Team '" + teamName + "' was not found in '" + owner.name() + "'"));
    }

    private TeamView view(Subject owner, Team team) {
        return new TeamView(team, owner.name(), store.memberNames(team.id()), store.permittedRepos(team.id()));
    }

    /** The ids of the named users; each must exist and, for an organization's team, belong to it. */
    private List<Long> memberIds(Subject owner, List<String> names) {
        var orgMembers = owner.isOrg()
                ? subjects.members(owner).stream().collect(Collectors.toMap(Member::userName, Member::userId))
                : Map.<String, Long>of();
        var ids = new ArrayList<Long>();
        for (var name : new LinkedHashSet<>(names)) {
            if (name == null || name.isBlank()) {
                throw BinderyException.badRequest("Field 'members' must not contain empty names");
            }
            var user = subjects.findSubject(name).filter(subject -> !subject.isOrg()).orElseThrow(() ->
                    BinderyException.badRequest("User '" + name + "' does not exist"));
            if (owner.isOrg() && !orgMembers.containsKey(name)) {
                throw BinderyException.badRequest("User '" + name + "' is not a member of organization '"
                        + owner.name() + "'");
            }
            ids.add(user.id());
        }
        return ids;
    }

    private static String teamName(String name) {
        if (name == null || name.isEmpty()) {
            throw BinderyException.badRequest("Field 'name' is required");
        }
        if (name.length() > MAX_NAME || !TEAM_NAME.matcher(name).matches()) {
            throw BinderyException.badRequest("Team name must be at most " + MAX_NAME + " characters of letters,"
                    + " digits, '.', '_' and '-', starting with a letter or digit");
        }
        return name;
    }

    private static String businessUnit(boolean allowRepoCreation, String businessUnit) {
        if (businessUnit == null) {
            return null;
        }
        if (!allowRepoCreation) {
            throw BinderyException.badRequest("Field 'business_unit' is only allowed when 'allow_repo_creation' is true");
        }
        if (businessUnit.isBlank() || businessUnit.length() > MAX_BUSINESS_UNIT) {
            throw BinderyException.badRequest("Field 'business_unit' must be 1 to " + MAX_BUSINESS_UNIT + " characters");
        }
        return businessUnit;
    }

    private static Permission permission(String wire) {
        if (wire != null) {
            switch (wire.toLowerCase(Locale.ROOT)) {
                case "read" -> {
                    return Permission.READ;
                }
                case "publish" -> {
                    return Permission.PUBLISH;
                }
                case "admin" -> {
                    return Permission.ADMIN;
                }
                default -> {
                }
            }
        }
        throw BinderyException.badRequest("Field 'permission' must be one of read, publish, admin");
    }
}
