package dev.bindery.formats;

import dev.bindery.content.FileEntry;

/** A published file of a repository with the metadata its format read when it was uploaded. */
public record IndexedFile(FileEntry file, String metadata) {
}
