package dev.bindery.subject;

import dev.bindery.BinderyException;
import dev.bindery.Names;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Users and organizations: creating them, looking them up and authenticating users by API key.
 * Credential and membership changes are announced to listeners, so caches of verified
 * credentials are dropped at once. Thread-safe.
 */
public final class SubjectService {

    private static final int SEARCH_LIMIT = 50;

    private final Jdbi jdbi;
    private final SubjectStore store;
    private final Clock clock;
    private final List<Runnable> credentialListeners = new CopyOnWriteArrayList<>();

    public SubjectService(Jdbi jdbi, SubjectStore store, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.clock = clock;
    }

    /** A user just created, with the API key it can use; the key is not stored and never shown again. */
    public record CreatedUser(Subject user, String apiKey) {
    }

    /** Registers {@code listener} to run after any API key or membership changes. */
    public void onCredentialsChanged(Runnable listener) {
        credentialListeners.add(listener);
    }

    /**
     * Creates the site administrator {@code admin} on an empty database.
     *
     * @param apiKey the key to give it, or null to generate one
     * @return the generated key (to print once), or empty if admin already existed or the key was given
     */
    public Optional<String> bootstrapAdmin(String apiKey) {
        if (store.byName("admin").isPresent()) {
            return Optional.empty();
        }
        var key = apiKey == null || apiKey.isBlank() ? ApiKeys.generate() : apiKey;
        var admin = new Subject(0, "admin", Subject.Kind.USER, "Administrator", null, ApiKeys.hash(key), true,
                clock.instant());
        jdbi.useTransaction(handle -> store.insert(handle, admin));
        return apiKey == null || apiKey.isBlank() ? Optional.of(key) : Optional.empty();
    }

    /** Creates a user; site administrators only (Bintray users signed up on its web site). */
    public CreatedUser createUser(Caller caller, String name, String fullName, String email) {
        requireSiteAdmin(caller);
        Names.subject(name);
        var key = ApiKeys.generate();
        var user = new Subject(0, name, Subject.Kind.USER, fullName, email, ApiKeys.hash(key), false, clock.instant());
        var created = insertUnique(() -> jdbi.inTransaction(handle -> store.insert(handle, user)), name);
        return new CreatedUser(created, key);
    }

    /** Creates an organization owned by {@code ownerName}; site administrators only. */
    public Subject createOrg(Caller caller, String name, String fullName, String ownerName) {
        requireSiteAdmin(caller);
        Names.subject(name);
        if (ownerName == null || ownerName.isBlank()) {
            throw BinderyException.badRequest("An organization needs an 'owner'");
        }
        var owner = user(ownerName);
        var org = new Subject(0, name, Subject.Kind.ORG, fullName, null, null, false, clock.instant());
        var created = insertUnique(() -> jdbi.inTransaction(handle -> {
            var inserted = store.insert(handle, org);
            store.insertMember(handle, inserted.id(), owner.id(), MemberType.OWNER);
            return inserted;
        }), name);
        credentialsChanged();
        return created;
    }

    private static Subject insertUnique(java.util.function.Supplier<Subject> insert, String name) {
        try {
            return insert.get();
        } catch (UnableToExecuteStatementException e) {
            throw BinderyException.conflict("Subject '" + name + "' already exists");
        }
    }

    private static void requireSiteAdmin(Caller caller) {
        if (!caller.isSiteAdmin()) {
            throw caller.refusal("Only site administrators may create users and organizations");
        }
    }

    /** Generates a new API key for {@code userName}; the user themselves or a site admin. */
    public String regenerateApiKey(Caller caller, String userName) {
        var user = user(userName);
        if (!caller.administers(user)) {
            throw caller.refusal("Only " + userName + " may regenerate their API key");
        }
        var key = ApiKeys.generate();
        store.updateApiKeyHash(user.id(), ApiKeys.hash(key));
        credentialsChanged();
        return key;
    }

    public Subject subject(String name) {
        return store.byName(name).orElseThrow(() -> BinderyException.notFound("Subject '" + name + "' was not found"));
    }

    public Optional<Subject> findSubject(String name) {
        return store.byName(name);
    }

    public Subject byId(long id) {
        return store.byId(id).orElseThrow(() -> BinderyException.notFound("Subject #" + id + " was not found"));
    }

    public Subject user(String name) {
        return store.byName(name).filter(s -> !s.isOrg())
                .orElseThrow(() -> BinderyException.notFound("User '" + name + "' was not found"));
    }

    public Subject org(String name) {
        return store.byName(name).filter(Subject::isOrg)
                .orElseThrow(() -> BinderyException.notFound("Organization '" + name + "' was not found"));
    }

    /**
     * The key that signs calls Bindery makes for {@code subject} (callback and webhook HMACs): the hex
     * SHA-256 of its API key, since Bindery never keeps the key itself; for an organization, that of
     * its first owner. Empty when there is none.
     */
    public Optional<String> callbackSigningKey(Subject subject) {
        if (!subject.isOrg()) {
            return Optional.ofNullable(subject.apiKeyHash());
        }
        return members(subject).stream()
                .filter(member -> member.type() == MemberType.OWNER)
                .findFirst()
                .flatMap(owner -> findSubject(owner.userName()))
                .map(Subject::apiKeyHash);
    }

    public List<Member> members(Subject org) {
        return store.membersOf(org.id());
    }

    public List<Member> memberships(Subject user) {
        return store.membershipsOf(user.id());
    }

