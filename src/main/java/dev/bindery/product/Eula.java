package dev.bindery.product;

import java.time.Instant;
import java.util.List;

/**
 * An end-user license agreement of a product. It protects the versions it names, and, when it is
 * the product's default, every version no other EULA names.
 *
 * @param syntax   {@code markdown}, {@code asciidoc} or {@code plain_text}
 * @param versions the product versions it names
 */
public record Eula(long id, long productId, String name, String syntax, String content, boolean isDefault,
                   List<String> versions, Instant created, Instant updated) {

    public Eula {
        versions = List.copyOf(versions);
    }

    Eula withVersions(List<String> versions) {
        return new Eula(id, productId, name, syntax, content, isDefault, versions, created, updated);
    }
}
