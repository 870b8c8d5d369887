package dev.bindery.analytics;

import static dev.bindery.support.GeoTestFiles.ASN_TYPES;
import static dev.bindery.support.GeoTestFiles.FLAT_TYPES;
import static dev.bindery.support.GeoTestFiles.GEOIP2_TYPES;
import static dev.bindery.support.GeoTestFiles.writeMmdb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookups against small databases written at test time, so every expected value is known. */
class GeoLookupTest {

    @TempDir
    static Path dir;

    static Path cityDb;
    static Path countryDb;
    static Path asnDb;
    static Path flatCountryDb;
    static Path flatCityDb;
    static Path ipv4CityDb;

    static final GeoInfo LONDON = new GeoInfo("GB", "England", "London", "SW1A", 51.5, -0.13, 20712L,
            "Andrews & Arnold Ltd");

    @BeforeAll
    static void writeDatabases() {
        var city = new LinkedHashMap<String, Map<String, Object>>();
        city.put("81.2.69.160/27", Map.of(
                "country", Map.of("iso_code", "GB",
                        "names", Map.of("en", "United Kingdom", "de", "Vereinigtes Königreich")),
                "subdivisions", List.of(Map.of("iso_code", "ENG", "names", Map.of("en", "England")),
                        Map.of("iso_code", "WSM", "names", Map.of("en", "Westminster"))),
                "city", Map.of("geoname_id", 2643743, "names", Map.of("en", "London", "de", "London")),
                "postal", Map.of("code", "SW1A"),
                "location", Map.of("latitude", 51.5, "longitude", -0.13)));
        city.put("89.160.20.112/28", Map.of(
                "country", Map.of("iso_code", "SE"),
                "subdivisions", List.of(Map.of("names", Map.of("en", "Östergötland County"))),
                "city", Map.of("names", Map.of("en", "Linköping")),
                "location", Map.of("latitude", 58.4167, "longitude", 15.6167)));
        city.put("216.160.83.56/29", Map.of("country", Map.of("iso_code", "US")));
        city.put("2a02:ff0::/32", Map.of("registered_country", Map.of("iso_code", "IT")));
        city.put("2001:218::/32", Map.of(
                "country", Map.of("iso_code", "JP"),
                "city", Map.of("names", Map.of("en", "Tokyo")),
                "location", Map.of("latitude", 35.6895, "longitude", 139.6917)));
        cityDb = writeMmdb(dir.resolve("city.mmdb"), "GeoLite2-City", 6, GEOIP2_TYPES, city);
        ipv4CityDb = writeMmdb(dir.resolve("city-ipv4.mmdb"), "DBIP-City-Lite", 4, GEOIP2_TYPES,
                Map.of("81.2.69.160/27", city.get("81.2.69.160/27")));

        countryDb = writeMmdb(dir.resolve("country.mmdb"), "DBIP-Country-Lite", 6, GEOIP2_TYPES, Map.of(
                "81.2.69.160/27", Map.of("country", Map.of("iso_code", "GB")),
                "2001:218::/32", Map.of("country", Map.of("iso_code", "JP"))));

        asnDb = writeMmdb(dir.resolve("asn.mmdb"), "GeoLite2-ASN", 6, ASN_TYPES, Map.of(
                "81.2.69.0/24", Map.of("autonomous_system_number", 20712,
                        "autonomous_system_organization", "Andrews & Arnold Ltd"),
                "1.128.0.0/11", Map.of("autonomous_system_number", 1221,
                        "autonomous_system_organization", "Telstra Pty Ltd"),
                "2001:470::/32", Map.of("autonomous_system_number", 6939,
                        "autonomous_system_organization", "Hurricane Electric LLC")));

        // The layout of the ip-location-db files on the npm registry (what `bindery geoip fetch` gets).
        flatCountryDb = writeMmdb(dir.resolve("flat-country.mmdb"), "country ipvAll", 6, FLAT_TYPES, Map.of(
                "81.2.69.160/27", Map.of("country_code", "GB"),
                "2001:218::/32", Map.of("country_code", "JP")));
        flatCityDb = writeMmdb(dir.resolve("flat-city.mmdb"), "city ipvAll", 6, FLAT_TYPES, Map.of(
                "81.2.69.160/27", Map.of("country_code", "GB", "state1", "England", "state2", "Greater London",
                        "city", "London", "postcode", "SW1A", "latitude", 51.5, "longitude", -0.125,
                        "timezone", "Europe/London")));
    }

