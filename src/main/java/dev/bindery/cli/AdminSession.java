package dev.bindery.cli;

import dev.bindery.Config;
import dev.bindery.signing.GpgKeys;
import dev.bindery.signing.SigningStore;
import dev.bindery.storage.Db;
import dev.bindery.subject.Caller;
import dev.bindery.subject.SubjectService;
import dev.bindery.subject.SubjectStore;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/** Direct access to the store for admin commands, acting as the site administrator. */
final class AdminSession implements AutoCloseable {

    private final Db db;
    final SubjectService subjects;
    final Caller admin;
    final GpgKeys keys;

    AdminSession(StoreOptions store) {
        var config = Config.defaults(store.data).withDbUrl(store.dbUrl);
        this.db = Db.open(config.effectiveDbUrl());
        this.subjects = new SubjectService(db.jdbi(), new SubjectStore(db.jdbi()), Clock.systemUTC());
        subjects.bootstrapAdmin(System.getenv("BINDERY_ADMIN_API_KEY"))
                .ifPresent(key -> System.out.println("Created user 'admin' with API key " + key + " (shown once)"));
        this.admin = new Caller(subjects.user("admin"), Map.of(), Set.of());
        this.keys = new GpgKeys(new SigningStore(db.jdbi()), subjects,
                Clock.systemUTC());
    }

    @Override
    public void close() {
        db.close();
    }
}
