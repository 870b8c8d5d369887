package dev.bindery.analytics;

import java.util.Locale;

/**
 * Where an IP address is, as far as the geolocation databases know.
 *
 * <p>Unknown text fields hold {@value #UNKNOWN_TEXT}, never null or blank; unknown numbers are
 * null. The constructor normalizes: null or blank text becomes {@value #UNKNOWN_TEXT}, the country
 * is upper-cased and anything but two ASCII letters (or DB-IP's {@code ZZ}) becomes unknown.
 *
 * @param country ISO 3166-1 alpha-2 code, upper-case
 * @param region name of the largest subdivision (state, province, England in the UK)
 * @param city city name
 * @param postalCode postal code
 * @param latitude degrees, may be null
 * @param longitude degrees, may be null
 * @param asn autonomous system number, may be null
 * @param organization name of the organization holding the autonomous system
 */
public record GeoInfo(String country, String region, String city, String postalCode, Double latitude,
        Double longitude, Long asn, String organization) {

    public static final String UNKNOWN_TEXT = "unknown";

    public static final GeoInfo UNKNOWN = new GeoInfo(null, null, null, null, null, null, null, null);

    public GeoInfo {
        country = countryCode(country);
        region = text(region);
        city = text(city);
        postalCode = text(postalCode);
        organization = text(organization);
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? UNKNOWN_TEXT : value;
    }

    private static String countryCode(String value) {
        if (value == null || value.length() != 2) {
            return UNKNOWN_TEXT;
        }
        var code = value.toUpperCase(Locale.ROOT);
        if (!isAsciiLetter(code.charAt(0)) || !isAsciiLetter(code.charAt(1)) || code.equals("ZZ")) {
            return UNKNOWN_TEXT;
        }
        return code;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }
}
