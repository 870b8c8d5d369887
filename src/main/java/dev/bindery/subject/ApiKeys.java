package dev.bindery.subject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Generating, hashing and checking API keys. Keys are 160 random bits, so a single SHA-256 is
 * enough to store them safely (there is nothing to guess by brute force, unlike passwords), and
 * checking one costs microseconds; comparisons are constant-time.
 */
public final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private ApiKeys() {
    }

    /** A new key: 40 lower-case hex digits, the shape of Bintray's keys. */
    public static String generate() {
        var bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    public static String hash(String apiKey) {
        return HEX.formatHex(sha256(apiKey));
    }

    /** Whether {@code apiKey} hashes to {@code storedHash}, in time independent of where they differ. */
    public static boolean matches(String apiKey, String storedHash) {
        if (apiKey == null || storedHash == null || storedHash.length() != 64) {
            return false;
        }
        return MessageDigest.isEqual(sha256(apiKey), HEX.parseHex(storedHash));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
