package dev.bindery.cli;

import dev.bindery.BinderyException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bindery org create}: the CLI twin of {@code POST /api/v1/admin/orgs}. */
@Command(name = "org", mixinStandardHelpOptions = true, description = "Manage organizations.",
        subcommands = OrgCommand.Create.class)
final class OrgCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an organization.")
    static final class Create implements Callable<Integer> {

        @Option(names = "--name", required = true, description = "Organization name.")
        String name;

        @Option(names = "--owner", required = true, description = "User who owns it.")
        String owner;

        @Option(names = "--full-name", description = "Full name.")
        String fullName;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (var session = new AdminSession(store)) {
                var org = session.subjects.createOrg(session.admin, name, fullName, owner);
                System.out.println("Created organization '" + org.name() + "' owned by '" + owner + "'");
                return 0;
            } catch (BinderyException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
