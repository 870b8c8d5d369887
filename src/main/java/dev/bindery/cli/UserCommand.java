package dev.bindery.cli;

import dev.bindery.BinderyException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bindery user create}: the CLI twin of {@code POST /api/v1/admin/users}. */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users.",
        subcommands = UserCommand.Create.class)
final class UserCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a user and print its API key (shown once).")
    static final class Create implements Callable<Integer> {

        @Option(names = "--name", required = true, description = "User name.")
        String name;

        @Option(names = "--full-name", description = "Full name.")
        String fullName;

        @Option(names = "--email", description = "E-mail address.")
        String email;

        @Mixin
        StoreOptions store;

        @Override
        public Integer call() {
            try (var session = new AdminSession(store)) {
                var created = session.subjects.createUser(session.admin, name, fullName, email);
                System.out.println("Created user '" + created.user().name() + "' with API key " + created.apiKey());
                return 0;
            } catch (BinderyException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
