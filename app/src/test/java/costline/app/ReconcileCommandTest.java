package costline.app;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.BillReconciliation;
import costline.events.CloudPlacement;
import costline.events.CloudPrice;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.Source;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import costline.streams.prices.PriceKeys;
import costline.streams.prices.PricesLoader;
import costline.testkit.InProcessKafka;
import costline.testkit.TopicRecords;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code costline reconcile} on a real broker: prices and samples on their topics, a FOCUS bill file; the printed
 * table, gpu.reconcile's records and the bill rate published to gpu.prices.
 */
@Timeout(180)
class ReconcileCommandTest {

    @TempDir
    Path dir;

    /**
     * i-0a...1, p4d ($21.96/h, 8 GPUs): costline saw 2 GPUs for 10 h each (the longest GPU: 10 instance-hours) =
     * 20 x $2.745 = $54.90; billed 10 h = $219.60 (the whole instance). The bill rate is 4 x costline's:
     * RATE_ABOVE_CATALOG (costline charges only the GPUs it sees: here 2 of 8). i-0d...4 was never seen.
     */
    @Test
    void reconcilesAgainstTheTopicsPrintsAndPublishes() throws Exception {
        String registry = "mock://reconcile-" + UUID.randomUUID();
        try (InProcessKafka kafka = InProcessKafka.start()) {
            kafka.createTopics(1, Map.of("retention.ms", "-1"), Topics.GPU_SAMPLES);
            kafka.createTopics(1, Map.of("cleanup.policy", "compact"), Topics.GPU_PRICES);
            PriceEntry p4d = PriceEntry.newBuilder().setPriceKey("aws:us-east-1:p4d.24xlarge").setSite(Site.CLOUD)
                    .setGpuModel("NVIDIA A100").setEffectiveFrom(Instant.parse("2026-01-01T00:00:00Z")).setOnprem(null)
                    .setCloudPrice(CloudPrice.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType("p4d.24xlarge")
                            .setGpusPerInstance(8).setPricingModel("ON_DEMAND").setInstanceHourlyMicroUsd(21_960_000L).build())
                    .setReference("test").build();
            PricesLoader.load(kafka.clientProperties(), registry, List.of(p4d));
            try (KafkaProducer<String, GpuSample> producer = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistries.forUrl(registry)))) {
                for (int g = 0; g < 2; g++) {
                    for (int h = 1; h <= 10; h++) {
                        Instant end = Instant.parse("2026-10-05T00:00:00Z").plus(Duration.ofHours(h));
                        GpuSample s = GpuSample.newBuilder().setSampleTime(end).setIntervalMs(3_600_000).setSource(Source.CLOUDWATCH)
                                .setSite(Site.CLOUD).setHost("h").setGpuId("i-0a00000000000001/" + g).setGpuIndex(g)
                                .setGpuModel("NVIDIA A100").setCloud(CloudPlacement.newBuilder().setProvider("aws")
                                        .setRegion("us-east-1").setZone("us-east-1a").setInstanceType("p4d.24xlarge")
                                        .setInstanceId("i-0a00000000000001").build())
                                .setWorkloads(List.of()).build();
                        producer.send(new ProducerRecord<>(Topics.GPU_SAMPLES, null, end.toEpochMilli(), s.getGpuId(), s)).get();
                    }
                }
            }
            Path bill = dir.resolve("focus.csv");
            Files.writeString(bill, "BillingPeriodStart,ChargeCategory,ConsumedQuantity,EffectiveCost,PricingCategory,RegionId,"
                    + "ResourceId,ServiceName,SkuMeter,x_ServiceCode\r\n"
                    + "2026-10-01T00:00:00Z,Usage,10,219.6,Standard,us-east-1,i-0a00000000000001,Amazon Elastic Compute Cloud,"
                    + "USE1-BoxUsage:p4d.24xlarge,AmazonEC2\r\n"
                    + "2026-10-01T00:00:00Z,Usage,5,5.03,Standard,us-east-1,i-0d00000000000004,Amazon Elastic Compute Cloud,"
                    + "USE1-BoxUsage:g5.xlarge,AmazonEC2\r\n");

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = new CommandLine(new Costline());
            cmd.setOut(new PrintWriter(out));
            cmd.setErr(new PrintWriter(err));
            int code = cmd.execute("reconcile", "--focus-file", bill.toString(), "--month", "2026-10", "--bootstrap-servers",
                    kafka.bootstrapServers(), "--registry-url", registry, "--bill-prices", "--fail-on-alert");
            assertThat(code).as(err.toString()).isEqualTo(3);
            assertThat(out.toString()).contains("i-0a00000000000001   p4d.24xlarge           219.60          54.90        -164.70    -75.00  YES   RATE_ABOVE_CATALOG")
                    .contains("i-0d00000000000004   g5.xlarge                5.03           0.00          -5.03   -100.00  YES   INSTANCE_NOT_SEEN")
                    .contains("TOTAL                                       224.63          54.90        -169.73");
            assertThat(err.toString()).contains("20 samples read").contains("published 2 records to gpu.reconcile")
                    .contains("published 1 bill rates to gpu.prices from 2026-11-01");

            AvroDeserializer<BillReconciliation> rec = new AvroDeserializer<>(SchemaRegistries.forUrl(registry), BillReconciliation.class);
            assertThat(TopicRecords.readAll(kafka.clientProperties(), Topics.GPU_RECONCILE, Duration.ofSeconds(30)))
                    .extracting(r -> new String(r.key()), r -> rec.deserialize(Topics.GPU_RECONCILE, r.value()).getAlert())
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("2026-10|i-0a00000000000001", true),
                            org.assertj.core.groups.Tuple.tuple("2026-10|i-0d00000000000004", true));
            AvroDeserializer<PriceEntry> prices = new AvroDeserializer<>(SchemaRegistries.forUrl(registry), PriceEntry.class);
            assertThat(TopicRecords.readAll(kafka.clientProperties(), Topics.GPU_PRICES, Duration.ofSeconds(30)))
                    .extracting(r -> prices.deserialize(Topics.GPU_PRICES, r.value()))
                    .filteredOn(e -> e.getSource().equals("bill")).singleElement().satisfies(e -> {
                        assertThat(PriceKeys.topicKey(e)).isEqualTo("aws:us-east-1:p4d.24xlarge@001793491200000");
                        assertThat(e.getCloudPrice().getInstanceHourlyMicroUsd()).isEqualTo(21_960_000L);
                    });
        }
    }
}
