package costline.collectors.prices;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.cloudwatch.FakeAwsEndpoint;
import costline.collectors.cloudwatch.PollerFixture;
import costline.collectors.poll.Retrier;
import costline.events.PriceEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collect prices against a local endpoint that speaks each service's wire protocol to the real AWS SDK: the Price
 * List (AWS JSON 1.1), EC2 (Query XML: instances, types, spot price history), Savings Plans (REST JSON).
 */
class PricePollerTest {

    static final Instant T0 = PollerFixture.T0;
    static final FakeAwsEndpoint.GpuType A100X8 = new FakeAwsEndpoint.GpuType(8, "NVIDIA", "A100", 40_960);
    static final FakeAwsEndpoint.GpuType H100X8 = new FakeAwsEndpoint.GpuType(8, "NVIDIA", "H100", 81_920);
    static final FakeAwsEndpoint.GpuType A10G = new FakeAwsEndpoint.GpuType(1, "NVIDIA", "A10G", 24_576);

    @TempDir
    Path dir;
    FakeAwsEndpoint aws;
    final PollerFixture.TestClock clock = new PollerFixture.TestClock(T0);
    final List<PriceEntry> published = new CopyOnWriteArrayList<>();
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDCOSTLINETEST");
        System.setProperty("aws.secretAccessKey", "costline-test-secret");
        aws = new FakeAwsEndpoint();
        aws.addType("p4d.24xlarge", A100X8);
        aws.addType("p5.48xlarge", H100X8);
        aws.addType("g5.xlarge", A10G);
    }

    @AfterEach
    void stop() {
        aws.close();
    }

    PriceSettings settings(List<String> regions, Optional<PriceSettings.SavingsPlan> plan, Set<String> pinned) {
        PriceSettings d = PriceSettings.defaults(regions);
        return new PriceSettings(regions, d.cadence(), Duration.ofHours(3), dir.resolve("prices.json"), "Linux", plan, pinned,
                Optional.of(aws.uri()), "us-east-1", Optional.of(aws.uri()), Optional.of(aws.uri()), Duration.ofSeconds(1),
                Duration.ofSeconds(30), 4);
    }

    PricePoller poller(PriceSettings s) {
        return new PricePoller(s, published::add, clock, new Retrier(Duration.ofSeconds(1), Duration.ofSeconds(30), 4,
                sleeps::add, () -> 0.5));
    }

    void instance(String region, String id, String type, String zone, String lifecycle) {
        aws.addInstance(region, new FakeAwsEndpoint.Ec2Instance(id, type, zone, "running", T0.minus(Duration.ofDays(3)),
                "ip-" + id, Map.of()));
        if (lifecycle != null) {
            aws.setLifecycle(id, lifecycle);
        }
    }

    @Test
    void onDemandRatesArePublishedOnceAndAgainOnlyWhenTheyChangeThroughPagingThrottlingAndARestart() {
        instance("us-east-1", "i-0p4d000000000001", "p4d.24xlarge", "us-east-1a", null);
        instance("us-east-1", "i-0p4d000000000002", "p4d.24xlarge", "us-east-1b", null);
        instance("eu-west-1", "i-0g5000000000001", "g5.xlarge", "eu-west-1a", null);
        instance("eu-west-1", "i-0m5000000000001", "m5.large", "eu-west-1a", null); // no GPU: not priced
        aws.setOnDemand("us-east-1", "p4d.24xlarge", "21.9600000000", "2025-06-01T00:00:00Z");
        aws.addReservedOnlyProduct("us-east-1", "p4d.24xlarge", 2);
        aws.setOnDemand("eu-west-1", "g5.xlarge", "1.1230000000", "2025-01-01T00:00:00Z");
        aws.getProductsPageSize = 1;
        aws.throttle("GetProducts", 2);

        try (PricePoller p = poller(settings(List.of("us-east-1", "eu-west-1"), Optional.empty(), Set.of()))) {
            PricePoller.Cycle first = p.pollOnce();
            assertThat(first.failures()).isEmpty();
            // p4d: three products at one a page = 3 pages; g5: 1 page. The two throttled answers are retried by the SDK
            // itself (they are calls the endpoint saw, not calls the poller made).
            assertThat(first.priceListCalls()).isEqualTo(4);
            assertThat(aws.count("GetProducts")).isEqualTo(6);
            assertThat(published).extracting(PriceEntry::getPriceKey, e -> e.getCloudPrice().getInstanceHourlyMicroUsd(),
                            e -> e.getCloudPrice().getPricingModel(), PriceEntry::getSource, PriceEntry::getEffectiveFrom,
                            e -> e.getCloudPrice().getGpusPerInstance(), PriceEntry::getGpuModel)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("aws:us-east-1:p4d.24xlarge", 21_960_000L, "ON_DEMAND", "price-list", T0, 8, "NVIDIA A100"),
                            org.assertj.core.groups.Tuple.tuple("aws:eu-west-1:g5.xlarge", 1_123_000L, "ON_DEMAND", "price-list", T0, 1, "NVIDIA A10G"));

            clock.advance(Duration.ofHours(1));
            published.clear();
            assertThat(p.pollOnce().published()).isZero();

            // AWS cuts the p4d rate between two polls: one new version, effective at the poll that saw it
            aws.setOnDemand("us-east-1", "p4d.24xlarge", "19.7600000000", "2026-11-27T08:30:00Z");
            clock.advance(Duration.ofHours(1));
            p.pollOnce();
            assertThat(published).singleElement().satisfies(e -> {
                assertThat(e.getPriceKey()).isEqualTo("aws:us-east-1:p4d.24xlarge");
                assertThat(e.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(19_760_000L);
                assertThat(e.getEffectiveFrom()).isEqualTo(T0.plus(Duration.ofHours(2)));
            });
        }
        // a restarted poller knows what it published: nothing again
        published.clear();
        clock.advance(Duration.ofHours(1));
        try (PricePoller p = poller(settings(List.of("us-east-1", "eu-west-1"), Optional.empty(), Set.of()))) {
            assertThat(p.pollOnce().published()).isZero();
        }
    }

    @Test
    void spotPricesOfTheZonesSpotInstancesRunInArePublishedAtTheirTimeOnceAcrossARestart() {
        instance("us-east-1", "i-0p5spot00000001", "p5.48xlarge", "us-east-1b", "spot");
        instance("us-east-1", "i-0p5odem00000001", "p5.48xlarge", "us-east-1a", null);
        aws.setOnDemand("us-east-1", "p5.48xlarge", "55.0400000000", "2025-06-01T00:00:00Z");
        aws.addSpotPrice("us-east-1", "p5.48xlarge", "us-east-1b", "30.000000", T0.minus(Duration.ofHours(5)));
        aws.addSpotPrice("us-east-1", "p5.48xlarge", "us-east-1b", "28.500000", T0.minus(Duration.ofMinutes(30)));
        // us-east-1a runs no spot instance: its spot prices are not wanted
        aws.addSpotPrice("us-east-1", "p5.48xlarge", "us-east-1a", "27.000000", T0.minus(Duration.ofMinutes(40)));
        aws.spotPageSize = 1;
        aws.throttle("DescribeSpotPriceHistory", 1);

        PriceSettings s = settings(List.of("us-east-1"), Optional.empty(), Set.of());
        try (PricePoller p = poller(s)) {
            PricePoller.Cycle c = p.pollOnce();
            assertThat(c.failures()).isEmpty();
            // the price in force 3 h back (look-back) and the change since, each at its own time
            assertThat(spot()).extracting(PriceEntry::getEffectiveFrom, e -> e.getCloudPrice().getInstanceHourlyMicroUsd())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(T0.minus(Duration.ofHours(5)), 30_000_000L),
                            org.assertj.core.groups.Tuple.tuple(T0.minus(Duration.ofMinutes(30)), 28_500_000L));
            assertThat(spot()).allSatisfy(e -> {
                assertThat(e.getPriceKey()).isEqualTo("aws:us-east-1:p5.48xlarge:spot:us-east-1b");
                assertThat(e.getCloudPrice().getPricingModel()).isEqualTo("SPOT");
                assertThat(e.getSource()).isEqualTo("spot");
            });
            aws.addSpotPrice("us-east-1", "p5.48xlarge", "us-east-1b", "31.200000", T0.plus(Duration.ofMinutes(20)));
            clock.advance(Duration.ofHours(1));
            published.clear();
            p.pollOnce();
            assertThat(spot()).singleElement().satisfies(e -> {
                assertThat(e.getEffectiveFrom()).isEqualTo(T0.plus(Duration.ofMinutes(20)));
                assertThat(e.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(31_200_000L);
            });
        }
        published.clear();
        clock.advance(Duration.ofHours(1));
        aws.addSpotPrice("us-east-1", "p5.48xlarge", "us-east-1b", "29.900000", T0.plus(Duration.ofMinutes(95)));
        try (PricePoller p = poller(s)) {
            p.pollOnce();
            // after the restart: only the change it had not read, none of the earlier ones again
            assertThat(published).extracting(PriceEntry::getEffectiveFrom).containsExactly(T0.plus(Duration.ofMinutes(95)));
        }
    }

    @Test
    void aSavingsPlanGivesCoveredTypesItsCommittedRateAndAPinnedCatalogEntryIsLeftAlone() {
        instance("us-east-1", "i-0p4d000000000001", "p4d.24xlarge", "us-east-1a", null);
        instance("us-east-1", "i-0g5000000000001", "g5.xlarge", "us-east-1a", null);
        instance("us-east-1", "i-0p5000000000001", "p5.48xlarge", "us-east-1a", null);
        aws.setOnDemand("us-east-1", "p4d.24xlarge", "21.9600000000", "2025-06-01T00:00:00Z");
        aws.setOnDemand("us-east-1", "g5.xlarge", "1.0060000000", "2025-06-01T00:00:00Z");
        aws.setOnDemand("us-east-1", "p5.48xlarge", "55.0400000000", "2025-06-01T00:00:00Z");
        aws.setSavingsPlanRate("us-east-1", "p4d.24xlarge", "15.4400000000");
        PriceSettings.SavingsPlan plan = new PriceSettings.SavingsPlan("Compute", 1, "No Upfront", Set.of("us-east-1:p4d.24xlarge"));
        try (PricePoller p = poller(settings(List.of("us-east-1"), Optional.of(plan), Set.of("aws:us-east-1:p5.48xlarge")))) {
            PricePoller.Cycle c = p.pollOnce();
            assertThat(c.failures()).isEmpty();
            // the 1-year rate, not the 3-year offering the endpoint also lists
            assertThat(published).extracting(PriceEntry::getPriceKey, e -> e.getCloudPrice().getPricingModel(),
                            e -> e.getCloudPrice().getInstanceHourlyMicroUsd(), PriceEntry::getSource)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("aws:us-east-1:p4d.24xlarge", "SAVINGS_PLAN", 15_440_000L, "savings-plans"),
                            org.assertj.core.groups.Tuple.tuple("aws:us-east-1:g5.xlarge", "ON_DEMAND", 1_006_000L, "price-list"));
            assertThat(aws.count("DescribeSavingsPlansOfferingRates")).isEqualTo(1);
            // the covered and the pinned type cost no GetProducts call
            assertThat(aws.count("GetProducts")).isEqualTo(1);
        }
    }

    /**
     * The figure the issue asks for: API calls per poll for 1,000 GPU instances of 5 types in 3 regions, 210 of them
     * spot (every type in every region), counted by the endpoint. Price List GetProducts: one per (region, type) = 15 (quota: bucket 10,
     * refill 5/s per account; 15 calls one after another take about 3 s of refill at worst). EC2 per region:
     * DescribeInstances 1 (1,000 a page), DescribeInstanceTypes 1 on the first poll only (types are cached),
     * DescribeSpotPriceHistory 1 (all spot types at once) - 9 on the first poll, 6 after (quota for these
     * non-mutating calls: bucket 100, refill 20/s per region).
     */
    @Test
    void callsPerPollForAThousandGpuInstancesOfFiveTypesInThreeRegions() {
        List<String> regions = List.of("us-east-1", "us-west-2", "eu-west-1");
        List<String> types = List.of("p4d.24xlarge", "p5.48xlarge", "g5.xlarge", "g5.12xlarge", "g6.xlarge");
        aws.addType("g5.12xlarge", new FakeAwsEndpoint.GpuType(4, "NVIDIA", "A10G", 24_576));
        aws.addType("g6.xlarge", new FakeAwsEndpoint.GpuType(1, "NVIDIA", "L4", 23_034));
        for (String r : regions) {
            for (String t : types) {
                aws.setOnDemand(r, t, "1.0000000000", "2025-06-01T00:00:00Z");
                aws.addSpotPrice(r, t, r + "a", "0.400000", T0.minus(Duration.ofHours(1)));
            }
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String region = regions.get(i % 3);
            String id = String.format("i-%017d", i);
            ids.add(id);
            instance(region, id, types.get((i / 3) % 5), region + "a", (i / 15) % 5 == 0 ? "spot" : null);
        }
        try (PricePoller p = poller(settings(regions, Optional.empty(), Set.of()))) {
            aws.clearRequests();
            PricePoller.Cycle first = p.pollOnce();
            long getProducts1 = aws.count("GetProducts");
            long ec2First = aws.count("DescribeInstances") + aws.count("DescribeInstanceTypes") + aws.count("DescribeSpotPriceHistory");
            aws.clearRequests();
            clock.advance(Duration.ofHours(1));
            p.pollOnce();
            long getProducts2 = aws.count("GetProducts");
            long ec2Second = aws.count("DescribeInstances") + aws.count("DescribeInstanceTypes") + aws.count("DescribeSpotPriceHistory");
            System.out.printf("calls per poll, 1,000 GPU instances (%d spot), 5 types, 3 regions: first poll GetProducts %d, "
                    + "EC2 %d (DescribeInstances 3, DescribeInstanceTypes 3, DescribeSpotPriceHistory 3); later polls "
                    + "GetProducts %d, EC2 %d%n", first.reports().stream().mapToInt(PricePoller.Report::spotInstances).sum(),
                    getProducts1, ec2First, getProducts2, ec2Second);
            assertThat(first.failures()).isEmpty();
            assertThat(first.reports()).extracting(PricePoller.Report::gpuInstances).containsExactly(334, 333, 333);
            assertThat(first.reports().stream().mapToInt(PricePoller.Report::spotInstances).sum()).isEqualTo(210);
            assertThat(getProducts1).isEqualTo(15);
            assertThat(ec2First).isEqualTo(9);
            assertThat(getProducts2).isEqualTo(15);
            assertThat(ec2Second).isEqualTo(6);
            // 15 on-demand versions and the 15 spot prices in force (each type runs spot in its region's zone a)
            assertThat(first.published()).isEqualTo(30);
        }
    }

    List<PriceEntry> spot() {
        return published.stream().filter(e -> e.getSource().equals("spot"))
                .sorted(java.util.Comparator.comparing(PriceEntry::getEffectiveFrom)).toList();
    }
}
