package dev.bindery.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A path with Bintray's matrix parameters, {@code a/b/file.deb;deb_distribution=wheezy;publish=1},
 * split into its segments and the parameters. Parameters may follow any segment; a parameter without
 * {@code =} counts as {@code 1}.
 */
record MatrixPath(List<String> segments, Map<String, String> params) {

    static MatrixPath parse(String raw) {
        var segments = new ArrayList<String>();
        var params = new LinkedHashMap<String, String>();
        for (var segment : raw.split("/", -1)) {
            var parts = segment.split(";", -1);
            segments.add(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                if (parts[i].isEmpty()) {
                    continue;
                }
                int eq = parts[i].indexOf('=');
                if (eq < 0) {
                    params.put(parts[i], "1");
                } else {
                    params.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                }
            }
        }
        return new MatrixPath(List.copyOf(segments), Map.copyOf(params));
    }

    /** The segments from {@code from} on, joined with slashes. */
    String path(int from) {
        return String.join("/", segments.subList(Math.min(from, segments.size()), segments.size()));
    }

    /** Segments that are not empty (doubled slashes fold away). */
    List<String> nonEmptySegments() {
        return segments.stream().filter(segment -> !segment.isEmpty()).toList();
    }
}
