package costline.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code costline} command. Each capability adds its subcommand here; {@code main} only wires picocli.
 */
@Command(name = "costline",
        mixinStandardHelpOptions = true,
        version = "costline 0.1.0-SNAPSHOT",
        description = "Live GPU cost per workload, on-prem versus cloud, from real telemetry through Kafka.",
        subcommands = {
                RegistryCommand.class,
                StreamsCommand.class,
                SinkCommand.class,
                PricesCommand.class,
                InventoryCommand.class,
                QuickstartCommand.class,
                CollectCommand.class,
                ReportCommand.class,
                ReconcileCommand.class,
                BreakEvenCommand.class,
                AuditCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Costline implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Costline()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
