package dev.bindery.formats;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip file made of many small units (a package's entry each) between a head and a tail, which
 * recompresses only what changed since its last build: adding one package to an index of 10,000
 * compresses one chunk, not all of them. Units are grouped into chunks whose boundaries depend on the
 * units themselves (not on their positions, so an insertion moves no boundary but its own), each
 * compressed on its own and ended with a sync flush, so the compressed chunks concatenate into one
 * valid deflate stream, as pigz does. Gzip readers see an ordinary single-member file.
 *
 * <p>Chunks are recognised by the identity of their units: callers pass the same unit objects for
 * unchanged entries (an equal but different object only costs a recompression). One instance per
 * index file; not thread-safe (a repository's index is rebuilt by one thread at a time).
 *
 * <p>The SHA-256 of what the file holds (the open checksum) covers every byte, head first, so it
 * cannot reuse the previous build's when the head changed (a package count). {@link #precompute}
 * hashes ahead, in the background, the head the next build is expected to have and the chunks of the
 * last one, keeping the digest's state after each chunk; a next build with that head resumes from the
 * state after its longest run of unchanged leading chunks, so appending a unit hashes one chunk.
 */
public final class ChunkedGzip {

    /** A unit and its bytes; units are compared by identity, so callers reuse unchanged ones. */
    public interface Unit {
        byte[] bytes();

        /** Stable for the unit's lifetime; decides chunk boundaries. */
        long boundaryKey();
    }

    /** About one unit in 64 ends a chunk: chunks of tens of KB, past deflate's 32 KB window. */
    private static final int BOUNDARY_MASK = 63;
    private static final int MAX_UNITS = 512;
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    private static final byte[] NOTHING = {};

    private final int level;
    private Map<ChunkKey, byte[]> compressed = new HashMap<>();
    private int lastEncoded;
    private int lastChunks;
    private volatile int lastHashedChunks;
    /** The chunks of the last build, for {@link #precompute}. */
    private List<ChunkKey> lastChunkKeys = List.of();
    /** Digest states hashed ahead for the next build, or null; written by a background thread. */
    private volatile Ahead ahead;

    public ChunkedGzip(int level) {
        this.level = level;
    }

    /** Builds the gzip file of the units alone. */
    public Result build(List<? extends Unit> units) {
        return build(NOTHING, units, NOTHING);
    }

    /** Builds the gzip file of {@code head}, the units in order and {@code tail}; keeps its chunks for the next call. */
    public Result build(byte[] head, List<? extends Unit> units, byte[] tail) {
        var chunks = new ArrayList<ChunkKey>();
        var current = new ArrayList<Unit>();
        for (var unit : units) {
            current.add(unit);
            if ((mix(unit.boundaryKey()) & BOUNDARY_MASK) == 0 || current.size() >= MAX_UNITS) {
                chunks.add(new ChunkKey(current.toArray(Unit[]::new)));
                current.clear();
            }
        }
        if (!current.isEmpty()) {
            chunks.add(new ChunkKey(current.toArray(Unit[]::new)));
        }
        var previous = compressed;
        var next = new HashMap<ChunkKey, byte[]>(chunks.size() * 2);
        var missing = new ArrayList<ChunkKey>();
        for (var chunk : chunks) {
            var bytes = previous.get(chunk);
            if (bytes == null) {
                missing.add(chunk);
            } else {
                next.put(chunk, bytes);
            }
        }
        // Compress the new chunks on all cores: a full build is all of them.
        var fresh = missing.parallelStream().map(chunk -> deflate(chunk.units(), level, false)).toList();
        for (int i = 0; i < missing.size(); i++) {
            next.put(missing.get(i), fresh.get(i));
        }
        compressed = next;
        lastEncoded = missing.size();
        lastChunks = chunks.size();
        lastChunkKeys = chunks;

        var crc = new CRC32();
        long openSize = 0;
        var out = new ByteArrayOutputStream(64 * 1024);
        out.writeBytes(GZIP_HEADER);
        out.writeBytes(deflate(new Unit[] {new Bytes(head)}, level, false));
        crc.update(head);
        openSize += head.length;
        for (var chunk : chunks) {
            out.writeBytes(next.get(chunk));
            for (var unit : chunk.units()) {
                var bytes = unit.bytes();
                crc.update(bytes);
                openSize += bytes.length;
            }
        }
        out.writeBytes(deflate(new Unit[] {new Bytes(tail)}, level, true));
        crc.update(tail);
        openSize += tail.length;
        writeIntLittleEndian(out, (int) crc.getValue());
        writeIntLittleEndian(out, (int) openSize);
        return new Result(out.toByteArray(), head, List.copyOf(units), tail, openSize, chunks, ahead, this);
    }

    /**
     * Starts hashing, in the background, what a next build would hold if its head were {@code nextHead}
     * and its units began as the last build's, so that build's {@link Result#openSha256} only hashes
     * from its first changed chunk on. A later call, or a build that finds its head or chunks
     * different, simply does not use what this hashed; the checksum is the same either way.
     */
    public void precompute(byte[] nextHead) {
        var previous = ahead;
        if (previous != null) {
            previous.cancelled = true;
        }
        var chunks = lastChunkKeys.toArray(ChunkKey[]::new);
        var next = new Ahead(nextHead.clone(), chunks);
        ahead = next;
        if (chunks.length > 0) {
            next.thread = Thread.ofVirtual().name("gzip-ahead").start(next::run);
        }
    }

    /** How many chunks the last open checksum hashed (the others were resumed from {@link #precompute}): for tests. */
    public int lastHashedChunks() {
        return lastHashedChunks;
    }

    /** The digest states after the head and each of the chunks, filled in order by one background thread. */
    private static final class Ahead {
        final byte[] head;
        final ChunkKey[] chunks;
        final MessageDigest[] states;
        /** How many of {@link #states} are set; written after them. */
        volatile int ready;
        /** How many states are still wanted: the background thread stops there. */
        volatile int limit;
        volatile boolean cancelled;
        volatile Thread thread;

        Ahead(byte[] head, ChunkKey[] chunks) {
            this.head = head;
            this.chunks = chunks;
            this.states = new MessageDigest[chunks.length];
            this.limit = chunks.length;
        }

        void run() {
            var digest = sha256Digest();
            digest.update(head);
            try {
                for (int i = 0; i < limit && !cancelled; i++) {
                    for (var unit : chunks[i].units()) {
                        digest.update(unit.bytes());
                    }
                    states[i] = (MessageDigest) digest.clone();
                    ready = i + 1;
                }
            } catch (CloneNotSupportedException e) {
                // SHA-256 digests of the JDK clone; without it, builds hash everything
            }
        }

        /**
         * A copy of the state after the longest run of leading {@code others} that are the chunks hashed
         * here, and its length; or null when there is none. Waits for the background thread to get
         * there if it has not yet: it hashes what the caller would otherwise hash again.
         */
        Resumed resume(byte[] otherHead, List<ChunkKey> others) {
            if (!java.util.Arrays.equals(head, otherHead)) {
                return null;
            }
            int same = 0;
            int most = Math.min(chunks.length, others.size());
            while (same < most && chunks[same].equals(others.get(same))) {
                same++;
            }
            limit = same;
            if (ready < same && thread != null) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            same = Math.min(same, ready);
            if (same == 0) {
                return null;
            }
            try {
                return new Resumed((MessageDigest) states[same - 1].clone(), same);
            } catch (CloneNotSupportedException e) {
                return null;
            }
        }
    }

    private record Resumed(MessageDigest digest, int chunks) {
    }

    /** How many chunks the last build compressed, and how many it had in all: for tests. */
    public int lastEncoded() {
        return lastEncoded;
    }

    public int lastChunks() {
        return lastChunks;
    }

    /**
     * A built file: its gzip bytes, and on demand what it holds and the SHA-256 of either (not every
     * index lists them, so they are not computed unless asked for).
     */
    public static final class Result {
        private final byte[] bytes;
        private final byte[] head;
        private final List<Unit> units;
        private final byte[] tail;
        private final long openSize;
        private final List<ChunkKey> chunks;
        private final Ahead ahead;
        private final ChunkedGzip owner;
        private String sha256;
        private String openSha256;

        private Result(byte[] bytes, byte[] head, List<Unit> units, byte[] tail, long openSize, List<ChunkKey> chunks,
                       Ahead ahead, ChunkedGzip owner) {
            this.bytes = bytes;
            this.head = head;
            this.units = units;
            this.tail = tail;
            this.openSize = openSize;
            this.chunks = chunks;
            this.ahead = ahead;
            this.owner = owner;
        }

        /** The gzip file. */
        public byte[] bytes() {
            return bytes;
        }

        /** The size of what the file holds. */
        public long openSize() {
            return openSize;
        }

        /** What the file holds: the head, the units and the tail. */
        public byte[] plain() {
            var plain = new byte[Math.toIntExact(openSize)];
            int at = 0;
            System.arraycopy(head, 0, plain, at, head.length);
            at += head.length;
            for (var unit : units) {
                var unitBytes = unit.bytes();
                System.arraycopy(unitBytes, 0, plain, at, unitBytes.length);
                at += unitBytes.length;
            }
            System.arraycopy(tail, 0, plain, at, tail.length);
            return plain;
        }

        /** The hex SHA-256 of the gzip file. */
        public synchronized String sha256() {
            if (sha256 == null) {
                sha256 = HexFormat.of().formatHex(sha256Digest().digest(bytes));
            }
            return sha256;
        }

        /** The hex SHA-256 of what the file holds. */
        public synchronized String openSha256() {
            if (openSha256 == null) {
                var resumed = ahead == null ? null : ahead.resume(head, chunks);
                MessageDigest digest;
                int from;
                if (resumed == null) {
                    digest = sha256Digest();
                    digest.update(head);
                    from = 0;
                } else {
                    digest = resumed.digest();
                    from = resumed.chunks();
                }
                for (int i = from; i < chunks.size(); i++) {
                    for (var unit : chunks.get(i).units()) {
                        digest.update(unit.bytes());
                    }
                }
                digest.update(tail);
                openSha256 = HexFormat.of().formatHex(digest.digest());
                owner.lastHashedChunks = chunks.size() - from;
            }
            return openSha256;
        }
    }

    private record Bytes(byte[] bytes) implements Unit {
        @Override
        public long boundaryKey() {
            return 0;
        }
    }

    /** Raw deflate of the units, ending byte-aligned (sync flush), or with the final block when {@code last}. */
    private static byte[] deflate(Unit[] units, int level, boolean last) {
        var deflater = new Deflater(level, true);
        try {
            var out = new ByteArrayOutputStream(8 * 1024);
            var buffer = new byte[32 * 1024];
            for (var unit : units) {
                deflater.setInput(unit.bytes());
                while (!deflater.needsInput()) {
                    int n = deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH);
                    out.write(buffer, 0, n);
                }
            }
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    int n = deflater.deflate(buffer);
                    out.write(buffer, 0, n);
                }
            } else {
                int n;
                do {
                    n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                    out.write(buffer, 0, n);
                } while (n == buffer.length);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void writeIntLittleEndian(ByteArrayOutputStream out, int value) {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }

    private static long mix(long key) {
        key ^= key >>> 33;
        key *= 0xff51afd7ed558ccdL;
        key ^= key >>> 33;
        return key;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chunk, equal to another holding the same unit objects in the same order. */
    private record ChunkKey(Unit[] units) {
        @Override
        public boolean equals(Object other) {
            if (!(other instanceof ChunkKey that) || that.units.length != units.length) {
                return false;
            }
            for (int i = 0; i < units.length; i++) {
                if (units[i] != that.units[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int hash = 1;
            for (var unit : units) {
                hash = 31 * hash + System.identityHashCode(unit);
            }
            return hash;
        }
    }
}
