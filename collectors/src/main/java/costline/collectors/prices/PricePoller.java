package costline.collectors.prices;

import costline.collectors.cloudwatch.Ec2Inventory;
import costline.collectors.cloudwatch.InstanceInfo;
import costline.collectors.poll.Poller;
import costline.collectors.poll.PublishLedger;
import costline.collectors.poll.Retrier;
import costline.collectors.poll.SinkFlush;
import costline.collectors.poll.WatermarkStore;
import costline.events.CloudPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CloudPriceKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.pricing.PricingClient;
import software.amazon.awssdk.services.savingsplans.SavingsplansClient;

/**
 * Publishes the prices AWS charges for the GPU instances in use as versions for gpu.prices:
 * <ul>
 *   <li>on-demand: the Price List rate of every GPU instance type running in a region, a new ON_DEMAND version
 *       (source {@code price-list}) the first time and whenever the rate changes;</li>
 *   <li>spot: for each type and zone that runs a spot instance, every spot price change (SPOT, source {@code spot},
 *       key {@code aws:<region>:<type>:spot:<zone>}, effective at the change's time);</li>
 *   <li>Savings Plans: for covered types, the plan's committed rate replaces the on-demand one (SAVINGS_PLAN, source
 *       {@code savings-plans}).</li>
 * </ul>
 * Keys the hand-written catalog pins are never published. What was published lives in {@link PublishLedger}s (one per
 * source and region) saved in the {@link WatermarkStore} after every poll, after the sink is flushed: a restarted
 * poller publishes neither a rate it already published nor a spot price it already read, and misses no spot change
 * (it reads again from its watermark).
 */
public final class PricePoller implements Poller {

    private static final Logger LOG = LoggerFactory.getLogger(PricePoller.class);
    /** Spot prices newer than this before now are re-read at the next poll (the ledger drops repeats). */
    static final Duration SPOT_OVERLAP = Duration.ofMinutes(10);

    /** What a poll did in one region, with its API calls counted. */
    public record Report(String region, int gpuInstances, int spotInstances, int instanceTypes, int priceListCalls,
                         int ec2Calls, int savingsPlansCalls, int published) { }

    public record Cycle(List<Report> reports, Map<String, Throwable> failures) implements Poller.Result {
        public int published() {
            return reports.stream().mapToInt(Report::published).sum();
        }

        public int priceListCalls() {
            return reports.stream().mapToInt(Report::priceListCalls).sum();
        }

        public int ec2Calls() {
            return reports.stream().mapToInt(Report::ec2Calls).sum();
        }

        @Override
        public String summary() {
            return reports.size() + " region(s): " + published() + " price versions published with " + priceListCalls()
                    + " GetProducts and " + ec2Calls() + " EC2 calls; " + failures.size() + " failed";
        }
    }

    private final PriceSettings settings;
    private final PriceSink sink;
    private final Clock clock;
    private final WatermarkStore store;
    private Map<String, PublishLedger> ledgers;
    private final PricingClient pricing;
    private final SavingsplansClient savingsPlans;
    private final OnDemandRates onDemand;
    private final SavingsPlanRates committed;
    private final Map<String, Ec2Client> ec2 = new LinkedHashMap<>();
    private final Map<String, Ec2Inventory> inventories = new LinkedHashMap<>();
    private final Map<String, SpotPrices> spot = new LinkedHashMap<>();

    public PricePoller(PriceSettings settings, PriceSink sink, Clock clock) {
        this(settings, sink, clock, Retrier.of(settings.retryBaseDelay(), settings.retryMaxDelay(), settings.retryMaxAttempts()));
    }

