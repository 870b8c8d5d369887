package dev.bindery.ui;

import dev.bindery.access.TokenStore.StoredToken;
import dev.bindery.content.Refs.PackageRef;
import dev.bindery.signing.GpgKeys.KeyInfo;
import dev.bindery.subject.Subject;
import java.util.List;

/** What the log-in and account templates render (their {@code page} parameter). */
public final class AccountPages {

    private AccountPages() {
    }

    /**
     * @param csrf     the log-in form's token (the value of its cookie)
     * @param next     where to go after logging in: a path on this site
     * @param userName what was typed, shown again after a failure; never the key
     * @param error    why the last attempt failed, or null
     */
    public record Login(String csrf, String next, String userName, String error) {
    }

    /**
     * @param gpgKey    the user's GPG key, or null when they have none
     * @param publicKey its armored public key, or null
     * @param followedPackages the packages the user follows (and may read)
     * @param followedSubjects the users and organizations the user follows
     * @param notice    what the last action did, or null
     * @param error     why the last action failed, or null
     * @param secret    a new API key or token, shown this once, or null
     * @param secretWhat what {@code secret} is, e.g. "API key" or "token 'ci'"
     */
    public record Account(Subject user, String csrf, List<StoredToken> tokens, KeyInfo gpgKey, String publicKey,
                          List<PackageRef> followedPackages, List<String> followedSubjects, String notice, String error, String secret, String secretWhat) {
    }
}
