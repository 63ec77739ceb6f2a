package costline.app;

import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.streams.config.KafkaSettings;
import costline.streams.config.Settings;
import costline.streams.runtime.StreamsRunner;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PriceKeys;
import costline.streams.prices.PricesLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costline prices load|show}: the price catalog. */
@Command(name = "prices", mixinStandardHelpOptions = true, description = "The price catalog.",
        subcommands = {PricesCommand.Load.class, PricesCommand.Show.class})
final class PricesCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static List<PriceEntry> catalog(Path file) {
        return file == null ? PriceCatalog.readDefault() : PriceCatalog.read(file);
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Validate a catalog and write it to the compacted gpu.prices topic (created if missing).")
    static final class Load implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--catalog", description = "Catalog YAML/JSON (default: the catalog shipped with costline).")
        Path catalog;

        @Option(names = "--config", description = "Settings file (Java properties).")
        Path config;

        @Override
        public Integer call() {
            try {
                return start();
            } catch (costline.streams.config.SettingsException e) {
                System.err.println("configuration error: " + e.getMessage());
                return 2;
            }
        }

        private Integer start() {
            List<PriceEntry> entries;
            try {
                entries = catalog(catalog);
            } catch (PriceCatalog.CatalogException e) {
                System.err.println("catalog error: " + e.getMessage());
                return 2;
            }
            Settings settings = costline.streams.runtime.SettingsCatalog.load(config, System.getenv());
            StreamsRunner.createTopics(settings, Map.of(Topics.GPU_PRICES, "compact"));
            int n = PricesLoader.load(KafkaSettings.clientProperties(settings), settings.string(KafkaSettings.REGISTRY_URL), entries);
            System.out.println("loaded " + n + " price entries into " + Topics.GPU_PRICES);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Validate a catalog and print each entry with its hourly rate per GPU.")
    static final class Show implements java.util.concurrent.Callable<Integer> {

        @Option(names = "--catalog", description = "Catalog YAML/JSON (default: the catalog shipped with costline).")
        Path catalog;

        @Override
        public Integer call() {
            try {
                for (PriceEntry e : catalog(catalog)) {
                    String rate = e.getSite() == Site.CLOUD
                            ? "$" + CostModel.toDollars(CostModel.cloudMicroUsdPerGpuHour(e.getCloudPrice())) + "/GPU-h"
                            : "$" + CostModel.toDollars(CostModel.onPremFixedCostMicroUsd(e.getOnprem(), CostModel.MS_PER_HOUR))
                                    + "/GPU-h fixed + energy";
                    System.out.printf("%-45s from %s  %s%n", PriceKeys.topicKey(e).substring(0, e.getPriceKey().length()),
                            e.getEffectiveFrom(), rate);
                }
                return 0;
            } catch (PriceCatalog.CatalogException e) {
                System.err.println("catalog error: " + e.getMessage());
                return 2;
            }
        }
    }
}
