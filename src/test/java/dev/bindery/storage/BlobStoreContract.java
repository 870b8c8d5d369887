package dev.bindery.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do; each implementation's test extends this. */
abstract class BlobStoreContract {

    /** A fresh, empty store. */
    abstract BlobStore store() throws IOException;

    /** Files the store keeps for puts in progress (empty after every put, failed or not). */
    abstract long temporaryFiles() throws IOException;

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    @Test
    void storesContentUnderItsSha256WithAllChecksums() throws Exception {
        // given
        var store = store();
        var content = "hello, blob".getBytes(StandardCharsets.UTF_8);
        // when
        var blob = store.put(new ByteArrayInputStream(content), Long.MAX_VALUE, null);
        // then
        assertThat(blob.sha256()).isEqualTo(hex("SHA-256", content));
        assertThat(blob.sha1()).isEqualTo(hex("SHA-1", content));
        assertThat(blob.md5()).isEqualTo(hex("MD5", content));
        assertThat(blob.size()).isEqualTo(content.length);
        assertThat(blob.key().sha256()).isEqualTo(blob.sha256());
        try (var in = store.open(blob.key())) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(store.size(blob.key())).contains((long) content.length);
        assertThat(temporaryFiles()).isZero();
    }

    @Test
    void storesIdenticalContentOnce() throws Exception {
        var store = store();
        var first = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10, null);
        var second = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10, null);
        assertThat(second.key()).isEqualTo(first.key());
        var keys = new ArrayList<BlobKey>();
        store.forEachOlderThan(Instant.now().plusSeconds(60), keys::add);
        assertThat(keys).containsExactly(first.key());
    }

    @Test
    void refusesContentWithTheWrongChecksumAndKeepsNothing() throws Exception {
        var store = store();
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(new byte[] {1}), 10, "00".repeat(32)))
                .isInstanceOf(BlobStore.ChecksumMismatchException.class);
        var keys = new ArrayList<BlobKey>();
        store.forEachOlderThan(Instant.now().plusSeconds(60), keys::add);
        assertThat(keys).isEmpty();
        assertThat(temporaryFiles()).isZero();
    }

    @Test
    void acceptsTheRightChecksumInAnyCase() throws Exception {
        var store = store();
        var content = new byte[] {4, 5, 6};
        var blob = store.put(new ByteArrayInputStream(content), 10, hex("SHA-256", content).toUpperCase());
        assertThat(store.exists(blob.key())).isTrue();
    }

    @Test
    void refusesContentOverTheLimitAndKeepsNothing() throws Exception {
        var store = store();
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(new byte[100]), 99, null))
                .isInstanceOf(BlobStore.TooLargeException.class);
        assertThat(temporaryFiles()).isZero();
    }

    @Test
    void keepsNothingWhenTheStreamBreaks() throws Exception {
        var store = store();
        InputStream broken = new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent++ > 1000) {
                    throw new IOException("connection reset");
                }
                return 7;
            }
        };
        assertThatThrownBy(() -> store.put(broken, Long.MAX_VALUE, null)).hasMessageContaining("connection reset");
        var keys = new ArrayList<BlobKey>();
        store.forEachOlderThan(Instant.now().plusSeconds(60), keys::add);
        assertThat(keys).isEmpty();
        assertThat(temporaryFiles()).isZero();
    }

    @Test
    void deletesBlobs() throws Exception {
        var store = store();
        var blob = store.put(new ByteArrayInputStream(new byte[] {9}), 10, null);
        store.delete(blob.key());
        assertThat(store.exists(blob.key())).isFalse();
        assertThat(store.size(blob.key())).isEmpty();
    }

    @Test
    void listsOnlyBlobsOlderThanTheCutoff() throws Exception {
        var store = store();
        store.put(new ByteArrayInputStream(new byte[] {1}), 10, null);
        var keys = new ArrayList<BlobKey>();
        store.forEachOlderThan(Instant.now().minusSeconds(3600), keys::add);
        assertThat(keys).isEmpty();
    }
}
