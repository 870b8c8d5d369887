package dev.bindery.formats.debian;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Reads the control paragraph of a binary package (deb(5)): an ar archive of {@code debian-binary},
 * {@code control.tar[.gz|.xz|.zst]} and {@code data.tar.*}. Only the control member is decompressed;
 * the others are skipped, and the archive's length is checked against its members so a truncated
 * upload is refused. Stateless.
 */
final class DebArchive {

    private static final long MAX_CONTROL_FILE = 1 << 20;
    /** Bounds the decompressed control.tar walked to find ./control, against decompression bombs. */
    private static final long MAX_CONTROL_TAR = 64L << 20;
    private static final int AR_MAGIC_LENGTH = 8;
    private static final int AR_HEADER_LENGTH = 60;

    private DebArchive() {
    }

    /**
     * The control paragraph of the package in {@code in}, which holds {@code size} bytes.
     *
     * @param what names the file in messages, e.g. {@code 'hello_1.0_amd64.deb'}
     * @throws dev.bindery.BinderyException badRequest naming what is wrong with the file
     */
    static ControlParagraph control(InputStream in, long size, String what) throws IOException {
        String controlText = null;
        boolean sawVersion = false;
        boolean sawData = false;
        long expected = AR_MAGIC_LENGTH;
        try (var ar = new ArArchiveInputStream(new BufferedInputStream(in, 8192))) {
            ArArchiveEntry entry;
            int index = 0;
            while ((entry = nextEntry(ar, what)) != null) {
                var name = entry.getName();
                expected += AR_HEADER_LENGTH + entry.getLength() + (entry.getLength() % 2);
                if (index == 0) {
                    if (!name.equals("debian-binary")) {
                        throw ControlParagraph.bad(what, "its first member is '" + name + "', not 'debian-binary'");
                    }
                    var version = new String(ar.readNBytes(64), StandardCharsets.US_ASCII);
                    if (!version.startsWith("2.")) {
                        throw ControlParagraph.bad(what, "its format version is '" + version.strip()
                                + "', not 2.x");
                    }
                    sawVersion = true;
                } else if (name.startsWith("control.tar")) {
                    if (controlText != null) {
                        throw ControlParagraph.bad(what, "it has two control members");
                    }
                    controlText = controlFile(ar, name, what);
                } else if (name.startsWith("data.tar")) {
                    sawData = true;
                }
                index++;
            }
        }
        if (!sawVersion) {
            throw ControlParagraph.bad(what, "it is an empty ar archive");
        }
        if (controlText == null) {
            throw ControlParagraph.bad(what, "it has no control.tar member");
        }
        if (!sawData) {
            throw ControlParagraph.bad(what, "it has no data.tar member");
        }
        // The last member's padding byte is optional in practice.
        if (size < expected - 1) {
            throw ControlParagraph.bad(what, "it is truncated: its members need " + expected + " bytes, it has " + size);
        }
        return ControlParagraph.parse(controlText, what);
    }

    private static ArArchiveEntry nextEntry(ArArchiveInputStream ar, String what) {
        try {
            return ar.getNextEntry();
        } catch (IOException | RuntimeException e) {
            var message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (message.contains("Invalid header") || message.contains("magic")) {
                throw ControlParagraph.bad(what, "it is not an ar archive");
            }
            throw ControlParagraph.bad(what, "its ar archive is damaged or truncated (" + message + ")");
        }
    }

    /** The text of {@code ./control} in the control member {@code name}, which {@code ar} is positioned at. */
    private static String controlFile(InputStream member, String name, String what) {
        try {
            InputStream decompressed = switch (name) {
                case "control.tar" -> member;
                case "control.tar.gz" -> new GzipCompressorInputStream(member);
                case "control.tar.xz" -> new XZCompressorInputStream(member);
                case "control.tar.zst" -> new ZstdCompressorInputStream(member);
                default -> throw ControlParagraph.bad(what, "its control member '" + name
                        + "' is not compressed with gzip, xz or zstd");
            };
            var tar = new TarArchiveInputStream(new Bounded(decompressed, MAX_CONTROL_TAR));
            for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                var path = entry.getName();
                if ((path.equals("./control") || path.equals("control")) && entry.isFile()) {
                    if (entry.getSize() > MAX_CONTROL_FILE) {
                        throw ControlParagraph.bad(what, "its control file is larger than " + MAX_CONTROL_FILE
                                + " bytes");
                    }
                    var bytes = tar.readNBytes((int) entry.getSize());
                    if (bytes.length < entry.getSize()) {
                        throw ControlParagraph.bad(what, name + " is truncated");
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }
            }
            throw ControlParagraph.bad(what, name + " has no ./control file");
        } catch (Bounded.LimitException e) {
            throw ControlParagraph.bad(what, name + " is larger than " + MAX_CONTROL_TAR + " bytes uncompressed");
        } catch (EOFException e) {
            throw ControlParagraph.bad(what, name + " is truncated");
        } catch (IOException | RuntimeException e) {
            if (e instanceof dev.bindery.BinderyException bindery) {
                throw bindery;
            }
            var message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw ControlParagraph.bad(what, name + " cannot be read (" + message + ")");
        }
    }

    /** Fails once more than {@code limit} bytes were read. */
    private static final class Bounded extends FilterInputStream {
        static final class LimitException extends IOException {
            LimitException() {
                super("limit exceeded");
            }
        }

        private long remaining;

        Bounded(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --remaining < 0) {
                throw new LimitException();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0 && (remaining -= n) < 0) {
                throw new LimitException();
            }
            return n;
        }

    }
}
