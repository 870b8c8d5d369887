package dev.bindery.cli;

import dev.bindery.Bindery;
import dev.bindery.Config;
import dev.bindery.analytics.AnalyticsStore;
import dev.bindery.analytics.DownloadLogs;
import dev.bindery.analytics.RollupConsumer;
import dev.bindery.analytics.SegmentLog;
import dev.bindery.storage.Db;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bindery analytics rebuild}: derive the statistics again from the download log. */
@Command(name = "analytics", mixinStandardHelpOptions = true, description = "Manage download analytics.",
        subcommands = AnalyticsCommand.Rebuild.class)
final class AnalyticsCommand {

    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Derive all download statistics and daily log files again from the download log."
                    + " Stop the server first.")
    static final class Rebuild implements Callable<Integer> {

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() throws Exception {
            var config = Config.defaults(store.data).withDbUrl(store.dbUrl);
            try (var db = Db.open(config.effectiveDbUrl());
                 var log = new SegmentLog(Bindery.segmentsDir(store.data), Bindery.SEGMENT_BYTES)) {
                long events = RollupConsumer.rebuild(log, new AnalyticsStore(db.jdbi()),
                        Bindery.rollupName(store.data), Clock.systemUTC());
                DownloadLogs.clear(Bindery.logsDir(store.data));
                try (var logs = new DownloadLogs(log, Bindery.logsDir(store.data))) {
                    logs.catchUp();
                }
                System.out.println("Rolled up " + events + " download events from " + Bindery.segmentsDir(store.data));
                return 0;
            }
        }
    }
}
