package costline.streams.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import costline.csv.CsvWriter;
import costline.events.BillReconciliation;
import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.Source;
import costline.pricing.CloudPriceKeys;
import costline.pricing.CostModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation of October 2026 against a FOCUS 1.2 bill (AWS columns) written here. Hand-worked:
 * <ul>
 *   <li>i-0a00000000000001, on-demand p4d (8 GPUs, $21.96/h): billed 744 h = $16,338.24; costline saw 720 h:
 *       8 x 720 x $2.745 = $15,811.20. Difference -$527.04 = -3.2258 % -> -322 bp; 24 of 744 h missing (3.2 % > 2 %),
 *       both rates $21.96/h: HOURS_MISSING.</li>
 *   <li>i-0b00000000000002, spot p5 in us-east-1b: billed 100 h at $30.00 = $3,000.00 (Dynamic); costline priced it at
 *       the zone's spot price, 8 x 100 x $3.75 = $3,000.00: no difference.</li>
 *   <li>i-0c00000000000003, p4d covered by a Savings Plan: billed 200 h at $15.44 effective = $3,088.00; costline
 *       priced it on demand, 8 x 200 x $2.745 = $4,392.00. Difference +$1,304.00 = 42.2279 % -> 4,222 bp; the billed
 *       rate is 29.7 % below costline's: DISCOUNT_NOT_IN_CATALOG.</li>
 *   <li>i-0d00000000000004, a g5.xlarge costline never saw: billed 10 h x $1.006 = $10.06: INSTANCE_NOT_SEEN, -10,000 bp.</li>
 * </ul>
 * Left out of the bill's sums: an EBS volume row, the p4d's data transfer row, a September row and a Credit.
 */
class ReconcileTest {

    static final YearMonth OCT = YearMonth.of(2026, 10);
    static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
    static final String SP_ARN = "arn:aws:savingsplans::123456789012:savingsplan/3f1b0c2e-aaaa-bbbb-cccc-0123456789ab";
    static final List<String> COLUMNS = List.of("BilledCost", "BillingPeriodStart", "ChargeCategory", "ChargePeriodStart",
            "CommitmentDiscountId", "ConsumedQuantity", "ConsumedUnit", "EffectiveCost", "PricingCategory", "RegionId",
            "ResourceId", "ServiceName", "SkuMeter", "x_Operation", "x_ServiceCode");
    static Map<String, InstanceUsage> seen;
    static InstanceCosts costs;

    @TempDir
    Path dir;

    @BeforeAll
    static void costline() {
        List<PriceEntry> prices = List.of(
                price(CloudPriceKeys.instance("aws", "us-east-1", "p4d.24xlarge"), "p4d.24xlarge", "21.96", "ON_DEMAND", "catalog"),
                price(CloudPriceKeys.instance("aws", "us-east-1", "p5.48xlarge"), "p5.48xlarge", "55.04", "ON_DEMAND", "catalog"),
                price(CloudPriceKeys.spot("aws", "us-east-1", "p5.48xlarge", "us-east-1b"), "p5.48xlarge", "30.00", "SPOT", "spot"));
        costs = new InstanceCosts(OCT, prices);
        hourly(costs, "i-0a00000000000001", "p4d.24xlarge", "us-east-1a", null, 720);
        hourly(costs, "i-0b00000000000002", "p5.48xlarge", "us-east-1b", "spot", 100);
        hourly(costs, "i-0c00000000000003", "p4d.24xlarge", "us-east-1c", null, 200);
        // a September sample of the first instance: not October's
        costs.add(sample("i-0a00000000000001", 0, "p4d.24xlarge", "us-east-1a", null, START));
        seen = costs.byInstance();
    }

