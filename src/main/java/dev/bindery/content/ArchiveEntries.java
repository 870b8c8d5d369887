package dev.bindery.content;

import dev.bindery.BinderyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the regular files of a zip or tar.gz archive, one stream each, for X-Bintray-Explode.
 * Entry names are checked against zip-slip: absolute paths, drive letters, backslashes and
 * {@code ..} segments are refused.
 */
final class ArchiveEntries {

    enum Format { ZIP, TAR_GZ }

    interface EntrySink {
        void accept(String name, InputStream content) throws IOException;
    }

    private ArchiveEntries() {
    }

    static void forEach(Format format, Path archive, EntrySink sink) throws IOException {
        if (format == Format.ZIP) {
            try (var zip = ZipFile.builder().setPath(archive).get()) {
                var entries = zip.getEntries();
                while (entries.hasMoreElements()) {
                    var entry = entries.nextElement();
                    if (entry.isDirectory() || entry.isUnixSymlink()) {
                        continue;
                    }
                    try (var in = zip.getInputStream(entry)) {
                        sink.accept(entry.getName(), in);
                    }
                }
            }
        } else {
            try (var raw = Files.newInputStream(archive);
                 var gzip = new GzipCompressorInputStream(raw);
                 var tar = new TarArchiveInputStream(gzip)) {
                var entry = tar.getNextEntry();
                while (entry != null) {
                    if (entry.isFile()) {
                        sink.accept(entry.getName(), tar);
                    }
                    entry = tar.getNextEntry();
                }
            }
        }
    }

    /** The entry name if it stays inside the folder it is exploded into; 400 otherwise. */
    static String checkEntryName(String name) {
        if (name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")) {
            throw BinderyException.badRequest("Archive entry '" + name + "' has an absolute path; refusing to explode");
        }
        for (var segment : name.split("/")) {
            if (segment.equals("..")) {
                throw BinderyException.badRequest("Archive entry '" + name + "' leaves its folder; refusing to explode");
            }
        }
        return name;
    }
}
