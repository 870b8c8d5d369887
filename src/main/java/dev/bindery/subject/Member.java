package dev.bindery.subject;

/** A user's membership in an organization. */
public record Member(long orgId, String orgName, long userId, String userName, MemberType type) {
}