    /**
     * Adds {@code userName} to the organization as {@code type} (owner, admin or member; member when
     * null), or changes their type. Owners and admins of the organization and site admins may;
     * giving or taking the owner type takes an owner or a site admin. The last owner stays an owner.
     */
    public Member setMember(Caller caller, String orgName, String userName, String type) {
        var org = org(orgName);
        requireOrgAdmin(caller, org);
        var user = user(userName);
        var newType = type == null ? MemberType.MEMBER : MemberType.fromWire(type);
        jdbi.useTransaction(handle -> {
            store.lock(handle, org.id());
            var current = store.memberType(handle, org.id(), user.id());
            if ((newType == MemberType.OWNER || current.orElse(null) == MemberType.OWNER) && !ownsOrg(caller, org)) {
                throw BinderyException.forbidden("Only owners of '" + org.name() + "' may add or change owners");
            }
            if (current.isEmpty()) {
                store.insertMember(handle, org.id(), user.id(), newType);
            } else if (current.get() != newType) {
                if (current.get() == MemberType.OWNER && store.countOwners(handle, org.id()) <= 1) {
                    throw lastOwner(org, user);
                }
                store.updateMember(handle, org.id(), user.id(), newType);
            }
        });
        credentialsChanged();
        return new Member(org.id(), org.name(), user.id(), user.name(), newType);
    }

    /** Removes {@code userName} from the organization; as {@link #setMember}, the last owner stays. */
    public void removeMember(Caller caller, String orgName, String userName) {
        var org = org(orgName);
        requireOrgAdmin(caller, org);
        var user = user(userName);
        jdbi.useTransaction(handle -> {
            store.lock(handle, org.id());
            var current = store.memberType(handle, org.id(), user.id()).orElseThrow(() -> BinderyException.notFound(
                    "User '" + user.name() + "' is not a member of '" + org.name() + "'"));
            if (current == MemberType.OWNER) {
                if (!ownsOrg(caller, org)) {
                    throw BinderyException.forbidden("Only owners of '" + org.name() + "' may remove owners");
                }
                if (store.countOwners(handle, org.id()) <= 1) {
                    throw lastOwner(org, user);
                }
            }
            store.deleteMember(handle, org.id(), user.id());
        });
        credentialsChanged();
    }

    private static void requireOrgAdmin(Caller caller, Subject org) {
        if (!caller.administers(org)) {
            throw caller.refusal("User '" + caller.name() + "' is not allowed to manage members of '" + org.name() + "'");
        }
    }

    private static boolean ownsOrg(Caller caller, Subject org) {
        return caller.isSiteAdmin() || caller.membershipIn(org).orElse(null) == MemberType.OWNER;
    }

    private static BinderyException lastOwner(Subject org, Subject user) {
        return BinderyException.conflict("User '" + user.name() + "' is the last owner of '" + org.name()
                + "'; an organization must keep at least one owner");
    }

    public List<Subject> searchUsers(String fragment) {
        if (fragment == null || fragment.isBlank()) {
            throw BinderyException.badRequest("Query parameter 'name' is required");
        }
        return store.searchUsers(fragment, SEARCH_LIMIT);
    }

    /**
     * Checks a user name and API key. Returns the caller with its memberships, or empty when the
     * user does not exist, is an organization, or the key does not match.
     */
    public Optional<Caller> authenticate(String userName, String apiKey) {
        var found = store.byName(userName).filter(s -> !s.isOrg());
        if (found.isEmpty()) {
            // Spend the same hashing work as for a real user, so timing does not reveal names.
            ApiKeys.matches(apiKey, "0".repeat(64));
            return Optional.empty();
        }
        var user = found.get();
        if (!ApiKeys.matches(apiKey, user.apiKeyHash())) {
            return Optional.empty();
        }
        var memberships = new HashMap<Long, MemberType>();
        var orgNames = new HashSet<String>();
        for (var member : store.membershipsOf(user.id())) {
            memberships.put(member.orgId(), member.type());
            orgNames.add(member.orgName());
        }
        return Optional.of(new Caller(user, memberships, orgNames));
    }

    // --- followers ---------------------------------------------------------------------------------

    /** One page of a subject's followers (Get Followers): names from {@code startPos}, of {@code total}. */
    public record Followers(List<String> names, int startPos, int total) {
    }

    /** Followers per page of Get Followers, as Bintray paged its lists. */
    public static final int FOLLOWERS_PAGE = 50;

    /** The signed-in caller follows {@code subjectName} (a user or an organization); following twice is one follow. */
    public void follow(Caller caller, String subjectName) {
        var follower = caller.accountHolder("follow");
        var subject = subject(subjectName);
        if (subject.id() == follower.id()) {
            throw BinderyException.badRequest("You cannot follow yourself");
        }
        store.follow(subject.id(), follower.id(), clock.instant());
    }

    /** The signed-in caller stops following {@code subjectName}; a no-op if they did not follow it. */
    public void unfollow(Caller caller, String subjectName) {
        var follower = caller.accountHolder("unfollow");
        store.unfollow(subject(subjectName).id(), follower.id());
    }

    /** Whether the caller, if a user, follows {@code subject}. */
    public boolean follows(Caller caller, Subject subject) {
        return caller.user() != null && store.follows(subject.id(), caller.user().id());
    }

    public int followerCount(Subject subject) {
        return store.countFollowers(subject.id());
    }

    /** Get Followers: who follows {@code subject}, by name; for authenticated callers (checked by the route). */
    public Followers followers(Subject subject, int startPos) {
        if (startPos < 0) {
            throw BinderyException.badRequest("Query parameter 'start_pos' must not be negative");
        }
        return new Followers(store.followers(subject.id(), startPos, FOLLOWERS_PAGE), startPos,
                store.countFollowers(subject.id()));
    }

    /** The names of the subjects the caller follows (their account page). */
    public List<String> followed(Caller caller) {
        return caller.user() == null ? List.of() : store.followed(caller.user().id());
    }

    private void credentialsChanged() {
        credentialListeners.forEach(Runnable::run);
    }
}