    @Test
    void differencesAndCausesPerInstanceFromALocalGzipBill() throws Exception {
        Path bill = dir.resolve("bill.csv.gz");
        Files.write(bill, gzip(billCsv(allRows())));
        BillSource.Read read = BillSource.read(bill.toString(), OCT, new BillSource.S3Settings("us-east-1", Optional.empty()));
        assertThat(read.lines()).containsOnlyKeys("i-0a00000000000001", "i-0b00000000000002", "i-0c00000000000003",
                "i-0d00000000000004");
        List<BillReconciliation> out = new Reconciler(200).reconcile(OCT, read.lines(), seen, Instant.parse("2026-11-05T00:00:00Z"));
        assertThat(out).extracting(BillReconciliation::getInstanceId, BillReconciliation::getBilledMicroUsd,
                        BillReconciliation::getEstimatedMicroUsd, BillReconciliation::getDifferenceMicroUsd,
                        BillReconciliation::getDifferenceBp, BillReconciliation::getCauses, BillReconciliation::getAlert)
                .containsExactly(
                        tuple("i-0a00000000000001", 16_338_240_000L, 15_811_200_000L, -527_040_000L, -322, List.of("HOURS_MISSING"), true),
                        tuple("i-0b00000000000002", 3_000_000_000L, 3_000_000_000L, 0L, 0, List.of(), false),
                        tuple("i-0c00000000000003", 3_088_000_000L, 4_392_000_000L, 1_304_000_000L, 4_222,
                                List.of("DISCOUNT_NOT_IN_CATALOG"), true),
                        tuple("i-0d00000000000004", 10_060_000L, 0L, -10_060_000L, -10_000, List.of("INSTANCE_NOT_SEEN"), true));
        BillReconciliation od = out.get(0);
        assertThat(od.getBilledMs()).isEqualTo(744 * 3_600_000L);
        assertThat(od.getObservedMs()).isEqualTo(720 * 3_600_000L);
        assertThat(od.getBilledMicroUsdPerHour()).isEqualTo(21_960_000L);
        assertThat(od.getEstimatedMicroUsdPerHour()).isEqualTo(21_960_000L);
        BillReconciliation sp = out.get(2);
        assertThat(sp.getCommitmentDiscountId()).isEqualTo(SP_ARN);
        assertThat(sp.getPricingCategory()).isEqualTo("Committed");
        assertThat(sp.getBilledMicroUsdPerHour()).isEqualTo(15_440_000L);
        assertThat(out.get(3).getRegion()).isEqualTo("us-east-1");
        assertThat(out.get(3).getInstanceType()).isEqualTo("g5.xlarge");

        // A 5 % tolerance lets the 3.2 % hours gap pass; the discount still alerts.
        assertThat(new Reconciler(500).reconcile(OCT, read.lines(), seen, Instant.EPOCH))
                .extracting(BillReconciliation::getAlert).containsExactly(false, false, true, true);

        // The bill's rate as next month's price: p4d in us-east-1 over both p4d instances, (16,338.24 + 3,088.00) /
        // (744 + 200) h = $20.578644...; the spot (Dynamic) usage and the g5 (no costline price) are left out.
        assertThat(BillPrices.of(OCT, out, costs)).singleElement().satisfies(p -> {
            assertThat(p.getPriceKey()).isEqualTo("aws:us-east-1:p4d.24xlarge");
            assertThat(p.getSource()).isEqualTo("bill");
            assertThat(p.getEffectiveFrom()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
            assertThat(p.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(20_578_644L);
            assertThat(p.getCloudPrice().getGpusPerInstance()).isEqualTo(8);
        });
    }

    @Test
    void anAwsDataExportsBucketIsReadThroughItsManifestWithTheRealS3Sdk() throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDCOSTLINETEST");
        System.setProperty("aws.secretAccessKey", "costline-test-secret");
        List<List<String>> rows = allRows();
        try (FakeS3 s3 = new FakeS3()) {
            String base = "focus/costline-focus/";
            s3.put("billing", base + "data/BILLING_PERIOD=2026-10/costline-focus-00001.csv.gz", gzip(billCsv(rows.subList(0, 4))));
            s3.put("billing", base + "data/BILLING_PERIOD=2026-10/costline-focus-00002.csv.gz", gzip(billCsv(rows.subList(4, rows.size()))));
            // a file of a delivery still being written: not in the manifest, not read
            s3.put("billing", base + "data/BILLING_PERIOD=2026-10/costline-focus-00003.csv.gz", gzip(billCsv(List.of(
                    row("3", "2026-10", "Usage", null, "1", "Hours", "9999", "Standard", "i-0e00000000000005", "BoxUsage:g5.xlarge")))));
            s3.put("billing", base + "data/BILLING_PERIOD=2026-09/costline-focus-00001.csv.gz", gzip(billCsv(List.of())));
            s3.put("billing", base + "metadata/BILLING_PERIOD=2026-10/costline-focus-Manifest.json", ("{\"dataFiles\":["
                    + "\"s3://billing/" + base + "data/BILLING_PERIOD=2026-10/costline-focus-00001.csv.gz\","
                    + "\"s3://billing/" + base + "data/BILLING_PERIOD=2026-10/costline-focus-00002.csv.gz\"]}").getBytes(StandardCharsets.UTF_8));
            BillSource.Read read = BillSource.read("s3://billing/focus", OCT,
                    new BillSource.S3Settings("us-east-1", Optional.of(s3.uri())));
            assertThat(read.files()).hasSize(2);
            assertThat(read.lines()).containsOnlyKeys("i-0a00000000000001", "i-0b00000000000002", "i-0c00000000000003",
                    "i-0d00000000000004");
            assertThat(read.lines().get("i-0a00000000000001").effectiveMicroUsd()).isEqualTo(16_338_240_000L);
            // five keys at two a page: three list calls
            assertThat(s3.requests).filteredOn(r -> r.startsWith("ListObjectsV2")).hasSize(3);
        }
    }

    static List<List<String>> allRows() {
        List<List<String>> r = new ArrayList<>();
        // on-demand p4d: two rows of 372 h, and its EBS volume and data transfer, and a September row
        r.add(row("8169.12", "2026-10", "Usage", null, "372", "Hours", "8169.12", "Standard", "i-0a00000000000001", "USE1-BoxUsage:p4d.24xlarge"));
        r.add(row("8169.12", "2026-10", "Usage", null, "372", "Hours", "8169.12", "Standard", "i-0a00000000000001", "USE1-BoxUsage:p4d.24xlarge"));
        r.add(row("12.40", "2026-10", "Usage", null, "124", "GB-Months", "12.40", "Standard", "vol-0123456789abcdef0", "USE1-EBS:VolumeUsage.gp3"));
        r.add(row("4.50", "2026-10", "Usage", null, "50", "GB", "4.50", "Standard", "i-0a00000000000001", "USE1-DataTransfer-Out-Bytes"));
        r.add(row("500.00", "2026-09", "Usage", null, "22.768670", "Hours", "500.00", "Standard", "i-0a00000000000001", "USE1-BoxUsage:p4d.24xlarge"));
        // spot p5
        r.add(row("3000.00", "2026-10", "Usage", null, "100", "Hours", "3000.00", "Dynamic", "i-0b00000000000002", "USE1-SpotUsage:p5.48xlarge"));
        // Savings-Plan-covered p4d (ARN form of the resource id), and a credit that is not usage
        List<String> sp = row("0", "2026-10", "Usage", SP_ARN, "200", "Hours", "3088.00", "Committed",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-0c00000000000003", "USE1-BoxUsage:p4d.24xlarge");
        r.add(sp);
        r.add(row("-100.00", "2026-10", "Credit", null, null, null, "-100.00", null, "i-0c00000000000003", "USE1-BoxUsage:p4d.24xlarge"));
        // never seen by costline
        r.add(row("10.06", "2026-10", "Usage", null, "10", "Hours", "10.06", "Standard", "i-0d00000000000004", "USE1-BoxUsage:g5.xlarge"));
        return r;
    }

    static List<String> row(String billed, String month, String category, String commitment, String quantity, String unit,
                            String effective, String pricing, String resource, String meter) {
        List<String> r = new ArrayList<>();
        r.add(billed);
        r.add(month + "-01T00:00:00.000Z");
        r.add(category);
        r.add(month + "-01T00:00:00.000Z");
        r.add(commitment);
        r.add(quantity);
        r.add(unit);
        r.add(effective);
        r.add(pricing);
        r.add("us-east-1");
        r.add(resource);
        r.add(resource.startsWith("vol-") ? "Amazon Elastic Block Store" : "Amazon Elastic Compute Cloud");
        r.add(meter);
        r.add("RunInstances");
        r.add("AmazonEC2");
        return r;
    }

    static byte[] billCsv(List<List<String>> rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            CsvWriter csv = new CsvWriter(w).header(COLUMNS);
            for (List<String> r : rows) {
                for (int i = 0; i < r.size(); i++) {
                    String c = COLUMNS.get(i);
                    if (r.get(i) != null && List.of("BilledCost", "ConsumedQuantity", "EffectiveCost").contains(c)) {
                        csv.number(new BigDecimal(r.get(i)));
                    } else {
                        csv.text(r.get(i));
                    }
                }
                csv.endRow();
            }
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    static void hourly(InstanceCosts costs, String id, String type, String zone, String lifecycle, int hours) {
        for (int g = 0; g < 8; g++) {
            for (int h = 1; h <= hours; h++) {
                costs.add(sample(id, g, type, zone, lifecycle, START.plus(Duration.ofHours(h))));
            }
        }
    }

    static GpuSample sample(String id, int gpu, String type, String zone, String lifecycle, Instant end) {
        return GpuSample.newBuilder().setSampleTime(end).setIntervalMs(3_600_000).setSource(Source.CLOUDWATCH)
                .setSite(Site.CLOUD).setHost("ip-" + id).setGpuId(id + "/" + gpu).setGpuIndex(gpu).setGpuModel("NVIDIA A100")
                .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1").setZone(zone).setInstanceType(type)
                        .setInstanceId(id).setLifecycle(lifecycle).build())
                .setUtilGpuPct(90f).setWorkloads(List.of()).build();
    }

    static PriceEntry price(String key, String type, String usd, String model, String source) {
        return PriceEntry.newBuilder().setPriceKey(key).setSite(Site.CLOUD).setGpuModel("NVIDIA A100")
                .setEffectiveFrom(Instant.parse("2026-01-01T00:00:00Z")).setOnprem(null)
                .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType(type)
                        .setGpusPerInstance(8).setPricingModel(model).setInstanceHourlyMicroUsd(CostModel.microUsd(usd)).build())
                .setReference("test").setSource(source).build();
    }
}