    @Test
    void findsCityAndNetworkOfAnIpv4Address() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(LONDON);
            assertThat(geo.lookup("81.2.69.191")).isEqualTo(LONDON);
        }
    }

    @Test
    void answersForAWholeNetworkHoldOnlyInsideIt() throws IOException {
        // given: a wide network with a narrower one of another country inside it, and an ASN network
        // (1.128.0.0/11) narrower than the country network around it
        var networks = new LinkedHashMap<String, Map<String, Object>>();
        networks.put("1.0.0.0/8", Map.of("country_code", "AU"));
        networks.put("1.2.3.0/24", Map.of("country_code", "CN"));
        var nested = writeMmdb(dir.resolve("nested-country.mmdb"), "country ipvAll", 6, FLAT_TYPES, networks);
        try (var geo = GeoLookup.open(nested, asnDb)) {
            var telstra = new GeoInfo("AU", null, null, null, null, null, 1221L, "Telstra Pty Ltd");
            var australia = new GeoInfo("AU", null, null, null, null, null, null, null);
            // when: addresses of each network are looked up, wide ones first, each twice
            for (int round = 0; round < 2; round++) {
                // then: every answer is the one of the address's own network
                assertThat(geo.lookup("1.130.0.1")).isEqualTo(telstra);
                assertThat(geo.lookup("1.200.0.1")).isEqualTo(australia);
                assertThat(geo.lookup("1.159.255.254")).isEqualTo(telstra);
                assertThat(geo.lookup("1.160.0.1")).isEqualTo(australia);
                assertThat(geo.lookup("1.2.4.1")).isEqualTo(australia);
                assertThat(geo.lookup("1.2.3.4").country()).isEqualTo("CN");
                assertThat(geo.lookup("1.2.2.255")).isEqualTo(australia);
                assertThat(geo.lookup("1.2.3.255").country()).isEqualTo("CN");
                assertThat(geo.lookup("10.2.3.4")).isSameAs(GeoInfo.UNKNOWN);
            }
        }
    }

    @Test
    void regionIsTheLargestSubdivisionAndNamesAreUtf8() throws IOException {
        try (var geo = GeoLookup.open(cityDb, null)) {
            var linkoping = geo.lookup("89.160.20.115");
            assertThat(linkoping.country()).isEqualTo("SE");
            assertThat(linkoping.region()).isEqualTo("Östergötland County");
            assertThat(linkoping.city()).isEqualTo("Linköping");
            assertThat(linkoping.postalCode()).isEqualTo("unknown");
            assertThat(linkoping.latitude()).isEqualTo(58.4167);
            assertThat(linkoping.longitude()).isEqualTo(15.6167);
            assertThat(linkoping.asn()).isNull();
            assertThat(linkoping.organization()).isEqualTo("unknown");
        }
    }

    @Test
    void findsIpv6AddressesInEitherDatabase() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            assertThat(geo.lookup("2001:218:1:2::3")).isEqualTo(
                    new GeoInfo("JP", null, "Tokyo", null, 35.6895, 139.6917, null, null));
            assertThat(geo.lookup("2001:470:1f0b::1")).isEqualTo(
                    new GeoInfo(null, null, null, null, null, null, 6939L, "Hurricane Electric LLC"));
        }
    }

    @Test
    void readsIpv4MappedAndBracketedAddressesLikeThePlainOnes() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            assertThat(geo.lookup("::ffff:81.2.69.170")).isEqualTo(LONDON);
            assertThat(geo.lookup("::FFFF:5102:45aa")).isEqualTo(LONDON);
            assertThat(geo.lookup("[2001:218::1]").city()).isEqualTo("Tokyo");
            assertThat(geo.lookup("2001:0218:0000:0000:0000:0000:0000:0001").city()).isEqualTo("Tokyo");
        }
    }

    @Test
    void addressesOutsideEveryNetworkAreUnknown() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            assertThat(geo.lookup("8.8.8.8")).isSameAs(GeoInfo.UNKNOWN);
            assertThat(geo.lookup("2a00:1450::1")).isSameAs(GeoInfo.UNKNOWN);
            // in the ASN database only
            assertThat(geo.lookup("1.130.0.1")).isEqualTo(
                    new GeoInfo(null, null, null, null, null, null, 1221L, "Telstra Pty Ltd"));
        }
        assertThat(GeoInfo.UNKNOWN).isEqualTo(new GeoInfo("unknown", "unknown", "unknown", "unknown", null, null,
                null, "unknown"));
    }

    @Test
    void privateAndReservedAddressesAreUnknown() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            for (var ip : List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "100.64.0.1",
                    "169.254.1.1", "224.0.0.1", "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "fd12::1",
                    "ff02::1", "::ffff:10.0.0.1")) {
                assertThat(geo.lookup(ip)).as(ip).isSameAs(GeoInfo.UNKNOWN);
            }
        }
    }

    @Test
    void garbageGivesUnknownAndNeverThrows() throws IOException {
        var longText = "1".repeat(10_000);
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            for (var ip : new String[] {null, "", " ", "not an ip", "example.com", "localhost", "999.1.1.1",
                    "1.2.3", "1.2.3.4.5", "01.2.69.160", "81.2.69.160 ", " 81.2.69.160", "81.2.69.-1", "81..69.160",
                    "1:2:3:4:5:6:7:8:9", ":::", "1::2::3", ":1::", "1::2:", "12345::", "g::1", "2001:218::1%eth0",
                    "[2001:218::1", "::ffff:1.2.3", "١.٢.٣.٤", "８１.2.69.160", "81.2.69.160/27", longText,
                    "\u0000", "1.2.3.4\n"}) {
                assertThat(geo.lookup(ip)).as(String.valueOf(ip)).isSameAs(GeoInfo.UNKNOWN);
            }
        }
    }

    @Test
    void countryDatabaseGivesTheCountryAndUnknownCity() throws IOException {
        try (var geo = GeoLookup.open(countryDb, asnDb)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(
                    new GeoInfo("GB", null, null, null, null, null, 20712L, "Andrews & Arnold Ltd"));
            assertThat(geo.lookup("2001:218::1").country()).isEqualTo("JP");
            assertThat(geo.lookup("2001:218::1").city()).isEqualTo("unknown");
        }
        try (var geo = GeoLookup.open(cityDb, null)) {
            // a city database record that knows only the country
            assertThat(geo.lookup("216.160.83.60")).isEqualTo(new GeoInfo("US", null, null, null, null, null, null,
                    null));
        }
    }

    @Test
    void fallsBackToTheRegisteredCountry() throws IOException {
        try (var geo = GeoLookup.open(cityDb, null)) {
            assertThat(geo.lookup("2a02:ff0::1")).isEqualTo(new GeoInfo("IT", null, null, null, null, null, null,
                    null));
        }
    }

    @Test
    void readsTheFlatIpLocationDbLayout() throws IOException {
        try (var geo = GeoLookup.open(flatCountryDb, null)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(
                    new GeoInfo("GB", null, null, null, null, null, null, null));
            assertThat(geo.lookup("2001:218::1").country()).isEqualTo("JP");
            assertThat(geo.lookup("8.8.8.8")).isSameAs(GeoInfo.UNKNOWN);
        }
        try (var geo = GeoLookup.open(flatCityDb, asnDb)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(new GeoInfo("GB", "England", "London", "SW1A", 51.5,
                    -0.125, 20712L, "Andrews & Arnold Ltd"));
        }
    }

    @Test
    void missingDatabasesLeaveTheirFieldsUnknown() throws IOException {
        try (var geo = GeoLookup.open(null, asnDb)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(
                    new GeoInfo(null, null, null, null, null, null, 20712L, "Andrews & Arnold Ltd"));
        }
        try (var geo = GeoLookup.open(cityDb, null)) {
            assertThat(geo.lookup("81.2.69.160")).isEqualTo(
                    new GeoInfo("GB", "England", "London", "SW1A", 51.5, -0.13, null, null));
        }
        try (var geo = GeoLookup.open(null, null)) {
            assertThat(geo.lookup("81.2.69.160")).isSameAs(GeoInfo.UNKNOWN);
            assertThat(geo.description()).isEqualTo("no geolocation databases");
        }
    }

    @Test
    void ipv4OnlyDatabaseAnswersUnknownForIpv6() throws IOException {
        try (var geo = GeoLookup.open(ipv4CityDb, null)) {
            assertThat(geo.lookup("81.2.69.160").city()).isEqualTo("London");
            assertThat(geo.lookup("2001:218::1")).isSameAs(GeoInfo.UNKNOWN);
            assertThat(geo.lookup("::ffff:81.2.69.160").city()).isEqualTo("London");
        }
    }

    @Test
    void refusesDatabasesOfTheWrongKindOrFormat() throws IOException {
        assertThatThrownBy(() -> GeoLookup.open(asnDb, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'GeoLite2-ASN'");
        assertThatThrownBy(() -> GeoLookup.open(null, cityDb))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ASN database");
        assertThatThrownBy(() -> GeoLookup.open(dir.resolve("missing.mmdb"), null)).isInstanceOf(IOException.class);
        var text = Files.writeString(dir.resolve("text.mmdb"), "not a database");
        assertThatThrownBy(() -> GeoLookup.open(text, null)).isInstanceOf(IOException.class);
    }

    @Test
    void describesTheOpenDatabases() throws IOException {
        try (var geo = GeoLookup.open(cityDb, asnDb)) {
            assertThat(geo.description())
                    .contains("location database " + cityDb + " ('GeoLite2-City', IPv6, built ")
                    .contains("ASN database " + asnDb + " ('GeoLite2-ASN', IPv6, built ");
        }
    }

    @Test
    void lookupsAfterCloseAreUnknownInsteadOfThrowing() throws IOException {
        var geo = GeoLookup.open(cityDb, asnDb);
        geo.close();
        assertThat(geo.lookup("81.2.69.161")).isSameAs(GeoInfo.UNKNOWN);
    }

    @Test
    void concurrentLookupsOfMoreAddressesThanTheCacheHoldsAllAgree() throws Exception {
        // given: more distinct addresses than cache slots, so entries collide and get overwritten
        var random = new Random(7);
        var ips = new ArrayList<String>();
        var expected = new ArrayList<GeoInfo>();
        for (int i = 0; i < GeoLookup.CACHE_SLOTS * 2; i++) {
            switch (i % 4) {
                case 0 -> {
                    ips.add("81.2.69." + (160 + random.nextInt(32)));
                    expected.add(LONDON);
                }
                case 1 -> {
                    ips.add("2001:218:" + Integer.toHexString(random.nextInt(0x10000)) + "::"
                            + Integer.toHexString(i & 0xffff));
                    expected.add(new GeoInfo("JP", null, "Tokyo", null, 35.6895, 139.6917, null, null));
                }
                default -> {
                    ips.add("8." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256));
                    expected.add(GeoInfo.UNKNOWN);
                }
            }
        }
        try (var geo = GeoLookup.open(cityDb, asnDb); var pool = Executors.newFixedThreadPool(4)) {
            // when: four threads look them all up, twice, each starting elsewhere
            var results = new ArrayList<Future<List<String>>>();
            for (int t = 0; t < 4; t++) {
                int start = t * ips.size() / 4;
                results.add(pool.submit(() -> {
                    var wrong = new ArrayList<String>();
                    for (int n = 0; n < ips.size() * 2; n++) {
                        int i = (start + n) % ips.size();
                        var info = geo.lookup(ips.get(i));
                        if (!info.equals(expected.get(i))) {
                            wrong.add(ips.get(i) + " -> " + info);
                        }
                    }
                    return wrong;
                }));
            }
            // then
            for (var result : results) {
                assertThat(result.get()).isEmpty();
            }
        }
    }
}
