package dev.bindery.web;

import dev.bindery.Times;
import dev.bindery.access.AccessService;
import dev.bindery.content.ContentService;
import dev.bindery.content.Repository;
import dev.bindery.content.Views.Page;
import dev.bindery.subject.Caller;
import dev.bindery.subject.Member;
import dev.bindery.subject.MemberType;
import dev.bindery.subject.Subject;
import dev.bindery.subject.SubjectService;
import dev.bindery.web.json.SubjectJson.CreatedUserJson;
import dev.bindery.web.json.SubjectJson.MemberJson;
import dev.bindery.web.json.SubjectJson.OrgJson;
import dev.bindery.web.json.SubjectJson.UserJson;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Users & Organizations, plus the admin-only extensions that create them. */
final class SubjectRoutes {

    private final SubjectService subjects;
    private final ContentService content;
    private final AccessService access;

    SubjectRoutes(SubjectService subjects, ContentService content, AccessService access) {
        this.subjects = subjects;
        this.content = content;
        this.access = access;
    }

    record CreateUserRequest(String name, String fullName, String email) {
    }

    record CreateOrgRequest(String name, String fullName, String owner) {
    }

    void createUser(Context ctx) {
        var request = Http.body(ctx, CreateUserRequest.class);
        var created = subjects.createUser(Http.caller(ctx), request.name(), request.fullName(), request.email());
        ctx.status(201).json(new CreatedUserJson(created.user().name(), created.apiKey()));
    }

    void createOrg(Context ctx) {
        var request = Http.body(ctx, CreateOrgRequest.class);
        var org = subjects.createOrg(Http.caller(ctx), request.name(), request.fullName(), request.owner());
        ctx.status(201).json(orgJson(Http.caller(ctx), org));
    }

    void getUser(Context ctx) {
        var caller = Http.caller(ctx);
        access.requireAuthenticated(caller);
        ctx.json(userJson(caller, subjects.user(ctx.pathParam("user"))));
    }

    void getOrganization(Context ctx) {
        var caller = Http.caller(ctx);
        access.requireAuthenticated(caller);
        ctx.json(orgJson(caller, subjects.org(ctx.pathParam("org"))));
    }

    /**
     * Get Followers: who follows a repository owner, one page of names from {@code start_pos}, with
     * Bintray's X-RangeLimit headers. {@code /orgs/:org/followers} answers the same for an organization.
     */
    void getFollowers(Context ctx) {
        var caller = Http.caller(ctx);
        access.requireAuthenticated(caller);
        var org = ctx.pathParamMap().get("org");
        var subject = org != null ? subjects.org(org) : subjects.user(ctx.pathParam("user"));
        var followers = subjects.followers(subject, Http.startPos(ctx));
        Http.rangeHeaders(ctx, new Page<>(followers.names(), followers.startPos(), followers.total()));
        ctx.json(followers.names().stream().map(FollowerJson::new).toList());
    }

    /** One element of Get Followers. */
    record FollowerJson(String name) {
    }

    void searchUsers(Context ctx) {
        var caller = Http.caller(ctx);
        access.requireAuthenticated(caller);
        ctx.json(subjects.searchUsers(ctx.queryParam("name")).stream().map(user -> userJson(caller, user)).toList());
    }

    private UserJson userJson(Caller caller, Subject user) {
        var repos = content.repositories(caller, user.name()).stream().map(Repository::name).toList();
        var orgs = subjects.memberships(user).stream().map(Member::orgName).toList();
        return new UserJson(user.name(), user.fullName(), gravatarId(user.email()), repos, orgs,
                subjects.followerCount(user),
                Times.format(user.registered()), caller.administers(user) ? content.bytesOwnedBy(user) : null);
    }

    private OrgJson orgJson(Caller caller, Subject org) {
        boolean admin = caller.administers(org);
        var members = subjects.members(org);
        var owner = members.stream().filter(member -> member.type() == MemberType.OWNER).map(Member::userName)
                .findFirst().orElse(null);
        var repos = content.repositories(caller, org.name()).stream().map(Repository::name).toList();
        var memberJson = members.stream()
                .map(member -> new MemberJson(member.userName(), admin ? member.type().wire() : null))
                .toList();
        return new OrgJson(org.name(), repos, subjects.followerCount(org), Times.format(org.registered()), owner, org.fullName(), memberJson,
                admin ? content.bytesOwnedBy(org) : null);
    }

    /** Gravatar's id for an e-mail address: the MD5 of it trimmed and lower-cased. */
    private static String gravatarId(String email) {
        if (email == null || email.isBlank()) {
            return null;
        }
        try {
            var digest = MessageDigest.getInstance("MD5")
                    .digest(email.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
