package dev.bindery.formats;

import dev.bindery.content.ContentListener;
import dev.bindery.content.ContentStore;
import dev.bindery.content.FileEntry;
import dev.bindery.content.FileInspector;
import dev.bindery.content.FilePath;
import dev.bindery.content.Pkg;
import dev.bindery.content.Repository;
import dev.bindery.content.RepositoryType;
import dev.bindery.content.Version;
import dev.bindery.signing.Signer;
import dev.bindery.storage.BlobStore;
import dev.bindery.storage.StoredBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the repository formats: inspects uploads with the repository type's format, and rebuilds a
 * repository's index after publishes, deletes and {@code calc_metadata}. Rebuilds of one repository
 * run one at a time, and requests that arrive while one runs are coalesced into the next, so a burst
 * of uploads costs a few rebuilds rather than one each. Thread-safe.
 */
public final class FormatService implements FileInspector, ContentListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FormatService.class);

    /**
     * How long a superseded index file a format asked to keep stays servable ({@link
     * IndexContext#replace(String, Map, Predicate)}): longer than a client takes
     * from reading repomd.xml or InRelease to fetching what it names.
     */
    public static final Duration SUPERSEDED_GRACE = Duration.ofMinutes(10);

    /** Finds the key that signs a repository's metadata; see {@code dev.bindery.signing}. */
    @FunctionalInterface
    public interface MetadataSigners {
        MetadataSigners NONE = (repository, passphrase) -> Optional.empty();

        Optional<Signer> metadataSigner(Repository repository, char[] passphrase);
    }

    private final ContentStore content;
    private final FormatStore store;
    private final BlobStore blobs;
    private final Clock clock;
    private final MetadataSigners signers;
    private final Map<RepositoryType, RepositoryFormat> formats = new EnumMap<>(RepositoryType.class);
    private final ConcurrentHashMap<Long, Queue> queues = new ConcurrentHashMap<>();
    private final List<Runnable> indexListeners = new CopyOnWriteArrayList<>();
    /** The file listings of the prefixes rebuilt lately, by repository id and prefix; see {@link FileListing}. */
    private final Map<String, FileListing> listings = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, FileListing> eldest) {
                    return size() > LISTINGS;
                }
            });
    private static final int LISTINGS = 16;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("index-", 0).factory());

    /** Rebuilds asked for one repository and not started yet. */
    private static final class Queue {
        final Set<String> paths = new LinkedHashSet<>();
        final List<CompletableFuture<Void>> waiters = new ArrayList<>();
        char[] passphrase;
        boolean running;
    }

    public FormatService(ContentStore content, FormatStore store, BlobStore blobs, Clock clock, MetadataSigners signers,
                         List<RepositoryFormat> formats) {
        this.content = content;
        this.store = store;
        this.blobs = blobs;
        this.clock = clock;
        this.signers = signers;
        for (var format : formats) {
            this.formats.put(format.type(), format);
        }
    }

    /** Runs {@code listener} after index files changed, e.g. to drop download caches. */
    public void onIndexChanged(Runnable listener) {
        indexListeners.add(listener);
    }

    public boolean indexes(Repository repository) {
        return formats.containsKey(repository.type());
    }

    @Override
    public String inspect(Repository repository, FilePath path, StoredBlob blob, Map<String, String> parameters) {
        var format = formats.get(repository.type());
        return format == null ? null : format.inspect(repository, path, blob, parameters);
    }

    /**
     * The index file served at {@code path}, if the repository's format generated one: of the current
     * generation, or superseded and still kept.
     */
    public Optional<IndexFile> indexFile(long repositoryId, String path) {
        return store.servedIndexFile(repositoryId, path, clock.instant());
    }

    /**
     * Removes the superseded index files whose grace period is over, of all repositories, so their
     * blobs can be swept; run on the sweeper's schedule. Returns how many.
     */
    public int removeExpired() {
        int removed = store.removeExpiredIndexFiles(clock.instant());
        if (removed > 0) {
            indexListeners.forEach(Runnable::run);
        }
        return removed;
    }

    @Override
    public void published(Repository repository, Pkg pkg, Version version) {
        awaitQuietly(schedule(repository, "", null));
    }

    @Override
    public void deleted(Repository repository, Pkg pkg) {
        awaitQuietly(schedule(repository, "", null));
    }

    /** Builds the index of a new repository (Debian's default coordinates give one even when empty). */
    @Override
    public void repositoryChanged(Repository repository) {
        schedule(repository, "", null);
    }

    /**
     * Rebuilds the index of {@code repository} (the part under {@code path}, or all of it for "")
     * in the background; the future completes when a rebuild that started after this call is done.
     *
     * @param passphrase for the metadata signing key, or null
     */
    public CompletableFuture<Void> schedule(Repository repository, String path, char[] passphrase) {
        var done = new CompletableFuture<Void>();
        if (!indexes(repository)) {
            done.complete(null);
            return done;
        }
        var queue = queues.computeIfAbsent(repository.id(), id -> new Queue());
        boolean start;
        synchronized (queue) {
            queue.paths.add(path == null ? "" : path);
            queue.waiters.add(done);
            if (passphrase != null) {
                queue.passphrase = passphrase.clone();
            }
            start = !queue.running;
            queue.running = true;
        }
        if (start) {
            executor.execute(() -> drain(repository.id(), queue));
        }
        return done;
    }

    /** Waits until no rebuild is queued or running, for tests and orderly shutdown. */
    public void awaitIdle(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (queues.values().stream().anyMatch(queue -> {
            synchronized (queue) {
                return queue.running;
            }
        })) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Index rebuilds still running after " + timeout);
            }
            Thread.sleep(5);
        }
    }

    private void drain(long repositoryId, Queue queue) {
        while (true) {
            List<String> paths;
            List<CompletableFuture<Void>> waiters;
            char[] passphrase;
            synchronized (queue) {
                if (queue.waiters.isEmpty()) {
                    queue.running = false;
                    return;
                }
                paths = queue.paths.contains("") ? List.of("") : List.copyOf(queue.paths);
                waiters = List.copyOf(queue.waiters);
                passphrase = queue.passphrase;
                queue.paths.clear();
                queue.waiters.clear();
                queue.passphrase = null;
            }
            try {
                var repository = content.repositoryById(repositoryId);
                if (repository.isPresent()) {
                    for (var path : paths) {
                        rebuild(repository.get(), path, passphrase);
                    }
                }
                waiters.forEach(waiter -> waiter.complete(null));
            } catch (RuntimeException e) {
                LOG.error("Index rebuild of repository {} failed: {}", repositoryId, e.getMessage(), e);
                waiters.forEach(waiter -> waiter.completeExceptionally(e));
            }
        }
    }

    private void rebuild(Repository repository, String path, char[] passphrase) {
        long start = System.nanoTime();
        formats.get(repository.type()).reindex(repository, path, new Context(repository, passphrase));
        LOG.debug("Rebuilt the index of {} ('{}') in {} ms", repository.fullName(), path,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CompletableFuture<Void> rebuild) {
        try {
            rebuild.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged where it failed
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Context implements IndexContext {
        private final Repository repository;
        private final char[] passphrase;

        Context(Repository repository, char[] passphrase) {
            this.repository = repository;
            this.passphrase = passphrase;
        }

        @Override
        public List<IndexedFile> files(String pathPrefix) {
            var metadata = store.metadata(repository.id(), pathPrefix);
            return content.publishedFiles(repository.id(), pathPrefix).stream()
                    .map(file -> new IndexedFile(file, metadata.get(file.id())))
                    .toList();
        }

        @Override
        public List<FileEntry> fileEntries(String pathPrefix) {
            long id = repository.id();
            var listing = listings.computeIfAbsent(id + "/" + pathPrefix, key -> new FileListing());
            synchronized (listing) {
                return listing.files(store.fileGeneration(id),
                        (after, upTo) -> store.filesChanged(id, pathPrefix, after, upTo),
                        () -> store.publishedFiles(id, pathPrefix));
            }
        }

        @Override
        public Map<Long, String> metadata(Collection<Long> fileIds) {
            if (fileIds.size() <= 500) {
                return store.metadata(repository.id(), fileIds);
            }
            // Many files (a first build): one scan beats many IN lists.
            var all = store.metadata(repository.id(), "");
            all.keySet().retainAll(new java.util.HashSet<>(fileIds));
            return all;
        }

        @Override
        public List<IndexFile> current(String pathPrefix) {
            return store.indexFiles(repository.id(), pathPrefix);
        }

        @Override
        public Optional<byte[]> read(String path) {
            var file = store.indexFile(repository.id(), path);
            if (file.isEmpty()) {
                return Optional.empty();
            }
            try (var in = blobs.open(file.get().blobKey())) {
                return Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Files stored ahead of {@link #replace} by {@link #stage}, by path. */
        private final Map<String, Staged> staged = new ConcurrentHashMap<>();

        private record Staged(byte[] bytes, IndexFile row) {
        }

        @Override
        public IndexFile stage(String path, byte[] bytes) {
            var row = indexFile(path, bytes, store.indexFile(repository.id(), path).orElse(null), now());
            staged.put(path, new Staged(bytes, row));
            return row;
        }

        @Override
        public void replace(String pathPrefix, Map<String, byte[]> files, Predicate<String> keepSuperseded) {
            Map<String, IndexFile> before = current(pathPrefix).stream()
                    .collect(Collectors.toMap(IndexFile::path, file -> file));
            Instant now = now();
            for (var path : files.keySet()) {
                if (!path.startsWith(pathPrefix)) {
                    throw new IllegalArgumentException("Index file " + path + " is outside " + pathPrefix);
                }
            }
            // Each put hashes, writes and fsyncs: they run side by side, and unchanged files are not
            // written again.
            var rows = new ArrayList<Future<IndexFile>>(files.size());
            // A file staged under another path with the same array (a Debian by-hash copy) reuses its blob.
            var stagedBytes = new IdentityHashMap<byte[], IndexFile>();
            staged.values().forEach(ahead -> stagedBytes.put(ahead.bytes(), ahead.row()));
            try (var puts = Executors.newVirtualThreadPerTaskExecutor()) {
                for (var entry : files.entrySet()) {
                    var ahead = stagedBytes.get(entry.getValue());
                    if (ahead != null) {
                        var row = ahead.path().equals(entry.getKey()) ? ahead
                                : new IndexFile(ahead.repositoryId(), entry.getKey(), ahead.size(), ahead.sha1(),
                                        ahead.sha256(), ahead.md5(), ahead.updated());
                        rows.add(java.util.concurrent.CompletableFuture.completedFuture(row));
                        continue;
                    }
                    rows.add(puts.submit(() -> indexFile(entry.getKey(), entry.getValue(), before.get(entry.getKey()),
                            now)));
                }
            }
            var stored = new ArrayList<IndexFile>(rows.size());
            for (var row : rows) {
                try {
                    stored.add(row.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while storing index files", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            var keep = new ArrayList<String>();
            if (keepSuperseded != null) {
                for (var path : before.keySet()) {
                    if (!files.containsKey(path) && keepSuperseded.test(path)) {
                        keep.add(path);
                    }
                }
            }
            store.replaceIndexFiles(repository.id(), pathPrefix, stored, keep,
                    keepSuperseded == null ? null : now.plus(SUPERSEDED_GRACE), now);
            staged.clear();
            indexListeners.forEach(Runnable::run);
        }

        /** The row of an index file, its bytes in the blob store; {@code old} is kept when the bytes are the same. */
        private IndexFile indexFile(String path, byte[] bytes, IndexFile old, Instant now) {
            if (old != null && old.size() == bytes.length && old.sha256().equals(sha256(bytes))
                    && blobs.exists(old.blobKey())) {
                return old;
            }
            StoredBlob blob;
            try {
                blob = blobs.put(new ByteArrayInputStream(bytes), bytes.length, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            var updated = old != null && old.sha256().equals(blob.sha256()) ? old.updated() : now;
            return new IndexFile(repository.id(), path, blob.size(), blob.sha1(), blob.sha256(), blob.md5(), updated);
        }

        @Override
        public Optional<Signer> metadataSigner() {
            return signers.metadataSigner(repository, passphrase);
        }

        @Override
        public Instant now() {
            return clock.instant();
        }
    }
}
