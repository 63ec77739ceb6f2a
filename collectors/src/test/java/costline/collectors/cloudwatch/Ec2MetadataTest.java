package costline.collectors.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.GpuSample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EC2 metadata: placement, tags -> workload and team, host-only agents, and GPU instances without agent data. */
class Ec2MetadataTest {

    static final Instant T0 = PollerFixture.T0;

    @TempDir
    Path dir;

    @Test
    void runningGpuInstancesWithoutAgentDataPublishTheirTimeWithNullReadings() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            Map<String, String> tags = Map.of("costline:workload", "batch-infer", "costline:team", "search", "workload", "ignored");
            f.aws.addInstance("us-east-1", new FakeAwsEndpoint.Ec2Instance("i-0silent00000000001", "g5.xlarge", "us-east-1c",
                    "running", T0.minus(Duration.ofDays(1)), "ip-10-9-0-1.ec2.internal", tags));
            // Started at 08:22:30: billed from then on, so periods ending after it.
            f.aws.addInstance("us-east-1", new FakeAwsEndpoint.Ec2Instance("i-0silent00000000002", "g5.xlarge", "us-east-1c",
                    "running", T0.plus(Duration.ofSeconds(22 * 60 + 30)), "ip-10-9-0-2.ec2.internal", Map.of()));
            f.aws.addInstance("us-east-1", new FakeAwsEndpoint.Ec2Instance("i-0stopped0000000003", "p4d.24xlarge", "us-east-1c",
                    "stopped", T0.minus(Duration.ofDays(1)), "ip-10-9-0-3.ec2.internal", Map.of()));
            f.aws.addInstance("us-east-1", new FakeAwsEndpoint.Ec2Instance("i-0cpuonly0000000004", "m7i.large", "us-east-1c",
                    "running", T0.minus(Duration.ofDays(1)), "ip-10-9-0-4.ec2.internal", Map.of()));
            f.addAgentInstances("us-east-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, true, Map.of());
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofHours(1)));
            CloudWatchSettings settings = f.settings("us-east-1").withMetrics(PollerFixture.FIVE)
                    .withTagKeys("costline:workload", "costline:team");
            try (CloudWatchPoller poller = f.poller(settings)) {
                poller.start();
                f.clock.now = T0.plus(Duration.ofMinutes(30));
                poller.pollOnce();
                // Nothing final yet: no null samples while agent data may still come.
                assertThat(f.published).allSatisfy(s -> assertThat(s.getUtilGpuPct()).isNotNull());
                f.clock.now = T0.plus(Duration.ofMinutes(35));
                CloudWatchPoller.Cycle cycle = poller.pollOnce();
                assertThat(cycle.reports().get(0).noAgentSamples()).isEqualTo(5 + 3);
            }
            List<GpuSample> silent = f.published.stream().filter(s -> s.getGpuId().startsWith("i-0silent")).toList();
            assertThat(silent).hasSize(8);
            GpuSample s = silent.stream().filter(x -> x.getGpuId().equals("i-0silent00000000001/0")).findFirst().orElseThrow();
            assertThat(s.getUtilGpuPct()).isNull();
            assertThat(s.getUtilMemPct()).isNull();
            assertThat(s.getMemUsedBytes()).isNull();
            assertThat(s.getPowerW()).isNull();
            assertThat(s.getTempC()).isNull();
            assertThat(s.getIntervalMs()).isEqualTo(60_000L);
            assertThat(s.getGpuModel()).isEqualTo("NVIDIA A10G");
            assertThat(s.getHost()).isEqualTo("ip-10-9-0-1.ec2.internal");
            assertThat(s.getCloud().getInstanceType()).isEqualTo("g5.xlarge");
            assertThat(s.getCloud().getZone()).isEqualTo("us-east-1c");
            assertThat(s.getWorkloads()).hasSize(1);
            assertThat(s.getWorkloads().get(0).getWorkload()).isEqualTo("batch-infer");
            assertThat(s.getWorkloads().get(0).getTeam()).isEqualTo("search");
            assertThat(silent.stream().filter(x -> x.getGpuId().equals("i-0silent00000000002/0")).map(GpuSample::getSampleTime))
                    .containsExactly(T0.plus(Duration.ofMinutes(23)), T0.plus(Duration.ofMinutes(24)), T0.plus(Duration.ofMinutes(25)));
            assertThat(f.published).noneMatch(x -> x.getGpuId().startsWith("i-0stopped") || x.getGpuId().startsWith("i-0cpuonly"));
            // The agent's GPU had data for every period: no null sample for it.
            assertThat(f.published).filteredOn(x -> x.getGpuId().equals(f.gpus.get(0).instanceId() + "/0"))
                    .allSatisfy(x -> assertThat(x.getUtilGpuPct()).isNotNull());
        }
    }

    @Test
    void agentsWithoutInstanceIdAreMatchedByHostNameAndUnknownHostsStillPublish() throws Exception {
        try (PollerFixture f = new PollerFixture(dir)) {
            f.addAgentInstances("us-east-1", 1, "g5.xlarge", 1, PollerFixture.FIVE, false, Map.of("workload", "etl"));
            // An agent on a host EC2 does not list (another account, or renamed): kept, marked unknown.
            Map<String, String> dims = new java.util.LinkedHashMap<>();
            dims.put("host", "gpu-box-7");
            dims.put("index", "0");
            dims.put("name", "NVIDIA L4");
            for (GpuMetric m : PollerFixture.FIVE) {
                f.aws.addMetric("us-east-1", m.metricName(), dims);
                f.aws.putPoint("us-east-1", m.metricName(), dims, T0.plus(Duration.ofMinutes(25)), 12.0);
            }
            f.fill(PollerFixture.FIVE, T0, T0.plus(Duration.ofMinutes(30)));
            f.clock.now = T0.plus(Duration.ofMinutes(30));
            try (CloudWatchPoller poller = f.poller(f.settings("us-east-1").withMetrics(PollerFixture.FIVE))) {
                poller.start();
                CloudWatchPoller.Cycle cycle = poller.pollOnce();
                assertThat(cycle.reports().get(0).unresolvedGpus()).isEqualTo(1);
            }
            PollerFixture.AgentGpu g = f.gpus.get(0);
            GpuSample matched = f.published.stream().filter(x -> x.getHost().equals(g.host())).findFirst().orElseThrow();
            assertThat(matched.getGpuId()).isEqualTo(g.instanceId() + "/0");
            assertThat(matched.getCloud().getInstanceId()).isEqualTo(g.instanceId());
            assertThat(matched.getCloud().getInstanceType()).isEqualTo("g5.xlarge");
            assertThat(matched.getWorkloads().get(0).getWorkload()).isEqualTo("etl");
            GpuSample unknown = f.published.stream().filter(x -> x.getHost().equals("gpu-box-7")).findFirst().orElseThrow();
            assertThat(unknown.getGpuId()).isEqualTo("gpu-box-7/0");
            assertThat(unknown.getCloud().getInstanceType()).isEqualTo("unknown");
            assertThat(unknown.getGpuModel()).isEqualTo("NVIDIA L4");
            assertThat(unknown.getWorkloads()).isEmpty();
        }
    }
}
