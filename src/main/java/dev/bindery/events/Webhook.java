package dev.bindery.events;

/**
 * A webhook: the callback of a package, called when one of its versions is published.
 *
 * @param url          may hold {@code %r} and {@code %p}, replaced by the repository and package name
 * @param method       {@code POST}, {@code PUT} or {@code GET}
 * @param registeredBy the user (or {@code key@subject}) who registered it: its API key signs the calls
 * @param failureCount consecutive failed deliveries; {@value WebhookService#MAX_FAILURES} deactivate it
 */
public record Webhook(String owner, String repo, String pkg, String url, String method, String registeredBy,
                      int failureCount, boolean active) {
}
