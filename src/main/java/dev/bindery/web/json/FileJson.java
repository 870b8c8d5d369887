package dev.bindery.web.json;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bindery.Times;
import dev.bindery.content.FileEntry;

/** An element of Get Package Files, Get Version Files and the file searches. */
public record FileJson(
        String name,
        String path,
        @JsonProperty("package") String pkg,
        String version,
        String repo,
        String owner,
        String created,
        long size,
        String sha1,
        String sha256) {

    public static FileJson of(FileEntry file) {
        return new FileJson(file.name(), file.path(), file.pkg(), file.version(), file.repository(), file.owner(),
                Times.format(file.created()), file.size(), file.sha1(), file.sha256());
    }
}
