package dev.bindery.content;

import dev.bindery.BinderyException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The repository types Bintray's Create Repository accepts. */
public enum RepositoryType {
    MAVEN, DEBIAN, CONAN, RPM, DOCKER, NPM, OPKG, NUGET, VAGRANT, GENERIC;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RepositoryType fromWire(String value) {
        if (value == null) {
            return GENERIC;
        }
        for (var type : values()) {
            if (type.wire().equals(value.toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw BinderyException.badRequest("Repository type '" + value + "' is not one of "
                + Arrays.stream(values()).map(RepositoryType::wire).collect(Collectors.joining(", ")));
    }
}
