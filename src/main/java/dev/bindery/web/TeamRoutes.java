package dev.bindery.web;

import dev.bindery.access.TeamService;
import dev.bindery.access.TeamService.OwnerKind;
import dev.bindery.access.TeamService.TeamRequest;
import dev.bindery.access.TeamStore.TeamPermission;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.web.json.MessageJson;
import dev.bindery.web.json.SubjectJson.MemberJson;
import dev.bindery.web.json.TeamJson;
import dev.bindery.web.json.TeamJson.TeamPermissionJson;
import dev.bindery.web.json.TeamJson.TeamsJson;
import io.javalin.http.Context;
import java.util.Locale;

/** Teams, team permissions on repositories, and the admin extension managing organization members. */
final class TeamRoutes {

    private final TeamService teams;

    TeamRoutes(TeamService teams) {
        this.teams = teams;
    }

    record SetTeamPermissionRequest(String team, String permission) {
    }

    record SetMemberRequest(String type) {
    }

    private static final SetMemberRequest NO_TYPE = new SetMemberRequest(null);

    // --- Teams: /orgs/:org/teams and /users/:user/teams ---------------------------------------

    void getTeams(Context ctx) {
        ctx.json(new TeamsJson(teams.teamNames(Http.caller(ctx), kind(ctx), owner(ctx))));
    }

    void getTeam(Context ctx) {
        ctx.json(TeamJson.of(teams.team(Http.caller(ctx), kind(ctx), owner(ctx), ctx.pathParam("team"))));
    }

    void createTeam(Context ctx) {
        var request = Http.body(ctx, TeamRequest.class);
        ctx.status(201).json(TeamJson.of(teams.createTeam(Http.caller(ctx), kind(ctx), owner(ctx), request)));
    }

    void updateTeam(Context ctx) {
        var request = Http.body(ctx, TeamRequest.class);
        ctx.json(TeamJson.of(teams.updateTeam(Http.caller(ctx), kind(ctx), owner(ctx), ctx.pathParam("team"),
                request)));
    }

    void deleteTeam(Context ctx) {
        teams.deleteTeam(Http.caller(ctx), kind(ctx), owner(ctx), ctx.pathParam("team"));
        ctx.json(MessageJson.SUCCESS);
    }

    private static OwnerKind kind(Context ctx) {
        return ctx.pathParamMap().containsKey("org") ? OwnerKind.ORG : OwnerKind.USER;
    }

    private static String owner(Context ctx) {
        return ctx.pathParamMap().containsKey("org") ? ctx.pathParam("org") : ctx.pathParam("user");
    }

    // --- Team permissions: /repos/:subject/:repo/permissions ----------------------------------

    void getAllTeamPermissions(Context ctx) {
        ctx.json(teams.permissions(Http.caller(ctx), repoRef(ctx)).stream().map(TeamRoutes::json).toList());
    }

    void getTeamPermission(Context ctx) {
        ctx.json(json(teams.permission(Http.caller(ctx), repoRef(ctx), ctx.pathParam("team"))));
    }

    void setTeamPermission(Context ctx) {
        var request = Http.body(ctx, SetTeamPermissionRequest.class);
        teams.setPermission(Http.caller(ctx), repoRef(ctx), request.team(), request.permission());
        ctx.json(MessageJson.SUCCESS);
    }

    void deleteTeamPermission(Context ctx) {
        teams.deletePermission(Http.caller(ctx), repoRef(ctx), ctx.pathParam("team"));
        ctx.json(MessageJson.SUCCESS);
    }

    private static RepoRef repoRef(Context ctx) {
        return new RepoRef(ctx.pathParam("subject"), ctx.pathParam("repo"));
    }

    private static TeamPermissionJson json(TeamPermission permission) {
        return new TeamPermissionJson(permission.team(), permission.permission().name().toLowerCase(Locale.ROOT));
    }

    // --- Organization members (admin extension; Bintray did this in its web UI) ---------------

    void setOrgMember(Context ctx) {
        var request = Http.optionalBody(ctx, SetMemberRequest.class, NO_TYPE);
        var member = teams.setOrgMember(Http.caller(ctx), ctx.pathParam("org"), ctx.pathParam("user"), request.type());
        ctx.json(new MemberJson(member.userName(), member.type().wire()));
    }

    void removeOrgMember(Context ctx) {
        teams.removeOrgMember(Http.caller(ctx), ctx.pathParam("org"), ctx.pathParam("user"));
        ctx.json(MessageJson.SUCCESS);
    }
}
