package costline.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code costline collect <source>}: a plain container; each collector is its own subcommand. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Collect GPU telemetry and publish GpuSamples to Kafka.",
        subcommands = {
                CollectNvmlCommand.class,
                CollectCloudWatchCommand.class,
                CollectPricesCommand.class
        })
final class CollectCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
