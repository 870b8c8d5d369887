package dev.bindery.formats.rpm;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.eclipse.packager.rpm.RpmSignatureTag;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.parse.InputHeader;
import org.eclipse.packager.rpm.parse.RpmInputStream;

/**
 * Reads the lead, the signature header and the header of an RPM file with Eclipse Packager's parser,
 * and stops there. {@link RpmInputStream} on its own also sets up the payload decompressor, which fails
 * for zstd payloads (Fedora's default) without a native library; the index needs no payload.
 *
 * <p>Before the parser allocates a header, the header's declared index and store sizes are checked
 * against what is left of the file, so a fake file cannot make it allocate gigabytes. Not thread-safe;
 * one instance reads one file.
 */
final class RpmHeaderReader extends RpmInputStream {

    /** Lead (96 bytes) as RPM defines it. */
    static final int LEAD_SIZE = 96;
    private static final int INTRO_SIZE = 16;
    /** No real header comes near this; rpm itself refuses data over 256 MiB. */
    private static final long MAX_HEADER_BYTES = 64L * 1024 * 1024;
    private static final int MAX_TAGS = 0xffff;

    private final BufferedInputStream peek;
    private final Digesting digesting;
    private final long fileSize;

    /**
     * What was read: the two headers, with their byte ranges in the file, and the SHA-256 and SHA-1
     * of the header's bytes (lowercase hex), which the signature header's digests cover.
     */
    record Headers(InputHeader<RpmSignatureTag> signature, InputHeader<RpmTag> header, String headerSha256,
                   String headerSha1) {
    }

    private RpmHeaderReader(Digesting digesting, BufferedInputStream peek, long fileSize) {
        super(digesting);
        this.digesting = digesting;
        this.peek = peek;
        this.fileSize = fileSize;
    }

    /**
     * Reads the headers of the RPM file {@code in} of {@code fileSize} bytes.
     *
     * @throws IOException naming what is wrong when it is no RPM file, or truncated
     */
    static Headers read(InputStream in, long fileSize) throws IOException {
        var buffered = new BufferedInputStream(in, 64 * 1024);
        var reader = new RpmHeaderReader(new Digesting(buffered), buffered, fileSize);
        if (fileSize < LEAD_SIZE) {
            throw new IOException("it is " + fileSize + " bytes long, shorter than an RPM lead (96 bytes)");
        }
        reader.readLead();
        reader.checkIntro("signature header", LEAD_SIZE);
        InputHeader<RpmSignatureTag> signature = reader.readHeader(true);
        long headerStart = signature.getStart() + signature.getLength();
        reader.checkIntro("header", headerStart);
        reader.digesting.start();
        InputHeader<RpmTag> header = reader.readHeader(false);
        return new Headers(signature, header, reader.digesting.hex(reader.digesting.sha256),
                reader.digesting.hex(reader.digesting.sha1));
    }

    /** Looks at the 16-byte intro of the header at {@code position} without consuming it. */
    private void checkIntro(String what, long position) throws IOException {
        peek.mark(INTRO_SIZE);
        byte[] intro = peek.readNBytes(INTRO_SIZE);
        peek.reset();
        if (intro.length < INTRO_SIZE) {
            throw new IOException("it ends inside the " + what + " (truncated)");
        }
        var buffer = ByteBuffer.wrap(intro);
        int tags = buffer.getInt(8);
        int store = buffer.getInt(12);
        if (tags < 1 || tags > MAX_TAGS || store < 0) {
            throw new IOException("its " + what + " declares " + Integer.toUnsignedString(tags) + " tags and "
                    + Integer.toUnsignedString(store) + " bytes of data, which no RPM has");
        }
        long size = INTRO_SIZE + 16L * tags + store;
        if (size > MAX_HEADER_BYTES) {
            throw new IOException("its " + what + " is " + size + " bytes, over the limit of " + MAX_HEADER_BYTES);
        }
        if (position + size > fileSize) {
            throw new IOException("it ends inside the " + what + " (truncated: the " + what + " needs "
                    + (position + size) + " bytes, the file has " + fileSize + ")");
        }
    }

    /** Passes bytes through, hashing them once {@link #start()} was called. */
    private static final class Digesting extends FilterInputStream {
        final MessageDigest sha256;
        final MessageDigest sha1;
        private boolean on;

        Digesting(InputStream in) {
            super(in);
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
                sha1 = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void start() {
            on = true;
        }

        String hex(MessageDigest digest) {
            return java.util.HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (on && b >= 0) {
                sha256.update((byte) b);
                sha1.update((byte) b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = in.read(buffer, offset, length);
            if (on && read > 0) {
                sha256.update(buffer, offset, read);
                sha1.update(buffer, offset, read);
            }
            return read;
        }

        @Override
        public long skip(long n) throws IOException {
            // The parser skips only padding, never inside the header being hashed.
            return in.skip(n);
        }
    }
}
