package dev.bindery.download;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.BinderyException;
import dev.bindery.Config;
import dev.bindery.Mailer;
import dev.bindery.access.OutgoingUrls;
import dev.bindery.content.FileEntry;
import dev.bindery.download.SignedUrlService.Callbacks;
import dev.bindery.subject.SubjectService;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The download callbacks of signed URLs ("Callback Identification in Download Webhooks"): after a
 * completed download, the {@code callback_url} is called in the background with the documented
 * JSON payload and an {@code X-Bintray-Callback-Hmac} header, the Base64 HMAC-MD5 of
 * {@code :subject/:repo/:file_path}. Bintray keyed it with the subject's API key; Bindery keeps only
 * the hex SHA-256 of API keys, so the key is that hex string (the receiver computes it from the
 * API key it knows); for an organization, the hash of its owner's API key.
 *
 * <p>Callbacks go to http(s) URLs only, and not to private, loopback, link-local or multicast
 * addresses unless {@code allowPrivateTargets}: checked when a URL is signed and again before each
 * call (the name may resolve elsewhere by then). Redirects are not followed. Thread-safe.
 */
public final class CallbackSender {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SubjectService subjects;
    private final Executor background;
    private final boolean allowPrivateTargets;
    private final Mailer mailer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public CallbackSender(SubjectService subjects, Executor background, boolean allowPrivateTargets,
                          Config.Smtp smtp) {
        this.mailer = new Mailer(smtp);
        this.subjects = subjects;
        this.background = background;
        this.allowPrivateTargets = allowPrivateTargets;
    }

    /**
     * Fails with 400 unless {@code url} (which may contain {@code %callback_id}) may be called.
     */
    void checkTarget(String url) {
        var uri = parse(url);
        var refusal = refusal(uri);
        if (refusal != null) {
            throw BinderyException.badRequest("Field 'callback_url' " + refusal);
        }
    }

    private static URI parse(String url) {
        return OutgoingUrls.parse(url.replace("%callback_id", "x"), "callback_url");
    }

    /** Why the URL's host may not be called, or null if it may. */
    private String refusal(URI uri) {
        return OutgoingUrls.refusal(uri, allowPrivateTargets);
    }

    /** Calls the callback URL of a completed download, in the background. */
    void callUrl(Callbacks spec, FileEntry file, String clientIp) {
        background.execute(() -> {
            try {
                call(spec, file, clientIp);
            } catch (RuntimeException | IOException e) {
                LOG.warn("Download callback for {}/{}/{} failed: {}", file.owner(), file.repository(), file.path(),
                        e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void call(Callbacks spec, FileEntry file, String clientIp) throws IOException, InterruptedException {
        var id = spec.id() == null ? "" : spec.id();
        var uri = parse(spec.url().replace("%callback_id", URLEncoder.encode(id, StandardCharsets.UTF_8)));
        var refusal = refusal(uri);
        if (refusal != null) {
            LOG.warn("Download callback for {}/{}/{} not made: its URL {}", file.owner(), file.repository(),
                    file.path(), refusal);
            return;
        }
        var method = spec.method() == null ? "POST" : spec.method();
        var payload = new LinkedHashMap<String, String>();
        payload.put("subject", file.owner());
        payload.put("repo", file.repository());
        payload.put("package", file.pkg());
        payload.put("version", file.version());
        payload.put("file_path", file.path());
        payload.put("callback_id", spec.id());
        payload.put("ip_address", clientIp);
        boolean hasBody = method.equals("POST") || method.equals("PUT");
        var request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).method(method, hasBody
                ? HttpRequest.BodyPublishers.ofByteArray(json(payload)) : HttpRequest.BodyPublishers.noBody());
        if (hasBody) {
            request.header("Content-Type", "application/json");
        }
        hmac(file).ifPresent(value -> request.header("X-Bintray-Callback-Hmac", value));
        var response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() >= 400) {
            LOG.warn("Download callback for {}/{}/{} answered {}", file.owner(), file.repository(), file.path(),
                    response.statusCode());
        }
    }

    /**
     * After a completed download with a callback_email: a plain-text mail naming the callback id, the
     * file and the downloader's address, sent in the background; only logged when no SMTP server is
     * configured.
     */
    void mail(Callbacks spec, FileEntry file, String clientIp) {
        if (!mailer.enabled()) {
            LOG.info("Download of {}/{}/{} with callback id '{}': no mail sent, since no SMTP server is configured",
                    file.owner(), file.repository(), file.path(), spec.id());
            return;
        }
        background.execute(() -> {
            try {
                var where = file.owner() + "/" + file.repository() + "/" + file.path();
                mailer.send(java.util.List.of(spec.email()),
                        "Signed URL download: " + where + " (callback id " + spec.id() + ")",
                        "The signed download URL with callback id '" + spec.id() + "' was used.\n\n"
                                + "callback_id: " + spec.id() + "\n"
                                + "subject: " + file.owner() + "\n"
                                + "repo: " + file.repository() + "\n"
                                + "package: " + file.pkg() + "\n"
                                + "version: " + file.version() + "\n"
                                + "file_path: " + file.path() + "\n"
                                + "ip_address: " + clientIp + "\n");
            } catch (MessagingException | RuntimeException e) {
                LOG.warn("Callback mail for the download of {}/{}/{} failed: {}", file.owner(), file.repository(),
                        file.path(), e.toString());
            }
        });
    }

    /** Base64 HMAC-MD5 of {@code subject/repo/file_path}, keyed by the hex SHA-256 of the subject's API key. */
    private Optional<String> hmac(FileEntry file) {
        var key = subjects.findSubject(file.owner()).flatMap(subjects::callbackSigningKey);
        if (key.isEmpty()) {
            LOG.warn("Download callback for {}/{}/{} has no API key to sign with", file.owner(), file.repository(),
                    file.path());
            return Optional.empty();
        }
        return Optional.of(hmac(key.get(), file.owner() + "/" + file.repository() + "/" + file.path()));
    }

    /** The receiver's side, for tests and documentation: Base64 HMAC-MD5 of {@code message}. */
    public static String hmac(String key, String message) {
        return OutgoingUrls.hmacBase64("HmacMD5", key, message);
    }


    private static byte[] json(Object payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
