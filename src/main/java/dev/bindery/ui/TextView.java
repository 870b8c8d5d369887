package dev.bindery.ui;

import dev.bindery.content.PackageText;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * A readme or release notes as a page shows it: Markdown rendered to HTML with raw HTML escaped and
 * link targets sanitized (no {@code javascript:}), other syntaxes as preformatted text, and a text
 * kept on GitHub as a link to it (Bindery does not fetch from GitHub).
 *
 * @param html     the rendered Markdown, safe to insert; null otherwise
 * @param plain    the text of AsciiDoc or plain text, to be escaped by the template; null otherwise
 * @param github   the GitHub page of a text kept there; null otherwise
 */
public record TextView(String html, String plain, String github) {

    private static final Parser MARKDOWN = Parser.builder().build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    static TextView of(PackageText text) {
        if (text == null) {
            return null;
        }
        if (text.onGithub()) {
            return new TextView(null, null, text.githubUrl());
        }
        if (text.markdown()) {
            return new TextView(HTML.render(MARKDOWN.parse(text.content())), null, null);
        }
        return new TextView(null, text.content(), null);
    }
}
