package dev.bindery.content;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OSS licenses Bintray accepted for packages, from {@code oss-licenses.json} on the class path. */
public final class OssLicenses {

    /** One license, as {@code GET /licenses/oss_licenses} lists it. */
    public record License(String name, String longname, String url) {
    }

    private static final Map<String, License> BY_NAME = load();

    private OssLicenses() {
    }

    public static List<License> all() {
        return List.copyOf(BY_NAME.values());
    }

    public static boolean isKnown(String name) {
        return BY_NAME.containsKey(name);
    }

    private static Map<String, License> load() {
        try (var in = OssLicenses.class.getResourceAsStream("/oss-licenses.json")) {
            if (in == null) {
                throw new IllegalStateException("oss-licenses.json is missing from the class path");
            }
            List<License> licenses = new ObjectMapper().readValue(in, new TypeReference<List<License>>() { });
            var byName = new LinkedHashMap<String, License>();
            licenses.forEach(license -> byName.put(license.name(), license));
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
