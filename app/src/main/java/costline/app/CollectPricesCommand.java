package costline.app;

import costline.collectors.SampleJson;
import costline.collectors.prices.PricePoller;
import costline.collectors.prices.PriceSettings;
import costline.collectors.prices.PriceSink;
import costline.events.PriceEntry;
import costline.streams.prices.PriceCatalog;
import costline.streams.prices.PricesLoader;
import java.io.Flushable;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code collect prices}: what AWS charges for the GPU instances in use, as new versions on gpu.prices (on-demand from
 * the Price List, spot per zone from EC2, a Savings Plan's committed rate), restart-safe through its state file.
 */
@Command(name = "prices", mixinStandardHelpOptions = true,
        description = {"Poll AWS prices of the GPU instances running (Price List on-demand, EC2 spot per zone, Savings Plans)",
                "and publish new versions to gpu.prices. Credentials come from the AWS SDK's default chain."})
public final class CollectPricesCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--region", split = ",", required = true, paramLabel = "REGION", description = "AWS regions whose GPU instances to price.")
    List<String> regions;
    @Option(names = "--cadence", defaultValue = "1h", description = "Time between polls (default: ${DEFAULT-VALUE}).")
    String cadence;
    @Option(names = "--spot-lookback", defaultValue = "3h", description = "How far back the first poll reads spot prices (default: ${DEFAULT-VALUE}).")
    String spotLookback;
    @Option(names = "--operating-system", defaultValue = "Linux", description = "Linux or Windows (default: ${DEFAULT-VALUE}).")
    String operatingSystem;
    @Option(names = "--savings-plan-type", description = "Compute or EC2Instance: price covered instances at this plan's committed rate.")
    String planType;
    @Option(names = "--savings-plan-years", defaultValue = "1", description = "1 or 3 (default: ${DEFAULT-VALUE}).")
    int planYears;
    @Option(names = "--savings-plan-payment", defaultValue = "No Upfront", description = "No Upfront, Partial Upfront or All Upfront (default: ${DEFAULT-VALUE}).")
    String planPayment;
    @Option(names = "--savings-plan-covers", split = ",", defaultValue = "*", description = "region:instance-type pairs the plan covers, or * (default).")
    List<String> planCovers;
    @Option(names = "--catalog", description = "Price catalog whose entries marked 'pinned: true' win (default: the shipped catalog).")
    Path catalog;
    @Option(names = "--state-file", description = "Watermark file (default: ~/.costline/price-watermarks.json).")
    Path stateFile;
    @Option(names = "--pricing-endpoint", description = "Endpoint override for the Price List API.")
    URI pricingEndpoint;
    @Option(names = "--pricing-region", defaultValue = "us-east-1", description = "Price List API region: us-east-1, eu-central-1 or ap-south-1 (default: ${DEFAULT-VALUE}).")
    String pricingRegion;
    @Option(names = "--ec2-endpoint", description = "Endpoint override for EC2.")
    URI ec2Endpoint;
    @Option(names = "--savings-plans-endpoint", description = "Endpoint override for Savings Plans.")
    URI savingsPlansEndpoint;

    @CommandLine.Mixin
    PublishOptions kafka = new PublishOptions();

    @CommandLine.Mixin
    CollectRunOptions run = new CollectRunOptions();

    @Override
    public Integer call() throws Exception {
        PriceSettings settings;
        try {
            PriceSettings d = PriceSettings.defaults(regions);
            Optional<PriceSettings.SavingsPlan> plan = planType == null ? Optional.empty()
                    : Optional.of(new PriceSettings.SavingsPlan(planType, planYears, planPayment, new HashSet<>(planCovers)));
            settings = new PriceSettings(regions, CollectCloudWatchCommand.duration("cadence", cadence),
                    CollectCloudWatchCommand.duration("spot-lookback", spotLookback), stateFile != null ? stateFile : d.stateFile(),
                    operatingSystem, plan, PriceCatalog.pinnedKeys(catalog), Optional.ofNullable(pricingEndpoint), pricingRegion,
                    Optional.ofNullable(ec2Endpoint), Optional.ofNullable(savingsPlansEndpoint), d.retryBaseDelay(),
                    d.retryMaxDelay(), d.retryMaxAttempts()).validate();
        } catch (IllegalArgumentException | PriceCatalog.CatalogException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PriceSink sink;
        if (run.json) {
            sink = version -> out.println(SampleJson.write(version));
        } else {
            if (kafka.bootstrapServers == null || kafka.registryUrl == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--bootstrap-servers and --schema-registry-url are required (or use --json)");
            }
            sink = new TopicSink(kafka.bootstrapServers, kafka.registryUrl);
        }
        try (PricePoller poller = new PricePoller(settings, sink, Clock.systemUTC())) {
            return run.run(poller, "collect prices", out, spec.commandLine().getErr());
        }
    }

    /**
     * Versions go to gpu.prices through the one loader the catalog uses (key = price version), when the poller flushes:
     * before it saves its state, so a version is acknowledged by the broker before the poller forgets it.
     */
    static final class TopicSink implements PriceSink, Flushable {
        private final Properties props = new Properties();
        private final String registryUrl;
        private final List<PriceEntry> pending = new ArrayList<>();

        TopicSink(String bootstrap, String registryUrl) {
            props.put("bootstrap.servers", bootstrap);
            this.registryUrl = registryUrl;
        }

        @Override
        public synchronized void accept(PriceEntry version) {
            pending.add(version);
        }

        @Override
        public synchronized void flush() {
            if (!pending.isEmpty()) {
                PricesLoader.load(props, registryUrl, List.copyOf(pending));
                pending.clear();
            }
        }
    }

}
