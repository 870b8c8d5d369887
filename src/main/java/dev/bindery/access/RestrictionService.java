package dev.bindery.access;

import dev.bindery.BinderyException;
import dev.bindery.subject.Caller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Geo and IP restrictions of a repository's downloads (Bintray's Geo Restrictions and IP
 * Restrictions): a white list or a black list of countries (ISO 3166 alpha-2 codes, only one list
 * non-empty at a time), and white and black lists of CIDR blocks (IPv4 and IPv6). Repository
 * admins manage them; they apply to every download of the repository by everyone, the repository's
 * admins included, as on Bintray.
 *
 * <p>A client must be in the IP white list (when it is not empty) and in no block of the IP black
 * list; its country must be in the geo white list (when it is not empty) and not in the geo black
 * list. The country comes from the GeoIP database the download analytics use. When it is unknown
 * (no database configured, or an address the database does not know, e.g. a private one), a geo
 * white list refuses the download (the client cannot be shown to be inside it) and a geo black list
 * allows it (it cannot be shown to be inside that either).
 *
 * <p>{@link #check} runs on every download and answers from memory: each repository's compiled
 * lists are cached, dropped at once on a change on this node and reloaded after {@link #CACHE_TTL}
 * so other nodes' changes show up. Thread-safe.
 */
public final class RestrictionService {

    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int MAX_CACHED = 100_000;
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final Pattern IPV4_BLOCK = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");
    private static final Pattern IPV6_BLOCK = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\\d{1,3})?");

    private final RestrictionStore store;
    private final AccessService access;
    private final RepositoryLookup repositories;
    /** Null when no GeoIP database is configured. */
    private final CountryLookup countries;
    private final long ttlNanos;
    private final ConcurrentHashMap<Long, Cached> cache = new ConcurrentHashMap<>();

    /** Finds a repository by subject and name, as the resource access decisions are about. */
    @FunctionalInterface
    public interface RepositoryLookup {
        Optional<Resource> find(String subject, String repo);
    }

    /** The ISO 3166 alpha-2 code of the country an address is in, or null when unknown. */
    @FunctionalInterface
    public interface CountryLookup {
        String countryOf(String ip);
    }

    /** The four lists, as they are shown and stored. */
    public record GeoRestrictions(List<String> whiteList, List<String> blackList) {
    }

    public record IpRestrictions(List<String> whiteCidrs, List<String> blackCidrs) {
    }

    /** A repository's restrictions, compiled for checking. */
    private record Rules(Set<String> geoWhite, Set<String> geoBlack, Cidrs cidrs, boolean none) {
    }

    private record Cached(Rules rules, long expiresAtNanos) {
    }

    /** @param countries null when no GeoIP database is configured */
    public RestrictionService(RestrictionStore store, AccessService access, RepositoryLookup repositories,
                              CountryLookup countries) {
        this.store = store;
        this.access = access;
        this.repositories = repositories;
        this.countries = countries;
        this.ttlNanos = CACHE_TTL.toNanos();
    }

    // --- enforcement --------------------------------------------------------------------------

    /**
     * Refuses a download of a file of repository {@code repositoryId} (named {@code fullName} in
     * messages) by a client at {@code clientIp} that a restriction excludes.
     *
     * @throws BinderyException forbidden, naming the restriction
     */
    public void check(long repositoryId, String fullName, String clientIp) {
        var rules = rules(repositoryId);
        if (rules.none()) {
            return;
        }
        var ip = clientIp == null ? null : unbracket(clientIp);
        if (!rules.cidrs().admits(ip)) {
            throw BinderyException.forbidden("Downloads from " + ip + " are not allowed by the IP restrictions"
                    + " of repository '" + fullName + "'");
        }
        if (rules.geoWhite().isEmpty() && rules.geoBlack().isEmpty()) {
            return;
        }
        var country = countries == null || ip == null ? null : countries.countryOf(ip);
        if (!rules.geoWhite().isEmpty() && (country == null || !rules.geoWhite().contains(country))) {
            throw BinderyException.forbidden("Downloads from " + (country == null ? "an unknown country" : country)
                    + " are not allowed by the geo restrictions (white list) of repository '" + fullName + "'");
        }
        if (country != null && rules.geoBlack().contains(country)) {
            throw BinderyException.forbidden("Downloads from " + country
                    + " are not allowed by the geo restrictions (black list) of repository '" + fullName + "'");
        }
    }

    private Rules rules(long repositoryId) {
        long now = System.nanoTime();
        var hit = cache.get(repositoryId);
        if (hit != null && now - hit.expiresAtNanos() < 0) {
            return hit.rules();
        }
        var lists = store.lists(repositoryId);
        var rules = new Rules(Set.copyOf(lists.geoWhite()), Set.copyOf(lists.geoBlack()),
                Cidrs.of(lists.ipWhite(), lists.ipBlack()), lists.isEmpty());
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(repositoryId, new Cached(rules, now + ttlNanos));
        return rules;
    }

    private static String unbracket(String ip) {
        return ip.length() > 1 && ip.charAt(0) == '[' && ip.charAt(ip.length() - 1) == ']'
                ? ip.substring(1, ip.length() - 1) : ip;
    }

    // --- management ---------------------------------------------------------------------------

    public GeoRestrictions geoRestrictions(Caller caller, String subject, String repo) {
        var lists = store.lists(administrable(caller, subject, repo, "see the geo restrictions").repositoryId());
        return new GeoRestrictions(lists.geoWhite(), lists.geoBlack());
    }

    /** Replaces the geo lists; only one may be non-empty. */
    public void updateGeoRestrictions(Caller caller, String subject, String repo, List<String> whiteList,
                                      List<String> blackList) {
        var resource = administrable(caller, subject, repo, "update the geo restrictions");
        var white = countryCodes(whiteList, "white_list");
        var black = countryCodes(blackList, "black_list");
        if (!white.isEmpty() && !black.isEmpty()) {
            throw BinderyException.badRequest("Only one of 'white_list' and 'black_list' may have countries;"
                    + " the other must be empty");
        }
        store.replace(resource.repositoryId(), RestrictionStore.GEO_WHITE, white, RestrictionStore.GEO_BLACK, black);
        cache.remove(resource.repositoryId());
    }

    public GeoRestrictions deleteGeoRestrictions(Caller caller, String subject, String repo) {
        var resource = administrable(caller, subject, repo, "delete the geo restrictions");
        store.replace(resource.repositoryId(), RestrictionStore.GEO_WHITE, List.of(), RestrictionStore.GEO_BLACK,
                List.of());
        cache.remove(resource.repositoryId());
        return new GeoRestrictions(List.of(), List.of());
    }

    public IpRestrictions ipRestrictions(Caller caller, String subject, String repo) {
        var lists = store.lists(administrable(caller, subject, repo, "see the IP restrictions").repositoryId());
        return new IpRestrictions(lists.ipWhite(), lists.ipBlack());
    }

    /** Replaces both CIDR lists. */
    public IpRestrictions updateIpRestrictions(Caller caller, String subject, String repo, List<String> whiteCidrs,
                                               List<String> blackCidrs) {
        var resource = administrable(caller, subject, repo, "update the IP restrictions");
        var white = cidrs(whiteCidrs, "white_cidrs");
        var black = cidrs(blackCidrs, "black_cidrs");
        store.replace(resource.repositoryId(), RestrictionStore.IP_WHITE, white, RestrictionStore.IP_BLACK, black);
        cache.remove(resource.repositoryId());
        return new IpRestrictions(white, black);
    }

    /** Adds, then removes CIDRs of both lists; removing a block that is not there is no error. */
    public IpRestrictions patchIpRestrictions(Caller caller, String subject, String repo, IpRestrictions add,
                                              IpRestrictions remove) {
        var resource = administrable(caller, subject, repo, "update the IP restrictions");
        var addWhite = cidrs(add.whiteCidrs(), "add.white_cidrs");
        var addBlack = cidrs(add.blackCidrs(), "add.black_cidrs");
        var removeWhite = cidrs(remove.whiteCidrs(), "remove.white_cidrs");
        var removeBlack = cidrs(remove.blackCidrs(), "remove.black_cidrs");
        var current = store.lists(resource.repositoryId());
        var white = new LinkedHashSet<>(current.ipWhite());
        white.addAll(addWhite);
        white.removeAll(removeWhite);
        var black = new LinkedHashSet<>(current.ipBlack());
        black.addAll(addBlack);
        black.removeAll(removeBlack);
        store.replace(resource.repositoryId(), RestrictionStore.IP_WHITE, List.copyOf(white),
                RestrictionStore.IP_BLACK, List.copyOf(black));
        cache.remove(resource.repositoryId());
        return new IpRestrictions(List.copyOf(white), List.copyOf(black));
    }

    public void deleteIpRestrictions(Caller caller, String subject, String repo) {
        var resource = administrable(caller, subject, repo, "delete the IP restrictions");
        store.replace(resource.repositoryId(), RestrictionStore.IP_WHITE, List.of(), RestrictionStore.IP_BLACK,
                List.of());
        cache.remove(resource.repositoryId());
    }

    /** The repository, if the caller administers it: 401 for anonymous callers, 404 when hidden, else 403. */
    private Resource administrable(Caller caller, String subject, String repo, String action) {
        var notFound = "Repository '" + subject + "/" + repo + "' was not found";
        var resource = repositories.find(subject, repo).orElseThrow(() -> caller.isAnonymous()
                ? BinderyException.unauthorized("This resource requires authentication")
                : BinderyException.notFound(notFound));
        if (caller.isAnonymous()) {
            access.requireAuthenticated(caller);
        }
        access.requireAdmin(caller, access.permission(caller, resource), notFound,
                action + " of '" + subject + "/" + repo + "'");
        return resource;
    }

    /** Validated, upper-cased, de-duplicated country codes. */
    private static List<String> countryCodes(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        var codes = new LinkedHashSet<String>();
        for (var value : values) {
            var code = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
            if (!COUNTRIES.contains(code)) {
                throw BinderyException.badRequest("'" + value + "' in '" + field
                        + "' is not an ISO 3166 alpha-2 country code");
            }
            codes.add(code);
        }
        return List.copyOf(codes);
    }

    /** Validated, trimmed, de-duplicated CIDR blocks, as given. */
    private static List<String> cidrs(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        var blocks = new ArrayList<String>();
        for (var value : values) {
            if (value == null || value.isBlank() || value.trim().length() > 64) {
                throw BinderyException.badRequest("Invalid CIDR '" + value + "' in '" + field + "'");
            }
            var block = value.trim();
            // The address library also reads shorthand like "10.1" or "1"; a CIDR block here is written out.
            if (!IPV4_BLOCK.matcher(block).matches() && !IPV6_BLOCK.matcher(block).matches()) {
                throw BinderyException.badRequest("Invalid CIDR '" + value + "' in '" + field + "'");
            }
            Cidrs.validate(List.of(block), field);
            if (!blocks.contains(block)) {
                blocks.add(block);
            }
        }
        return List.copyOf(blocks);
    }
}
