package dev.bindery.web;

import dev.bindery.content.ContentService;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.content.Requests.CreateRepositoryRequest;
import dev.bindery.content.Requests.UpdateRepositoryRequest;
import dev.bindery.content.Views.RepositoryView;
import dev.bindery.web.json.MessageJson;
import dev.bindery.web.json.RepositoryJson;
import dev.bindery.web.json.SubjectJson.RepositoryNameJson;
import io.javalin.http.Context;

/** Repositories: Get Repositories, Get/Create/Update/Delete Repository, Repository Search. */
final class RepositoryRoutes {

    private final ContentService content;

    RepositoryRoutes(ContentService content) {
        this.content = content;
    }

    static RepoRef repoRef(Context ctx) {
        return new RepoRef(ctx.pathParam("subject"), ctx.pathParam("repo"));
    }

    void getRepositories(Context ctx) {
        ctx.json(content.repositories(Http.caller(ctx), ctx.pathParam("subject")).stream()
                .map(repository -> new RepositoryNameJson(repository.name(), repository.owner().name()))
                .toList());
    }

    void getRepository(Context ctx) {
        ctx.json(RepositoryJson.of(content.repository(Http.caller(ctx), repoRef(ctx))));
    }

    /** HEAD as an existence check: 200 or 404, no body. */
    void headRepository(Context ctx) {
        content.repository(Http.caller(ctx), repoRef(ctx));
        ctx.status(200);
    }

    void createRepository(Context ctx) {
        var request = Http.optionalBody(ctx, CreateRepositoryRequest.class, new CreateRepositoryRequest(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null));
        RepositoryView created = content.createRepository(Http.caller(ctx), repoRef(ctx), request);
        ctx.status(201).json(RepositoryJson.of(created));
    }

    void updateRepository(Context ctx) {
        var request = Http.body(ctx, UpdateRepositoryRequest.class);
        ctx.json(RepositoryJson.of(content.updateRepository(Http.caller(ctx), repoRef(ctx), request)));
    }

    void deleteRepository(Context ctx) {
        content.deleteRepository(Http.caller(ctx), repoRef(ctx));
        ctx.json(MessageJson.SUCCESS);
    }

    void searchRepositories(Context ctx) {
        var page = content.searchRepositories(Http.caller(ctx), ctx.queryParam("name"), ctx.queryParam("desc"),
                Http.startPos(ctx));
        Http.rangeHeaders(ctx, page);
        ctx.json(page.items().stream().map(repository -> RepositoryJson.of(new RepositoryView(repository,
                content.packageCount(repository)))).toList());
    }
}
