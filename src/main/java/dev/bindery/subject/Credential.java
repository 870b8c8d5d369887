package dev.bindery.subject;

/**
 * How a caller proved who it is. Users authenticate with their API key (or a bearer token, which
 * caps what they may do); access keys ({@code key@subject}) and signed URLs are not users and get
 * only what their entitlements or signature grant, which {@code dev.bindery.access} decides.
 */
public sealed interface Credential {

    /** No credential (anonymous) or a user's API key: the user's own rights, uncapped. */
    Credential NONE = new UserKey();

    record UserKey() implements Credential {
    }

    /**
     * An access key of {@code owner}, authenticating as {@code keyId@owner}.
     *
     * @param apiOnly false when the key may also log in to the web UI
     */
    record AccessKey(long id, String keyId, Subject owner, boolean apiOnly) implements Credential {
        public String username() {
            return keyId + "@" + owner.name();
        }
    }

    /** A user's bearer token: the user's rights, capped at {@code scope}. */
    record Token(long id, Scope scope) implements Credential {
    }

    /**
     * A signed download URL: read access to one file of one repository, for anyone holding it.
     *
     * @param callbackId shown as {@code anonymous:callbackId} in download events, or null
     */
    record SignedUrl(long repositoryId, String path, String callbackId) implements Credential {
    }

    /** What a token allows, each level including the ones below it. */
    enum Scope {
        READ, PUBLISH, ADMIN
    }
}
