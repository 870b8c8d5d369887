package dev.bindery.access;

import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Repositories' geo and IP restrictions (table {@code access_restriction}): lists of country codes
 * and CIDR blocks, in the order they were added. Holds no rules. Thread-safe.
 */
public final class RestrictionStore {

    static final String GEO_WHITE = "geo_white";
    static final String GEO_BLACK = "geo_black";
    static final String IP_WHITE = "ip_white";
    static final String IP_BLACK = "ip_black";

    private final Jdbi jdbi;

    public RestrictionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A repository's four lists; empty lists when it has no restrictions. */
    public record Lists(List<String> geoWhite, List<String> geoBlack, List<String> ipWhite, List<String> ipBlack) {

        public static final Lists NONE = new Lists(List.of(), List.of(), List.of(), List.of());

        public Lists {
            geoWhite = List.copyOf(geoWhite);
            geoBlack = List.copyOf(geoBlack);
            ipWhite = List.copyOf(ipWhite);
            ipBlack = List.copyOf(ipBlack);
        }

        public boolean isEmpty() {
            return geoWhite.isEmpty() && geoBlack.isEmpty() && ipWhite.isEmpty() && ipBlack.isEmpty();
        }
    }

    public Lists lists(long repositoryId) {
        var geoWhite = new ArrayList<String>();
        var geoBlack = new ArrayList<String>();
        var ipWhite = new ArrayList<String>();
        var ipBlack = new ArrayList<String>();
        jdbi.useHandle(handle -> handle.createQuery("SELECT kind, item FROM access_restriction"
                        + " WHERE repository_id = :repository ORDER BY id")
                .bind("repository", repositoryId)
                .map((rs, ctx) -> new String[] {rs.getString("kind"), rs.getString("item")})
                .forEach(row -> (switch (row[0]) {
                    case GEO_WHITE -> geoWhite;
                    case GEO_BLACK -> geoBlack;
                    case IP_WHITE -> ipWhite;
                    default -> ipBlack;
                }).add(row[1])));
        return new Lists(geoWhite, geoBlack, ipWhite, ipBlack);
    }

    /** Replaces the repository's white and black list of one kind ({@code geo} or {@code ip}) in one transaction. */
    public void replace(long repositoryId, String whiteKind, List<String> white, String blackKind, List<String> black) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM access_restriction WHERE repository_id = :repository"
                            + " AND kind IN (:white, :black)")
                    .bind("repository", repositoryId).bind("white", whiteKind).bind("black", blackKind).execute();
            var insert = handle.prepareBatch("INSERT INTO access_restriction (repository_id, kind, item)"
                    + " VALUES (:repository, :kind, :item)");
            boolean any = false;
            for (var item : white) {
                insert.bind("repository", repositoryId).bind("kind", whiteKind).bind("item", item).add();
                any = true;
            }
            for (var item : black) {
                insert.bind("repository", repositoryId).bind("kind", blackKind).bind("item", item).add();
                any = true;
            }
            if (any) {
                insert.execute();
            }
        });
    }
}
