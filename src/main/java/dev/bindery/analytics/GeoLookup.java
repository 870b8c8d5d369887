package dev.bindery.analytics;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.record.Country;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up where an IP address is (country, region, city, postal code, coordinates) and which
 * network it belongs to (ASN and organization), from MaxMind DB ({@code .mmdb}) files.
 *
 * <p>The location database may be a GeoIP2-style country or city database (MaxMind GeoIP2 and
 * GeoLite2, DB-IP Lite: {@code GeoLite2-City}, {@code DBIP-Country-Lite}, ...) or one of the
 * ip-location-db databases served on the npm registry, whose records are flat ({@code country_code},
 * {@code state1}, {@code city}, {@code postcode}, {@code latitude}, {@code longitude}; database type
 * {@code country ipvAll}, {@code city ipv4}, ...). Which one is read from the database type in the
 * file's metadata. A country database leaves region, city, postal code and coordinates unknown. The
 * ASN database is any with {@code autonomous_system_number} and {@code autonomous_system_organization}
 * records (GeoLite2-ASN, DB-IP ASN Lite, ip-location-db asn).
 *
 * <p>Thread-safe. {@link #lookup} never throws: malformed input, private and reserved addresses,
 * addresses the databases do not know and read errors all give unknown fields. Answers are kept in a
 * bounded cache keyed by the address text, since a database lookup costs about a microsecond or
 * two and download traffic repeats addresses. The files are memory-mapped; replace a file by
 * renaming a new one over it and open a new {@code GeoLookup}, never by rewriting it in place.
 */
public final class GeoLookup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GeoLookup.class);

    /** Answers kept, a power of two: a direct-mapped table, so old answers are simply overwritten. */
    static final int CACHE_SLOTS = 1 << 16;

    /** Decoded data-section nodes kept by the MaxMind reader: countries, subdivisions, common cities. */
    private static final int NODE_CACHE_ENTRIES = 16_384;

    private enum Schema { GEOIP2_CITY, GEOIP2_COUNTRY, FLAT }

    /**
     * IPv4 networks of at most {@value #RANGE_PREFIX} bits' prefix are also remembered by range: the
     * answer for one address holds for its whole network (the databases return each record's network),
     * so a table indexed by the first {@value #RANGE_PREFIX} bits answers every other address in it
     * without a tree walk (a table of 2^18 references, about 1 MB). Most public IPv4 space is in such
     * networks: 87% of random addresses in 1.0.0.0 to 220.255.255.255 in DB-IP's country database.
     */
    static final int RANGE_PREFIX = 18;

    /** A prefix length that never goes into the range table: unknown or too narrow. */
    private static final int NO_RANGE = 129;

    private record Entry(String ip, GeoInfo info) {
    }

    /** {@code info} holds for every IPv4 address {@code a} with {@code (a & mask) == network}. */
    private record Range(int network, int mask, GeoInfo info) {
    }

    private record Place(String country, String region, String city, String postalCode, Double latitude,
            Double longitude, int prefix) {
        static final Place NONE = new Place(null, null, null, null, null, null, NO_RANGE);
    }

    private record Network(Long asn, String organization, int prefix) {
        static final Network NONE = new Network(null, null, NO_RANGE);
    }

    private final Schema schema;
    private final DatabaseReader geoip2;
    private final Reader flatLocation;
    private final Reader asnReader;
    private final String description;
    private final Entry[] cache = new Entry[CACHE_SLOTS];
    private final Range[] ranges = new Range[1 << RANGE_PREFIX];
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private volatile boolean closed;

    private GeoLookup(Schema schema, DatabaseReader geoip2, Reader flatLocation, Reader asnReader,
            String description) {
        this.schema = schema;
        this.geoip2 = geoip2;
        this.flatLocation = flatLocation;
        this.asnReader = asnReader;
        this.description = description;
    }

    /**
     * Opens the databases; either path may be null, and then its fields stay unknown.
     *
     * @throws IOException if a file cannot be read or is not a MaxMind DB file
     * @throws IllegalArgumentException if {@code locationDb} is not a country or city database, or
     *     {@code asnDb} is not an ASN database
     */
    public static GeoLookup open(Path locationDb, Path asnDb) throws IOException {
        var opened = new ArrayList<Closeable>();
        try {
            Schema schema = null;
            DatabaseReader geoip2 = null;
            Reader flatLocation = null;
            Reader asnReader = null;
            var description = new ArrayList<String>();
            if (locationDb != null) {
                var reader = new Reader(locationDb.toFile(), new CHMCache(NODE_CACHE_ENTRIES));
                opened.add(reader);
                var type = reader.getMetadata().databaseType();
                schema = locationSchema(type, locationDb);
                description.add(describe("location", locationDb, reader));
                if (schema == Schema.FLAT) {
                    flatLocation = reader;
                } else {
                    // GeoIP2 records are nested (country.iso_code, city.names.en): read them with the
                    // GeoIP2 model rather than by hand.
                    reader.close();
                    opened.remove(reader);
                    geoip2 = new DatabaseReader.Builder(locationDb.toFile())
                            .withCache(new CHMCache(NODE_CACHE_ENTRIES)).build();
                    opened.add(geoip2);
                }
            }
            if (asnDb != null) {
                asnReader = new Reader(asnDb.toFile(), new CHMCache(NODE_CACHE_ENTRIES));
                opened.add(asnReader);
                var type = asnReader.getMetadata().databaseType();
                if (type == null || !type.toUpperCase(Locale.ROOT).contains("ASN")) {
                    throw new IllegalArgumentException(
                            asnDb + " is a '" + type + "' database, not an ASN database");
                }
                description.add(describe("ASN", asnDb, asnReader));
            }
            return new GeoLookup(schema, geoip2, flatLocation, asnReader,
                    description.isEmpty() ? "no geolocation databases" : String.join("; ", description));
        } catch (IOException | RuntimeException e) {
            for (var closeable : opened) {
                try {
                    closeable.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static Schema locationSchema(String type, Path file) {
        var name = type == null ? "" : type;
        if (name.contains("City") || name.contains("Enterprise")) {
            return Schema.GEOIP2_CITY;
        }
        if (name.contains("Country")) {
            return Schema.GEOIP2_COUNTRY;
        }
        var lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("country") || lower.startsWith("city")) {
            return Schema.FLAT;
        }
        throw new IllegalArgumentException(file + " is a '" + type + "' database, not a country or city database");
    }

    private static String describe(String role, Path file, Reader reader) {
        var metadata = reader.getMetadata();
        return role + " database " + file + " ('" + metadata.databaseType() + "', IPv" + metadata.ipVersion()
                + ", built " + metadata.buildTime().atOffset(ZoneOffset.UTC).toLocalDate() + ")";
    }

    /** Which databases are open, their types and build dates: for logs and the CLI. */
    public String description() {
        return description;
    }

    /**
     * Where {@code ip} (an IPv4 or IPv6 literal, IPv6 optionally in brackets) is. Never throws and
     * never resolves names; anything unknown, malformed or private gives unknown fields, and
     * {@link GeoInfo#UNKNOWN} itself when nothing at all is known. After {@link #close} answers come
     * from the cache or are unknown.
     */
    public GeoInfo lookup(String ip) {
        if (ip == null || ip.length() > IpLiteral.MAX_LENGTH) {
            return GeoInfo.UNKNOWN;
        }
        int hash = ip.hashCode();
        int slot = (hash ^ (hash >>> 16)) & (CACHE_SLOTS - 1);
        // Racy on purpose: an Entry is immutable (final fields), so a reader sees either a whole
        // entry or null; losing a concurrent write only costs a repeated lookup.
        var entry = cache[slot];
        if (entry != null && entry.ip().equals(ip)) {
            return entry.info();
        }
        if (closed || (schema == null && asnReader == null)) {
            return GeoInfo.UNKNOWN;
        }
        long plainIpv4 = IpLiteral.parseIpv4(ip);
        if (plainIpv4 >= 0 && IpLiteral.isPublicIpv4(plainIpv4)) {
            // Racy like the address cache: a Range is immutable, a lost write costs one tree walk. A
            // range answer does not go into the address cache: it is as cheap, and would evict others.
            int ipv4 = (int) plainIpv4;
            var range = ranges[ipv4 >>> (32 - RANGE_PREFIX)];
            if (range != null && (ipv4 & range.mask()) == range.network()) {
                return range.info();
            }
        }
        var address = IpLiteral.parse(ip);
        if (address == null || !IpLiteral.isPublic(address)) {
            return GeoInfo.UNKNOWN;
        }
        int ipv4 = address instanceof Inet4Address ? ByteBuffer.wrap(address.getAddress()).getInt() : 0;
        var info = resolve(address, ipv4);
        cache[slot] = new Entry(ip, info);
        return info;
    }

    /** Looks a public address up in the databases; an IPv4 answer is also kept for its network. */
    private GeoInfo resolve(InetAddress address, int ipv4) {
        var place = place(address);
        var network = network(address);
        var found = new GeoInfo(place.country(), place.region(), place.city(), place.postalCode(), place.latitude(),
                place.longitude(), network.asn(), network.organization());
        var info = found.equals(GeoInfo.UNKNOWN) ? GeoInfo.UNKNOWN : found;
        // Both answers hold on the narrower of the two networks; a database not configured does not narrow.
        int prefix = Math.max(schema == null ? 0 : place.prefix(), asnReader == null ? 0 : network.prefix());
        if (address instanceof Inet4Address && prefix <= RANGE_PREFIX && !closed) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            var range = new Range(ipv4 & mask, mask, info);
            int first = (ipv4 & mask) >>> (32 - RANGE_PREFIX);
            for (int slot = first; slot < first + (1 << (RANGE_PREFIX - prefix)); slot++) {
                ranges[slot] = range;
            }
        }
        return info;
    }

    /** The IPv4 prefix length of a record's network, or {@link #NO_RANGE} if not an IPv4 network. */
    private static int ipv4Prefix(com.maxmind.db.Network network) {
        return network != null && network.networkAddress() instanceof Inet4Address ? network.prefixLength()
                : NO_RANGE;
    }

    private Place place(InetAddress address) {
        if (schema == null) {
            return Place.NONE;
        }
        try {
            return switch (schema) {
                case GEOIP2_CITY -> {
                    if (ipv4Only(geoip2.metadata().ipVersion(), address)) {
                        yield Place.NONE;
                    }
                    yield geoip2.tryCity(address).map(city -> new Place(
                            countryCode(city.country(), city.registeredCountry()),
                            city.leastSpecificSubdivision().name(), city.city().name(), city.postal().code(),
                            city.location().latitude(), city.location().longitude(),
                            ipv4Prefix(city.traits().network()))).orElse(Place.NONE);
                }
                case GEOIP2_COUNTRY -> {
                    if (ipv4Only(geoip2.metadata().ipVersion(), address)) {
                        yield Place.NONE;
                    }
                    yield geoip2.tryCountry(address)
                            .map(country -> new Place(countryCode(country.country(), country.registeredCountry()),
                                    null, null, null, null, null, ipv4Prefix(country.traits().network())))
                            .orElse(Place.NONE);
                }
                case FLAT -> {
                    if (ipv4Only(flatLocation.getMetadata().ipVersion(), address)) {
                        yield Place.NONE;
                    }
                    var found = flatLocation.getRecord(address, Map.class);
                    Map<?, ?> record = found.data();
                    yield new Place(record == null ? null : text(record.get("country_code")),
                            record == null ? null : text(record.get("state1")),
                            record == null ? null : text(record.get("city")),
                            record == null ? null : text(record.get("postcode")),
                            record == null ? null : number(record.get("latitude")),
                            record == null ? null : number(record.get("longitude")), ipv4Prefix(found.network()));
                }
            };
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            logFirstFailure(address, e);
            return Place.NONE;
        }
    }

    private Network network(InetAddress address) {
        if (asnReader == null || ipv4Only(asnReader.getMetadata().ipVersion(), address)) {
            return Network.NONE;
        }
        try {
            var found = asnReader.getRecord(address, Map.class);
            Map<?, ?> record = found.data();
            if (record == null) {
                return new Network(null, null, ipv4Prefix(found.network()));
            }
            var number = record.get("autonomous_system_number");
            return new Network(number instanceof Number n ? Long.valueOf(n.longValue()) : null,
                    text(record.get("autonomous_system_organization")), ipv4Prefix(found.network()));
        } catch (IOException | RuntimeException e) {
            logFirstFailure(address, e);
            return Network.NONE;
        }
    }

    /**
     * Where the address is used, else where its network is registered: MaxMind leaves the first
     * out for some networks (anycast, satellite), and a country is more use than none.
     */
    private static String countryCode(Country country, Country registeredCountry) {
        return country.isoCode() != null ? country.isoCode() : registeredCountry.isoCode();
    }

    private static boolean ipv4Only(int ipVersion, InetAddress address) {
        return ipVersion == 4 && address instanceof Inet6Address;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static Double number(Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof String text) {
            try {
                return Double.valueOf(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Once: a broken database would otherwise log at the rate of downloads. */
    private void logFirstFailure(InetAddress address, Exception e) {
        // Lookups racing with close() fail as a matter of course: not worth a warning.
        if (!closed && failureLogged.compareAndSet(false, true)) {
            log.warn("Geolocation lookup of {} failed; further failures are not logged ({})",
                    address.getHostAddress(), description, e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        IOException failure = null;
        for (var closeable : new Closeable[] {geoip2, flatLocation, asnReader}) {
            if (closeable == null) {
                continue;
            }
            try {
                closeable.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
