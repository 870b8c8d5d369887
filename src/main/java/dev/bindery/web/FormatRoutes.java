package dev.bindery.web;

import dev.bindery.content.ContentService;
import dev.bindery.formats.FormatService;
import dev.bindery.web.json.MessageJson;
import io.javalin.http.Context;

/** Repository metadata (index) calculation for the formats that keep an index. */
final class FormatRoutes {

    private final ContentService content;
    private final FormatService formats;

    FormatRoutes(ContentService content, FormatService formats) {
        this.content = content;
        this.formats = formats;
    }

    /** Optional signing details of a metadata calculation, as in Bintray's GPG signing section. */
    record CalcMetadataRequest(String subject, String passphrase, String privateKey) {
    }

    /** {@code POST /calc_metadata/:subject/:repo[/:path]}: 202, the calculation runs in the background. */
    void calcMetadata(Context ctx) {
        var ref = RepositoryRoutes.repoRef(ctx);
        var path = ctx.pathParamMap().getOrDefault("path", "");
        var request = Http.optionalBody(ctx, CalcMetadataRequest.class, new CalcMetadataRequest(null, null, null));
        var passphrase = ctx.header("X-GPG-PASSPHRASE") != null ? ctx.header("X-GPG-PASSPHRASE") : request.passphrase();
        var access = content.publishable(Http.caller(ctx), ref, "calculate the metadata of '" + ref + "'");
        formats.schedule(access.repository(), path, passphrase == null ? null : passphrase.toCharArray());
        ctx.status(202).json(new MessageJson("Calculation was successfully scheduled for '" + ref + "'"));
    }
}
