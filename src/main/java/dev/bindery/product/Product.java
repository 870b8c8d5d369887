package dev.bindery.product;

import java.time.Instant;

/**
 * A product (Bintray Enterprise): a named group of packages of one subject, distributed together.
 *
 * @param signUrlExpiry minutes a signed URL of the product's files stays valid, or null for the default
 */
public record Product(long id, long ownerId, String name, String displayName, String desc, String websiteUrl,
                      String vcsUrl, Integer signUrlExpiry, Instant created, Instant updated) {
}
