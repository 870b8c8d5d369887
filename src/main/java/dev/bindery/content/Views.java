package dev.bindery.content;

import java.util.List;

/** What the content service answers for reads: the records plus what rendering needs. */
public final class Views {

    private Views() {
    }

    public record RepositoryView(Repository repository, int packageCount) {
    }

    /**
     * @param publisher whether the caller may publish here, which shows the publisher-only fields
     */
    /** @param followers how many users follow the package (Get Package's {@code followers_count}) */
    public record PackageView(Repository repository, Pkg pkg, List<String> versions, String latestVersion,
                              boolean publisher, int followers) {
    }

    /** @param hasPublishedFiles whether any of its files is published (Bintray's "published") */
    public record VersionView(Repository repository, Pkg pkg, Version version, boolean hasPublishedFiles,
                              boolean publisher) {
    }

    /** A version with a published file, with what it belongs to (the home page's "recently published"). */
    public record PublishedVersion(Repository repository, Pkg pkg, Version version) {
    }

    /** One page of a longer list: {@code items} starts at {@code startPos} of {@code total}. */
    public record Page<T>(List<T> items, int startPos, int total) {
    }
}
