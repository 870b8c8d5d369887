package dev.bindery.subject;

import java.time.Instant;

/**
 * A user or an organization: the owner of repositories. Names are unique across both kinds.
 *
 * @param apiKeyHash hex SHA-256 of the user's API key; null for organizations
 */
public record Subject(long id, String name, Kind kind, String fullName, String email, String apiKeyHash,
                      boolean siteAdmin, Instant registered) {

    public enum Kind {
        USER, ORG;

        public String wire() {
            return this == USER ? "user" : "org";
        }

        static Kind fromWire(String value) {
            return "org".equals(value) ? ORG : USER;
        }
    }

    public boolean isOrg() {
        return kind == Kind.ORG;
    }
}
