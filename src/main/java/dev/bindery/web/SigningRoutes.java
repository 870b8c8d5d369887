package dev.bindery.web;

import dev.bindery.BinderyException;
import dev.bindery.Times;
import dev.bindery.content.FilePath;
import dev.bindery.signing.SigningService;
import dev.bindery.signing.GpgKeys.KeyInfo;
import dev.bindery.signing.SigningService.SignRequest;
import dev.bindery.subject.SubjectService;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPG Signing: Get GPG public key, GPG Sign a Version, GPG Sign a File, and the key management
 * Bintray did in its web UI (generate, import, delete a subject's key; the server's public key).
 */
final class SigningRoutes {

    static final String PGP_KEYS = "application/pgp-keys";
    static final String PASSPHRASE_HEADER = "X-GPG-PASSPHRASE";

    private final SigningService signing;
    private final SubjectService subjects;

    SigningRoutes(SigningService signing, SubjectService subjects) {
        this.signing = signing;
        this.subjects = subjects;
    }

    /** The JSON body of the signing calls and key management; every field optional. */
    record SigningBody(String subject, String passphrase, String privateKey) {
    }

    void getUserPublicKey(Context ctx) {
        ctx.contentType(PGP_KEYS).result(signing.publicKey(subjects.user(ctx.pathParam("user"))));
    }

    void getOrgPublicKey(Context ctx) {
        ctx.contentType(PGP_KEYS).result(signing.publicKey(subjects.org(ctx.pathParam("org"))));
    }

    void getServerPublicKey(Context ctx) {
        ctx.contentType(PGP_KEYS).result(signing.serverPublicKey());
    }

    /** {@code GET /users/:user/keys/gpg}: the key's fingerprint, to the subject's managers. */
    void getKey(Context ctx) {
        ctx.json(keyJson(signing.key(Http.caller(ctx), subjectName(ctx))));
    }

    void generateKey(Context ctx) {
        var body = Http.optionalBody(ctx, SigningBody.class, new SigningBody(null, null, null));
        var key = signing.generateKey(Http.caller(ctx), subjectName(ctx), passphrase(ctx, body));
        ctx.status(201).json(keyJson(key));
    }

    void importKey(Context ctx) {
        var body = Http.body(ctx, SigningBody.class);
        if (body.privateKey() == null || body.privateKey().isBlank()) {
            throw BinderyException.badRequest("Field 'private_key' is required: an ASCII-armored OpenPGP secret key");
        }
        var key = signing.importKey(Http.caller(ctx), subjectName(ctx), body.privateKey(), passphrase(ctx, body));
        ctx.status(201).json(keyJson(key));
    }

    void deleteKey(Context ctx) {
        signing.deleteKey(Http.caller(ctx), subjectName(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    /** GPG Sign a Version. */
    void gpgSignVersion(Context ctx) {
        signing.signVersion(Http.caller(ctx), PackageRoutes.versionRef(ctx), signRequest(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    /** GPG Sign a File. */
    void gpgSignFile(Context ctx) {
        signing.signFile(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), FilePath.of(ctx.pathParam("path")),
                signRequest(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    private static SignRequest signRequest(Context ctx) {
        var body = Http.optionalBody(ctx, SigningBody.class, new SigningBody(null, null, null));
        return new SignRequest(body.subject(), passphrase(ctx, body), body.privateKey());
    }

    /** The passphrase from the body, else the {@code X-GPG-PASSPHRASE} header, else null. */
    static char[] passphrase(Context ctx, SigningBody body) {
        if (body != null && body.passphrase() != null) {
            return body.passphrase().toCharArray();
        }
        return headerPassphrase(ctx);
    }

    static char[] headerPassphrase(Context ctx) {
        var header = ctx.header(PASSPHRASE_HEADER);
        return header == null || header.isEmpty() ? null : header.toCharArray();
    }

    /** The subject of a {@code /users/:user} or {@code /orgs/:org} path; 404 when it is the other kind. */
    private String subjectName(Context ctx) {
        var user = ctx.pathParamMap().get("user");
        return user != null ? subjects.user(user).name() : subjects.org(ctx.pathParam("org")).name();
    }

    private static Map<String, Object> keyJson(KeyInfo key) {
        var json = new LinkedHashMap<String, Object>();
        json.put("subject", key.subject());
        json.put("fingerprint", key.fingerprint());
        json.put("passphrase_required", key.needsPassphrase());
        json.put("created", Times.format(key.created()));
        return json;
    }
}
