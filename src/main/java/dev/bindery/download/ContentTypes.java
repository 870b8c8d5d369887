package dev.bindery.download;

import java.util.Locale;
import java.util.Map;

/** The Content-Type a download is served with, by file name. */
public final class ContentTypes {

    private static final String DEFAULT = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("jar", "application/java-archive"),
            Map.entry("war", "application/java-archive"),
            Map.entry("pom", "application/xml"),
            Map.entry("xml", "application/xml"),
            Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain"),
            Map.entry("md", "text/markdown"),
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"),
            Map.entry("md5", "text/plain"),
            Map.entry("sha1", "text/plain"),
            Map.entry("sha256", "text/plain"),
            Map.entry("sha512", "text/plain"),
            Map.entry("asc", "application/pgp-signature"),
            Map.entry("sig", "application/pgp-signature"),
            Map.entry("gpg", "application/pgp-keys"),
            Map.entry("zip", "application/zip"),
            Map.entry("gz", "application/gzip"),
            Map.entry("tgz", "application/gzip"),
            Map.entry("bz2", "application/x-bzip2"),
            Map.entry("xz", "application/x-xz"),
            Map.entry("zst", "application/zstd"),
            Map.entry("tar", "application/x-tar"),
            Map.entry("deb", "application/vnd.debian.binary-package"),
            Map.entry("rpm", "application/x-rpm"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("pdf", "application/pdf"));

    private ContentTypes() {
    }

    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return DEFAULT;
        }
        return BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
