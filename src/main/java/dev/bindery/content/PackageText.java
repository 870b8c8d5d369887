package dev.bindery.content;

import java.util.Locale;
import java.util.Set;

/**
 * A readme or release notes: written in Bintray ({@code syntax} and {@code content}) or kept on
 * GitHub ({@code githubRepo}, and for release notes the {@code githubFile} in it). Exactly one of
 * the two forms is set.
 */
public record PackageText(String syntax, String content, String githubRepo, String githubFile) {

    /** Bintray's syntaxes; markdown when none is given. */
    public static final Set<String> SYNTAXES = Set.of("markdown", "asciidoc", "plain_text");

    public boolean onGithub() {
        return githubRepo != null;
    }

    public boolean markdown() {
        return "markdown".equals(syntax);
    }

    /** The GitHub page of the text, or of the repository. */
    public String githubUrl() {
        if (githubRepo == null) {
            return null;
        }
        var base = "https://github.com/" + githubRepo;
        return githubFile == null ? base : base + "/blob/HEAD/" + githubFile;
    }

    static String syntax(String requested) {
        var syntax = requested == null ? "markdown" : requested.toLowerCase(Locale.ROOT);
        return SYNTAXES.contains(syntax) ? syntax : null;
    }
}
