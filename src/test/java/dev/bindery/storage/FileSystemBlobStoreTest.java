package dev.bindery.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest extends BlobStoreContract {

    @TempDir
    Path root;

    @Override
    BlobStore store() throws IOException {
        return new FileSystemBlobStore(root);
    }

    @Override
    long temporaryFiles() throws IOException {
        try (var files = Files.list(root.resolve("tmp"))) {
            return files.count();
        }
    }

    @Test
    void servesBlobsAsLocalFilesFannedOutBySha256() throws Exception {
        var store = store();
        var blob = store.put(new ByteArrayInputStream(new byte[] {1, 2}), 10, null);
        var file = store.localFile(blob.key()).orElseThrow();
        var hex = blob.sha256();
        assertThat(root.relativize(file).toString())
                .isEqualTo("sha256/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex);
    }

    @Test
    void removesOldTemporaryLeftovers() throws Exception {
        var store = store();
        var leftover = Files.writeString(root.resolve("tmp/crashed.part"), "half an upload");
        store.cleanTemporary(java.time.Instant.now().plusSeconds(1));
        assertThat(leftover).doesNotExist();
    }
}