    public PricePoller(PriceSettings settings, PriceSink sink, Clock clock, Retrier retrier) {
        this.settings = settings.validate();
        this.sink = sink;
        this.clock = clock;
        this.store = new WatermarkStore(settings.stateFile());
        this.ledgers = new TreeMap<>(store.load());
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        var p = PricingClient.builder().region(Region.of(settings.pricingRegion())).credentialsProvider(credentials);
        settings.pricingEndpoint().ifPresent(p::endpointOverride);
        this.pricing = p.build();
        var sp = SavingsplansClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials);
        settings.savingsPlansEndpoint().ifPresent(sp::endpointOverride);
        this.savingsPlans = sp.build();
        this.onDemand = new OnDemandRates(pricing, retrier, settings.operatingSystem());
        this.committed = new SavingsPlanRates(savingsPlans, retrier);
        for (String region : settings.regions()) {
            var e = Ec2Client.builder().region(Region.of(region)).credentialsProvider(credentials);
            settings.ec2Endpoint().ifPresent(e::endpointOverride);
            Ec2Client client = e.build();
            ec2.put(region, client);
            inventories.put(region, new Ec2Inventory(client, retrier, region));
            spot.put(region, new SpotPrices(client, retrier, region));
        }
    }

    @Override
    public void start() {
        LOG.info("pricing GPU instances in {} every {}; state in {} ({} ledgers)", settings.regions(), settings.cadence(),
                store.file(), ledgers.size());
    }

    @Override
    public Duration cadence() {
        return settings.cadence();
    }

    /** One poll of every region (one after another: the Price List API is one endpoint for all), then the state is saved. */
    @Override
    public Cycle pollOnce() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        List<Report> reports = new ArrayList<>();
        Map<String, Throwable> failures = new LinkedHashMap<>();
        for (String region : settings.regions()) {
            try {
                reports.add(poll(region, now));
            } catch (RuntimeException e) {
                failures.put(region, e);
                LOG.error("{}: price poll failed: {}; read again at the next poll", region, Retrier.describe(e));
            }
        }
        try {
            SinkFlush.flush(sink);
        } catch (RuntimeException e) {
            // Nothing saved: the next poll starts from the state of the last good one and publishes again.
            ledgers = new TreeMap<>(store.load());
            throw e;
        }
        store.save(ledgers);
        return new Cycle(reports, failures);
    }

    private Report poll(String region, Instant now) {
        int ec2Before = inventories.get(region).calls() + spot.get(region).calls();
        int pricingBefore = onDemand.calls();
        int spBefore = committed.calls();
        List<InstanceInfo> gpus = inventories.get(region).describe().byId().values().stream()
                .filter(i -> i.running() && i.gpu().count() > 0).toList();
        Map<String, InstanceInfo.GpuInfo> types = new TreeMap<>();
        gpus.forEach(i -> types.put(i.instanceType(), i.gpu()));
        int published = 0;

        Set<String> coveredTypes = new TreeSet<>();
        Optional<PriceSettings.SavingsPlan> plan = settings.savingsPlan();
        Map<String, Long> committedRates = Map.of();
        if (plan.isPresent()) {
            types.keySet().stream().filter(t -> plan.get().covers(region, t)).forEach(coveredTypes::add);
            if (!coveredTypes.isEmpty()) {
                committedRates = committed.rates(plan.get(), region, coveredTypes, settings.spotProduct());
            }
        }
        PublishLedger rates = ledger("rates:" + region);
        for (Map.Entry<String, InstanceInfo.GpuInfo> t : types.entrySet()) {
            String key = CloudPriceKeys.instance("aws", region, t.getKey());
            if (settings.pinnedKeys().contains(key)) {
                continue;
            }
            Long committedRate = committedRates.get(t.getKey());
            if (coveredTypes.contains(t.getKey()) && committedRate == null) {
                LOG.warn("{}: no {} Savings Plan rate for {}; priced on demand", region, plan.get().planType(), t.getKey());
            }
            long rate;
            String model;
            String source;
            String reference;
            Instant effective = now;
            if (committedRate != null) {
                rate = committedRate;
                model = "SAVINGS_PLAN";
                source = "savings-plans";
                reference = plan.get().planType() + " Savings Plan, " + plan.get().durationYears() + " year(s), "
                        + plan.get().paymentOption();
            } else {
                Optional<OnDemandRates.Rate> r = onDemand.rate(region, t.getKey());
                if (r.isEmpty()) {
                    LOG.warn("{}: the Price List has no on-demand rate for {} ({}); not published", region, t.getKey(),
                            settings.operatingSystem());
                    continue;
                }
                rate = r.get().microUsdPerHour();
                model = "ON_DEMAND";
                source = "price-list";
                reference = "AWS Price List, SKU " + r.get().sku();
                // AWS announces some changes ahead: a rate effective later takes effect then, not now.
                if (r.get().effectiveDate() != null && r.get().effectiveDate().isAfter(now)) {
                    effective = r.get().effectiveDate();
                }
            }
            // The fingerprint holds the kind too, so moving between on-demand and committed publishes a version.
            long fingerprint = rate * 31 + model.hashCode();
            if (rates.record(key, Instant.EPOCH, fingerprint) != PublishLedger.Decision.UNCHANGED) {
                sink.accept(version(key, region, t.getKey(), t.getValue(), model, rate, effective, source, reference));
                published++;
            }
        }

        Map<String, Set<String>> spotZones = new TreeMap<>();
        gpus.stream().filter(InstanceInfo::spot).filter(i -> i.zone() != null)
                .forEach(i -> spotZones.computeIfAbsent(i.instanceType(), k -> new TreeSet<>()).add(i.zone()));
        if (!spotZones.isEmpty()) {
            published += spotPrices(region, now, spotZones, types);
        }
        return new Report(region, gpus.size(), (int) gpus.stream().filter(InstanceInfo::spot).count(), types.size(),
                onDemand.calls() - pricingBefore, inventories.get(region).calls() + spot.get(region).calls() - ec2Before,
                committed.calls() - spBefore, published);
    }

    private int spotPrices(String region, Instant now, Map<String, Set<String>> zones, Map<String, InstanceInfo.GpuInfo> types) {
        PublishLedger changes = ledger("spot:" + region);
        PublishLedger known = ledger("spot-keys:" + region);
        Instant start = changes.watermark() != null ? changes.watermark() : now.minus(settings.spotLookback());
        List<SpotPrices.Change> read = new ArrayList<>(spot.get(region).since(zones.keySet(), settings.spotProduct(), start, now));
        read.sort(Comparator.comparing(SpotPrices.Change::at));
        int published = 0;
        for (SpotPrices.Change c : read) {
            Set<String> wanted = zones.get(c.instanceType());
            if (wanted == null || !wanted.contains(c.zone())) {
                continue;
            }
            String key = CloudPriceKeys.spot("aws", region, c.instanceType(), c.zone());
            if (settings.pinnedKeys().contains(key)) {
                continue;
            }
            boolean keyPublished = known.published(key, Instant.EPOCH);
            // EC2 answers with the price in force at the start too; it was published by an earlier poll unless the key
            // is new (a spot instance in a zone not priced before), when it is the version to start from.
            if (c.at().isBefore(start) && keyPublished) {
                continue;
            }
            if (changes.record(key, c.at(), c.microUsdPerHour()) == PublishLedger.Decision.FIRST) {
                sink.accept(version(key, region, c.instanceType(), types.get(c.instanceType()), "SPOT", c.microUsdPerHour(),
                        c.at(), "spot", "EC2 spot price history, " + c.zone()));
                known.record(key, Instant.EPOCH, 1);
                published++;
            }
        }
        changes.finalizeBefore(now.minus(SPOT_OVERLAP));
        return published;
    }

    private PublishLedger ledger(String scope) {
        return ledgers.computeIfAbsent(scope, k -> PublishLedger.empty());
    }

    static PriceEntry version(String key, String region, String instanceType, InstanceInfo.GpuInfo gpu, String pricingModel,
                              long instanceMicroUsdPerHour, Instant effective, String source, String reference) {
        return PriceEntry.newBuilder()
                .setPriceKey(key)
                .setSite(Site.CLOUD)
                .setGpuModel(gpu.model() == null ? "unknown" : gpu.model())
                .setEffectiveFrom(effective)
                .setOnprem(null)
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion(region).setInstanceType(instanceType)
                        .setGpusPerInstance(gpu.count()).setPricingModel(pricingModel)
                        .setInstanceHourlyMicroUsd(instanceMicroUsdPerHour).build())
                .setReference(reference)
                .setSource(source)
                .build();
    }

    @Override
    public void close() {
        pricing.close();
        savingsPlans.close();
        ec2.values().forEach(Ec2Client::close);
    }
}
