package dev.bindery.access;

import java.time.Instant;

/**
 * A team of a user or an organization: users who get permissions on the owner's repositories
 * together, and may be allowed to create repositories for the owner.
 *
 * @param businessUnit the default business unit of repositories the team creates, or null
 */
public record Team(long id, long ownerId, String name, boolean allowRepoCreation, String businessUnit,
                   Instant created) {
}
