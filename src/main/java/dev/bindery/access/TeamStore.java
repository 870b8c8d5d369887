package dev.bindery.access;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for the {@code access_team*} tables. No rules: {@link TeamService} holds them. Thread-safe. */
public final class TeamStore {

    private static final String COLUMNS = "id, owner_id, name, allow_repo_creation, business_unit, created";

    private final Jdbi jdbi;

    public TeamStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A team's permission on one repository, by team name. */
    public record TeamPermission(String team, Permission permission) {
    }

    /**
     * What a user's teams grant them: permissions per repository id, and the owners they may create
     * repositories for, with the business unit (empty string for none) of the first such team by name.
     */
    public record UserGrants(Map<Long, Permission> byRepository, Map<Long, String> repositoryCreationOwners) {
        public UserGrants {
            byRepository = Map.copyOf(byRepository);
            repositoryCreationOwners = Map.copyOf(repositoryCreationOwners);
        }
    }

    public List<Team> teamsOf(long ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_team"
                        + " WHERE owner_id = :owner ORDER BY name")
                .bind("owner", ownerId)
                .map(TeamStore::mapTeam)
                .list());
    }

    public Optional<Team> team(long ownerId, String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM access_team"
                        + " WHERE owner_id = :owner AND name = :name")
                .bind("owner", ownerId)
                .bind("name", name)
                .map(TeamStore::mapTeam)
                .findOne());
    }

    /** Inserts a team with its members; fails on a taken name (unique constraint). */
    public Team insert(Team team, Collection<Long> memberIds) {
        return jdbi.inTransaction(handle -> {
            long id = handle.createUpdate("INSERT INTO access_team (owner_id, name, allow_repo_creation, business_unit,"
                            + " created) VALUES (:owner, :name, :allow, :businessUnit, :created)")
                    .bind("owner", team.ownerId())
                    .bind("name", team.name())
                    .bind("allow", team.allowRepoCreation())
                    .bind("businessUnit", team.businessUnit())
                    .bind("created", team.created().toEpochMilli())
                    .executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class)
                    .one();
            insertMembers(handle, id, memberIds);
            return new Team(id, team.ownerId(), team.name(), team.allowRepoCreation(), team.businessUnit(),
                    team.created());
        });
    }

    /** Updates a team's flags and, when {@code memberIds} is not null, replaces its members. */
    public void update(Team team, Collection<Long> memberIds) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("UPDATE access_team SET allow_repo_creation = :allow, business_unit = :businessUnit"
                            + " WHERE id = :id")
                    .bind("allow", team.allowRepoCreation())
                    .bind("businessUnit", team.businessUnit())
                    .bind("id", team.id())
                    .execute();
            if (memberIds != null) {
                handle.createUpdate("DELETE FROM access_team_member WHERE team_id = :team")
                        .bind("team", team.id())
                        .execute();
                insertMembers(handle, team.id(), memberIds);
            }
        });
    }

    private static void insertMembers(Handle handle, long teamId, Collection<Long> memberIds) {
        if (memberIds.isEmpty()) {
            return;
        }
        var batch = handle.prepareBatch("INSERT INTO access_team_member (team_id, user_id) VALUES (:team, :user)");
        for (long userId : memberIds) {
            batch.bind("team", teamId).bind("user", userId).add();
        }
        batch.execute();
    }

    public void delete(long teamId) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM access_team WHERE id = :id")
                .bind("id", teamId)
                .execute());
    }

    /** The user names of a team's members, by name. */
    public List<String> memberNames(long teamId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT u.name FROM access_team_member m"
                        + " JOIN subject_subject u ON u.id = m.user_id WHERE m.team_id = :team ORDER BY u.name")
                .bind("team", teamId)
                .mapTo(String.class)
                .list());
    }

    /** The repositories a team has a permission on, by repository name. */
    public Map<String, Permission> permittedRepos(long teamId) {
        return jdbi.withHandle(handle -> {
            var result = new LinkedHashMap<String, Permission>();
            handle.createQuery("SELECT r.name, p.permission FROM access_team_permission p"
                            + " JOIN content_repository r ON r.id = p.repository_id WHERE p.team_id = :team"
                            + " ORDER BY r.name")
                    .bind("team", teamId)
                    .map((rs, ctx) -> Map.entry(rs.getString("name"), permission(rs.getString("permission"))))
                    .forEach(entry -> result.put(entry.getKey(), entry.getValue()));
            return result;
        });
    }

    /** The teams with a permission on a repository, by team name. */
    public List<TeamPermission> repositoryPermissions(long repositoryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT t.name, p.permission FROM access_team_permission p"
                        + " JOIN access_team t ON t.id = p.team_id WHERE p.repository_id = :repository ORDER BY t.name")
                .bind("repository", repositoryId)
                .map((rs, ctx) -> new TeamPermission(rs.getString("name"), permission(rs.getString("permission"))))
                .list());
    }

    public Optional<Permission> permission(long teamId, long repositoryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT permission FROM access_team_permission"
                        + " WHERE team_id = :team AND repository_id = :repository")
                .bind("team", teamId)
                .bind("repository", repositoryId)
                .mapTo(String.class)
                .findOne()
                .map(TeamStore::permission));
    }

    /** Sets a team's permission on a repository, replacing the one it had. */
    public void setPermission(long teamId, long repositoryId, Permission permission) {
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("UPDATE access_team_permission SET permission = :permission"
                            + " WHERE team_id = :team AND repository_id = :repository")
                    .bind("permission", wire(permission))
                    .bind("team", teamId)
                    .bind("repository", repositoryId)
                    .execute();
            if (updated == 0) {
                handle.createUpdate("INSERT INTO access_team_permission (team_id, repository_id, permission)"
                                + " VALUES (:team, :repository, :permission)")
                        .bind("permission", wire(permission))
                        .bind("team", teamId)
                        .bind("repository", repositoryId)
                        .execute();
            }
        });
    }

    /** Removes a team's permission on a repository; false when it had none. */
    public boolean deletePermission(long teamId, long repositoryId) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM access_team_permission"
                        + " WHERE team_id = :team AND repository_id = :repository")
                .bind("team", teamId)
                .bind("repository", repositoryId)
                .execute() > 0);
    }

    /** Takes a user out of every team of {@code ownerId}, e.g. when they leave the organization. */
    public void removeFromTeamsOf(long ownerId, long userId) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM access_team_member WHERE user_id = :user"
                        + " AND team_id IN (SELECT id FROM access_team WHERE owner_id = :owner)")
                .bind("user", userId)
                .bind("owner", ownerId)
                .execute());
    }

    /** Everything the teams of a user grant them, for {@link TeamGrants}. */
    public UserGrants grantsOf(long userId) {
        return jdbi.withHandle(handle -> {
            var byRepository = new HashMap<Long, Permission>();
            handle.createQuery("SELECT p.repository_id, p.permission FROM access_team_member m"
                            + " JOIN access_team_permission p ON p.team_id = m.team_id WHERE m.user_id = :user")
                    .bind("user", userId)
                    .map((rs, ctx) -> Map.entry(rs.getLong("repository_id"), permission(rs.getString("permission"))))
                    .forEach(entry -> byRepository.merge(entry.getKey(), entry.getValue(),
                            (a, b) -> a.atLeast(b) ? a : b));
            var owners = new HashMap<Long, String>();
            handle.createQuery("SELECT t.owner_id, t.business_unit FROM access_team_member m"
                            + " JOIN access_team t ON t.id = m.team_id"
                            + " WHERE m.user_id = :user AND t.allow_repo_creation = TRUE ORDER BY t.name")
                    .bind("user", userId)
                    .map((rs, ctx) -> Map.entry(rs.getLong("owner_id"),
                            rs.getString("business_unit") == null ? "" : rs.getString("business_unit")))
                    .forEach(entry -> owners.merge(entry.getKey(), entry.getValue(),
                            (first, next) -> first.isEmpty() ? next : first));
            return new UserGrants(byRepository, owners);
        });
    }

    static String wire(Permission permission) {
        return permission.name().toLowerCase(Locale.ROOT);
    }

    private static Permission permission(String wire) {
        return Permission.valueOf(wire.toUpperCase(Locale.ROOT));
    }

    private static Team mapTeam(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Team(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("name"),
                rs.getBoolean("allow_repo_creation"), rs.getString("business_unit"),
                Instant.ofEpochMilli(rs.getLong("created")));
    }
}
