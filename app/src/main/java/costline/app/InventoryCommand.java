package costline.app;

import costline.events.OwnedGpu;
import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.inventory.InventoryFile;
import costline.streams.inventory.InventoryLoader;
import costline.streams.runtime.StreamsRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline inventory load|show}: the owned GPUs whose fixed cost accrues by calendar time. */
@Command(name = "inventory", mixinStandardHelpOptions = true, description = "The inventory of owned GPUs.",
        subcommands = {InventoryCommand.Load.class, InventoryCommand.Show.class})
final class InventoryCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Validate an inventory file and write it to the compacted gpu.inventory topic (created if missing, "
                    + "with gpu.samples' partition count): one record per GPU, a tombstone per removed GPU.")
    static final class Load implements Callable<Integer> {

        @Option(names = "--file", required = true, description = "Inventory YAML/JSON (a 'gpus' list, optional 'remove').")
        Path file;

        @Option(names = "--config", description = "Settings file (Java properties).")
        Path config;

        @Override
        public Integer call() throws Exception {
            InventoryFile.Inventory inventory;
            try {
                inventory = InventoryFile.read(file);
            } catch (InventoryFile.InventoryFileException e) {
                System.err.println("inventory error: " + e.getMessage());
                return 2;
            }
            Settings settings;
            try {
                settings = Settings.load(config, System.getenv());
                StreamsRunner.createTopics(settings, Map.of(Topics.GPU_INVENTORY, "compact"));
            } catch (costline.streams.config.SettingsException e) {
                System.err.println("configuration error: " + e.getMessage());
                return 2;
            }
            String mismatch = partitionMismatch(settings);
            if (mismatch != null) {
                System.err.println("inventory error: " + mismatch);
                return 2;
            }
            int n = InventoryLoader.load(KafkaSettings.clientProperties(settings), settings.string(KafkaSettings.REGISTRY_URL), inventory);
            System.out.println("loaded " + inventory.gpus().size() + " GPUs and " + inventory.removed().size()
                    + " removals (" + n + " records) into " + Topics.GPU_INVENTORY);
            return 0;
        }

        /**
         * The cost task of partition p reads partition p of both topics: with different partition counts a GPU's entry
         * would reach another task than its samples, so its samples would never be moved out of `unobserved`.
         */
        private static String partitionMismatch(Settings settings) throws Exception {
            try (Admin admin = Admin.create(KafkaSettings.clientProperties(settings))) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of(Topics.GPU_SAMPLES, Topics.GPU_INVENTORY))
                        .allTopicNames().get();
                int samples = topics.get(Topics.GPU_SAMPLES).partitions().size();
                int inventory = topics.get(Topics.GPU_INVENTORY).partitions().size();
                return samples == inventory ? null : Topics.GPU_INVENTORY + " has " + inventory + " partitions and "
                        + Topics.GPU_SAMPLES + " " + samples + ": they must be equal (both are keyed by GPU id and read by "
                        + "the same cost task); recreate " + Topics.GPU_INVENTORY + " with " + samples + " partitions";
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                    return null; // no samples yet: `streams run` creates gpu.samples with topics.partitions too
                }
                throw e;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Validate an inventory file and print its GPUs.")
    static final class Show implements Callable<Integer> {

        @Option(names = "--file", required = true, description = "Inventory YAML/JSON.")
        Path file;

        @Override
        public Integer call() {
            try {
                InventoryFile.Inventory inventory = InventoryFile.read(file);
                for (OwnedGpu g : inventory.gpus()) {
                    System.out.printf("%-44s %-20s %-28s in service %s%s%n", g.getGpuId(), g.getHost(), g.getGpuModel(),
                            g.getInServiceFrom(), g.getRetiredAt() == null ? "" : ", retired " + g.getRetiredAt());
                }
                inventory.removed().forEach(id -> System.out.println(id + " removed"));
                return 0;
            } catch (InventoryFile.InventoryFileException e) {
                System.err.println("inventory error: " + e.getMessage());
                return 2;
            }
        }
    }
}
