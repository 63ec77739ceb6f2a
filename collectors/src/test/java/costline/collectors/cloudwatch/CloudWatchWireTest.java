package costline.collectors.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import costline.events.Site;
import costline.events.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the pinned SDK (2.57.8) really sends, captured by the local endpoint: CloudWatch in Smithy RPC v2
 * CBOR, EC2 in EC2 Query; and how the answers map onto GpuSamples.
 */
class CloudWatchWireTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void sdkSpeaksRpcV2CborToCloudWatchAndEc2QueryToEc2() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "p4d.24xlarge", 2, EnumSet.allOf(GpuMetric.class), true,
                    Map.of("workload", "llm-train", "team", "research"));
            f.fill(EnumSet.allOf(GpuMetric.class), PollerFixture.T0, PollerFixture.T0.plus(Duration.ofMinutes(30)));
            f.clock.now = PollerFixture.T0.plus(Duration.ofMinutes(30)).plusSeconds(17);
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1"))) {
                poller.start();
                poller.pollOnce();
            }

            FakeAwsEndpoint.Recorded list = f.aws.requests("ListMetrics").get(0);
            assertThat(list.path()).isEqualTo("/service/GraniteServiceVersion20100801/operation/ListMetrics");
            assertThat(list.header("Content-Type")).isEqualTo("application/cbor");
            assertThat(list.header("smithy-protocol")).isEqualTo("rpc-v2-cbor");
            assertThat(list.service()).isEqualTo("monitoring");
            assertThat(list.region()).isEqualTo("us-east-1");
            assertThat(list.body()).containsEntry("Namespace", "CWAgent").containsEntry("RecentlyActive", "PT3H")
                    .containsKey("MetricName");
            assertThat(f.aws.requests("ListMetrics")).hasSize(GpuMetric.values().length);

            FakeAwsEndpoint.Recorded gmd = f.aws.requests("GetMetricData").get(0);
            assertThat(gmd.path()).isEqualTo("/service/GraniteServiceVersion20100801/operation/GetMetricData");
            // Timestamps travel as CBOR tag 1 (epoch seconds): the decoder turns only those into Instants.
            assertThat(gmd.body().get("StartTime")).isEqualTo(Instant.parse("2026-11-27T08:20:00Z"));
            assertThat(gmd.body().get("EndTime")).isEqualTo(Instant.parse("2026-11-27T08:30:00Z"));
            assertThat(gmd.body()).containsEntry("ScanBy", "TimestampAscending");
            List<Map<String, Object>> queries = (List<Map<String, Object>>) gmd.body().get("MetricDataQueries");
            assertThat(queries).hasSize(2 * GpuMetric.values().length);
            Map<String, Object> q = queries.get(0);
            assertThat(q).containsEntry("Id", "q0").containsEntry("ReturnData", true);
            Map<String, Object> stat = (Map<String, Object>) q.get("MetricStat");
            assertThat(stat).containsEntry("Period", 60L).containsEntry("Stat", "Average");
            Map<String, Object> metric = (Map<String, Object>) stat.get("Metric");
            assertThat(metric).containsEntry("Namespace", "CWAgent");
            assertThat((List<Map<String, Object>>) metric.get("Dimensions")).extracting(d -> d.get("Name"))
                    .containsExactly("InstanceId", "InstanceType", "host", "index", "name");

            FakeAwsEndpoint.Recorded di = f.aws.requests("DescribeInstances").get(0);
            assertThat(di.path()).isEqualTo("/");
            assertThat(di.service()).isEqualTo("ec2");
            assertThat(di.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
            assertThat(di.body()).containsEntry("Version", "2016-11-15").containsEntry("MaxResults", "1000");
            FakeAwsEndpoint.Recorded dt = f.aws.requests("DescribeInstanceTypes").get(0);
            assertThat(dt.body()).containsEntry("InstanceType.1", "p4d.24xlarge");

            // 2 GPUs x 10 periods, each once.
            assertThat(f.published).hasSize(20);
            PollerFixture.AgentGpu g1 = f.gpus.get(1);
            Instant period = Instant.parse("2026-11-27T08:25:00Z");
            GpuSample s = f.published.stream()
                    .filter(x -> x.getGpuId().equals(g1.instanceId() + "/1") && x.getSampleTime().equals(period.plusSeconds(60)))
                    .findFirst().orElseThrow();
            assertThat(s.getSource()).isEqualTo(Source.CLOUDWATCH);
            assertThat(s.getSite()).isEqualTo(Site.CLOUD);
            assertThat(s.getIntervalMs()).isEqualTo(60_000L);
            assertThat(s.getGpuIndex()).isEqualTo(1);
            assertThat(s.getHost()).isEqualTo(g1.host());
            assertThat(s.getGpuModel()).isEqualTo("NVIDIA A100-SXM4-40GB");
            assertThat(s.getCloud().getProvider()).isEqualTo("aws");
            assertThat(s.getCloud().getRegion()).isEqualTo("us-east-1");
            assertThat(s.getCloud().getZone()).isEqualTo("us-east-1a");
            assertThat(s.getCloud().getInstanceType()).isEqualTo("p4d.24xlarge");
            assertThat(s.getCloud().getInstanceId()).isEqualTo(g1.instanceId());
            assertThat(s.getUtilGpuPct()).isEqualTo((float) PollerFixture.value(GpuMetric.UTIL_GPU, g1, period));
            assertThat(s.getUtilMemPct()).isEqualTo((float) PollerFixture.value(GpuMetric.UTIL_MEM, g1, period));
            assertThat(s.getMemUsedBytes()).isEqualTo((long) PollerFixture.value(GpuMetric.MEM_USED, g1, period) * 1_048_576L);
            assertThat(s.getMemTotalBytes()).isEqualTo(40960L * 1_048_576L);
            assertThat(s.getPowerW()).isEqualTo((float) PollerFixture.value(GpuMetric.POWER, g1, period));
            assertThat(s.getTempC()).isEqualTo((int) Math.round(PollerFixture.value(GpuMetric.TEMPERATURE, g1, period)));
            assertThat(s.getSmClockMhz()).isEqualTo((int) PollerFixture.value(GpuMetric.SM_CLOCK, g1, period));
            assertThat(s.getEnergyCounterMj()).isNull();
            assertThat(s.getWorkloads()).hasSize(1);
            assertThat(s.getWorkloads().get(0).getWorkload()).isEqualTo("llm-train");
            assertThat(s.getWorkloads().get(0).getTeam()).isEqualTo("research");
            assertThat(s.getWorkloads().get(0).getShare()).isEqualTo(1.0f);
        }
    }
}
