package dev.bindery.subject;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import dev.bindery.storage.Like;

/** SQL for the {@code subject_*} tables. No rules: {@link SubjectService} holds them. */
public final class SubjectStore {

    private static final String COLUMNS = "id, name, kind, full_name, email, api_key_hash, site_admin, registered";

    private final Jdbi jdbi;

    public SubjectStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<Subject> byName(String name) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM subject_subject WHERE name = :name")
                .bind("name", name)
                .map(SubjectStore::subject)
                .findOne());
    }

    public Optional<Subject> byId(long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM subject_subject WHERE id = :id")
                .bind("id", id)
                .map(SubjectStore::subject)
                .findOne());
    }

    public long countSubjects() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM subject_subject")
                .mapTo(Long.class).one());
    }

    /** Inserts a subject and returns it with its id; fails on a taken name (unique constraint). */
    public Subject insert(Handle handle, Subject subject) {
        long id = handle.createUpdate("INSERT INTO subject_subject (name, kind, full_name, email, api_key_hash, site_admin, registered)"
                        + " VALUES (:name, :kind, :fullName, :email, :apiKeyHash, :siteAdmin, :registered)")
                .bind("name", subject.name())
                .bind("kind", subject.kind().wire())
                .bind("fullName", subject.fullName())
                .bind("email", subject.email())
                .bind("apiKeyHash", subject.apiKeyHash())
                .bind("siteAdmin", subject.siteAdmin())
                .bind("registered", subject.registered().toEpochMilli())
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one();
        return new Subject(id, subject.name(), subject.kind(), subject.fullName(), subject.email(),
                subject.apiKeyHash(), subject.siteAdmin(), subject.registered());
    }

    public void updateApiKeyHash(long userId, String apiKeyHash) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE subject_subject SET api_key_hash = :hash WHERE id = :id")
                .bind("hash", apiKeyHash)
                .bind("id", userId)
                .execute());
    }

    public void insertMember(Handle handle, long orgId, long userId, MemberType type) {
        handle.createUpdate("INSERT INTO subject_member (org_id, user_id, member_type) VALUES (:org, :user, :type)")
                .bind("org", orgId)
                .bind("user", userId)
                .bind("type", type.wire())
                .execute();
    }

    /** Locks a subject's row until the transaction ends, so checks across its members hold (e.g. the last owner). */
    public void lock(Handle handle, long subjectId) {
        handle.createQuery("SELECT id FROM subject_subject WHERE id = :id FOR UPDATE")
                .bind("id", subjectId)
                .mapTo(Long.class)
                .findOne();
    }

    public Optional<MemberType> memberType(Handle handle, long orgId, long userId) {
        return handle.createQuery("SELECT member_type FROM subject_member WHERE org_id = :org AND user_id = :user")
                .bind("org", orgId)
                .bind("user", userId)
                .mapTo(String.class)
                .findOne()
                .map(MemberType::fromWire);
    }

    public int countOwners(Handle handle, long orgId) {
        return handle.createQuery("SELECT COUNT(*) FROM subject_member WHERE org_id = :org AND member_type = :type")
                .bind("org", orgId)
                .bind("type", MemberType.OWNER.wire())
                .mapTo(Integer.class)
                .one();
    }

    public void updateMember(Handle handle, long orgId, long userId, MemberType type) {
        handle.createUpdate("UPDATE subject_member SET member_type = :type WHERE org_id = :org AND user_id = :user")
                .bind("org", orgId)
                .bind("user", userId)
                .bind("type", type.wire())
                .execute();
    }

    public void deleteMember(Handle handle, long orgId, long userId) {
        handle.createUpdate("DELETE FROM subject_member WHERE org_id = :org AND user_id = :user")
                .bind("org", orgId)
                .bind("user", userId)
                .execute();
    }

    /** The members of an organization, by user name. */
    public List<Member> membersOf(long orgId) {
        return members("m.org_id = :id ORDER BY u.name", orgId);
    }

    /** The organizations a user belongs to, by organization name. */
    public List<Member> membershipsOf(long userId) {
        return members("m.user_id = :id ORDER BY o.name", userId);
    }

    private List<Member> members(String whereAndOrder, long id) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT m.org_id, o.name AS org_name, m.user_id, u.name AS user_name, m.member_type"
                                + " FROM subject_member m JOIN subject_subject u ON u.id = m.user_id"
                                + " JOIN subject_subject o ON o.id = m.org_id WHERE " + whereAndOrder)
                .bind("id", id)
                .map(SubjectStore::member)
                .list());
    }

    /** Users whose name contains {@code fragment}, case-insensitively, by name. */
    public List<Subject> searchUsers(String fragment, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM subject_subject"
                        + " WHERE kind = 'user' AND LOWER(name) LIKE :pattern" + Like.ESCAPE + " ORDER BY name")
                .bind("pattern", "%" + Like.escape(fragment.toLowerCase(java.util.Locale.ROOT)) + "%")
                .setMaxRows(limit)
                .map(SubjectStore::subject)
                .list());
    }

    /** Makes {@code userId} a follower of {@code subjectId}; true if they were not one already. */
    public boolean follow(long subjectId, long userId, Instant at) {
        try {
            return jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO subject_follower (subject_id, user_id, followed)"
                            + " SELECT :subject, :user, :at WHERE NOT EXISTS (SELECT 1 FROM subject_follower"
                            + " WHERE subject_id = :subject AND user_id = :user)")
                    .bind("subject", subjectId).bind("user", userId).bind("at", at.toEpochMilli())
                    .execute()) > 0;
        } catch (UnableToExecuteStatementException e) {
            // Two follows at once: the primary key let one in, and the follow holds either way.
            return false;
        }
    }

    /** Ends {@code userId}'s following of {@code subjectId}; true if they were a follower. */
    public boolean unfollow(long subjectId, long userId) {
        return jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM subject_follower WHERE subject_id = :subject AND user_id = :user")
                .bind("subject", subjectId).bind("user", userId).execute()) > 0;
    }

    public boolean follows(long subjectId, long userId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT COUNT(*) FROM subject_follower WHERE subject_id = :subject AND user_id = :user")
                .bind("subject", subjectId).bind("user", userId).mapTo(Integer.class).one()) > 0;
    }

    public int countFollowers(long subjectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM subject_follower WHERE subject_id = :id")
                .bind("id", subjectId).mapTo(Integer.class).one());
    }

    /** The names of a subject's followers, by name, {@code limit} of them from {@code offset}. */
    public List<String> followers(long subjectId, int offset, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT u.name FROM subject_follower f"
                        + " JOIN subject_subject u ON u.id = f.user_id WHERE f.subject_id = :id ORDER BY u.name"
                        + " LIMIT :limit OFFSET :offset")
                .bind("id", subjectId).bind("offset", offset).bind("limit", limit)
                .mapTo(String.class).list());
    }

    /** The names of the subjects {@code userId} follows, by name. */
    public List<String> followed(long userId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT s.name FROM subject_follower f"
                        + " JOIN subject_subject s ON s.id = f.subject_id WHERE f.user_id = :id ORDER BY s.name")
                .bind("id", userId).mapTo(String.class).list());
    }

    private static Subject subject(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Subject(rs.getLong("id"), rs.getString("name"), Subject.Kind.fromWire(rs.getString("kind")),
                rs.getString("full_name"), rs.getString("email"), rs.getString("api_key_hash"),
                rs.getBoolean("site_admin"), Instant.ofEpochMilli(rs.getLong("registered")));
    }

    private static Member member(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Member(rs.getLong("org_id"), rs.getString("org_name"), rs.getLong("user_id"),
                rs.getString("user_name"), MemberType.fromWire(rs.getString("member_type")));
    }
}
