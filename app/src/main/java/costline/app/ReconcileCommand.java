package costline.app;

import costline.events.BillReconciliation;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.prices.PricesLoader;
import costline.streams.reconcile.BillPrices;
import costline.streams.reconcile.BillSource;
import costline.streams.reconcile.InstanceCosts;
import costline.streams.reconcile.Reconciler;
import costline.streams.reconcile.TopicScan;
import costline.streams.config.Skips;
import costline.streams.cost.CostSettings;
import costline.streams.cost.SampleRules;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code costline reconcile --focus-file PATH|s3://bucket/prefix --month YYYY-MM}: the AWS FOCUS bill against
 * costline, per EC2 GPU instance; prints the differences with their likely causes and publishes them to gpu.reconcile
 * (the sink writes them to the store for the Finance dashboard).
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Compare the AWS bill (FOCUS CSV/CSV.gz, a file, a folder or an AWS Data Exports s3://bucket/prefix)",
                "with costline's cost per EC2 GPU instance and month; print and publish the differences and their causes."})
final class ReconcileCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--focus-file", required = true, description = "FOCUS file or folder, or s3://bucket/prefix of an AWS Data Exports export.")
    String focusFile;
    @Option(names = "--month", required = true, description = "Billing month, YYYY-MM (UTC).")
    String month;
    @Option(names = "--tolerance-pct", defaultValue = "2", description = "Differences above this share of the billed cost alert (default: ${DEFAULT-VALUE} %).")
    BigDecimal tolerancePct;
    @Option(names = "--bill-prices", description = "Publish the bill's effective hourly rates to gpu.prices (source bill) from the next month on.")
    boolean billPrices;
    @Option(names = "--no-publish", description = "Print only; publish nothing.")
    boolean noPublish;
    @Option(names = "--fail-on-alert", description = "Exit 3 when a difference is above the tolerance.")
    boolean failOnAlert;
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;
    @Option(names = "--registry-url", defaultValue = "http://localhost:8081", description = "Schema registry (default: ${DEFAULT-VALUE}).")
    String registryUrl;
    @Option(names = "--s3-region", defaultValue = "us-east-1", description = "Region of the export's bucket (default: ${DEFAULT-VALUE}).")
    String s3Region;
    @Option(names = "--s3-endpoint", description = "Endpoint override for S3 (VPC endpoint, tests).")
    URI s3Endpoint;
    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class, description = "How long reading gpu.samples may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        YearMonth ym;
        try {
            ym = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            err.println("reconcile: --month '" + month + "' is not YYYY-MM, e.g. 2026-10");
            return 2;
        }
        int toleranceBp = tolerancePct.movePointRight(2).intValue();
        Reconciler reconciler;
        try {
            reconciler = new Reconciler(toleranceBp);
        } catch (IllegalArgumentException e) {
            err.println("reconcile: --tolerance-pct: " + e.getMessage());
            return 2;
        }
        BillSource.Read bill = BillSource.read(focusFile, ym, new BillSource.S3Settings(s3Region, Optional.ofNullable(s3Endpoint)));
        err.println("bill: " + bill.lines().size() + " EC2 instances in " + bill.files().size() + " file(s)");
        Properties client = new Properties();
        client.put("bootstrap.servers", bootstrap);
        List<PriceEntry> prices = new ArrayList<>();
        Skips priceSkips = new Skips(Topics.GPU_PRICES);
        TopicScan.scan(client, registryUrl, Topics.GPU_PRICES, PriceEntry.class, Instant.EPOCH, timeout, priceSkips, prices::add);
        InstanceCosts costs = new InstanceCosts(ym, prices);
        // Samples are stamped at their end and may reach back an hour: start an hour before the month.
        Instant from = ym.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).minus(Duration.ofHours(1));
        // What the cost topology refuses (by the one rule set, without its wall clock) is not costline's usage either.
        Skips sampleSkips = new Skips(Topics.GPU_SAMPLES);
        CostSettings rules = CostSettings.from(costline.streams.config.Settings.of(java.util.Map.of(
                costline.streams.config.KafkaSettings.REGISTRY_URL.key(), registryUrl)));
        int samples = TopicScan.scan(client, registryUrl, Topics.GPU_SAMPLES, GpuSample.class, from, timeout, sampleSkips, s -> {
            SampleRules.Problem p = SampleRules.check(s, SampleRules.NO_CLOCK, rules.maxIntervalMs(), rules.maxFutureMs(),
                    rules.maxAgeMs());
            if (p != null) {
                sampleSkips.count(p.reason().name());
            } else {
                costs.add(s);
            }
        });
        for (Skips skips : List.of(priceSkips, sampleSkips)) {
            if (skips.summary() != null) {
                err.println("skipped: " + skips.summary());
            }
        }
        err.println("costline: " + samples + " samples read from " + Topics.GPU_SAMPLES + " since " + from);
        List<BillReconciliation> rows = reconciler.reconcile(ym, bill.lines(), costs.byInstance(), Instant.now());
        print(rows, out);
        if (!noPublish) {
            publish(rows);
            err.println("published " + rows.size() + " records to " + Topics.GPU_RECONCILE);
            if (billPrices) {
                List<PriceEntry> versions = BillPrices.of(ym, rows, costs);
                PricesLoader.load(client, registryUrl, versions);
                err.println("published " + versions.size() + " bill rates to " + Topics.GPU_PRICES + " from "
                        + ym.plusMonths(1).atDay(1) + "T00:00:00Z");
            }
        }
        long alerts = rows.stream().filter(BillReconciliation::getAlert).count();
        out.flush();
        return alerts > 0 && failOnAlert ? 3 : 0;
    }

    static void print(List<BillReconciliation> rows, PrintWriter out) {
        out.printf("%-20s %-14s %14s %14s %14s %9s  %-5s %s%n", "instance", "type", "billed_usd", "estimated_usd",
                "difference_usd", "diff_pct", "alert", "causes");
        long billed = 0;
        long estimated = 0;
        for (BillReconciliation r : rows) {
            out.printf("%-20s %-14s %14s %14s %14s %9s  %-5s %s%n", r.getInstanceId(), r.getInstanceType() == null ? "?" : r.getInstanceType(),
                    CostModel.toDollarsCents(r.getBilledMicroUsd()), CostModel.toDollarsCents(r.getEstimatedMicroUsd()),
                    CostModel.toDollarsCents(r.getDifferenceMicroUsd()),
                    r.getDifferenceBp() == null ? "-" : BigDecimal.valueOf(r.getDifferenceBp(), 2).toPlainString(),
                    r.getAlert() ? "YES" : "no", String.join(", ", r.getCauses()));
            billed += r.getBilledMicroUsd();
            estimated += r.getEstimatedMicroUsd();
        }
        out.printf("%-20s %-14s %14s %14s %14s%n", "TOTAL", "", CostModel.toDollarsCents(billed),
                CostModel.toDollarsCents(estimated), CostModel.toDollarsCents(estimated - billed));
    }

    private void publish(List<BillReconciliation> rows) {
        // Compacted: a re-run of the month replaces its records (key month|instance).
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(Topics.GPU_RECONCILE, Optional.empty(), Optional.empty())
                    .configs(java.util.Map.of("cleanup.policy", "compact")))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create " + Topics.GPU_RECONCILE + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, BillReconciliation> producer = new KafkaProducer<>(p, new StringSerializer(),
                new AvroSerializer<BillReconciliation>(SchemaRegistries.forUrl(registryUrl)))) {
            for (BillReconciliation r : rows) {
                producer.send(new ProducerRecord<>(Topics.GPU_RECONCILE, r.getMonth() + "|" + r.getInstanceId(), r)).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("publishing to " + Topics.GPU_RECONCILE + " failed: " + e.getCause(), e.getCause());
        }
    }
}
