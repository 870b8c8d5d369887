package dev.bindery.subject;

import dev.bindery.BinderyException;
import java.util.Locale;

/** A user's role in an organization, as Bintray's Get Organization shows it. */
public enum MemberType {
    OWNER, ADMIN, MEMBER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Owners and admins administer the organization and all its repositories. */
    public boolean isAdmin() {
        return this != MEMBER;
    }

    public static MemberType fromWire(String value) {
        for (var type : values()) {
            if (type.wire().equals(value)) {
                return type;
            }
        }
        throw BinderyException.badRequest("Member type '" + value + "' is not one of owner, admin, member");
    }
}
