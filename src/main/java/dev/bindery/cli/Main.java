package dev.bindery.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bindery}: the server and its admin commands. */
@Command(name = "bindery", mixinStandardHelpOptions = true, version = "bindery 0.1.0",
        description = "Self-hosted binary distribution hub speaking the Bintray REST API.",
        subcommands = {ServeCommand.class, UserCommand.class, OrgCommand.class, AnalyticsCommand.class, GeoipCommand.class,
                GpgCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit = new CommandLine(new Main()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
