package costline.streams.prices;

import static org.assertj.core.api.Assertions.assertThat;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.streams.Samples;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PriceKeysTest {

    private static final String[] MODELS = {Samples.A100_MODEL, Samples.H100_MODEL, "NVIDIA L4"};
    private static final String[] TYPES = {"p4d.24xlarge", "p5.48xlarge"};
    private static final String[] ZONES = {"us-east-1a", "us-east-1b", null};
    private static final String[] LIFECYCLES = {"spot", "on-demand", null};

    @Test
    void candidatesAreTheKeysOfEachSampleWhateverCameBefore() {
        // the last sample's keys are remembered per site: samples alternate between sites, models, instance types,
        // zones and lifecycles, and each must still get its own keys (spot zone first, then the instance's rate)
        SplittableRandom r = new SplittableRandom(1407);
        Instant t = Instant.parse("2025-06-01T12:00:00Z");
        for (int i = 0; i < 5_000; i++) {
            GpuSample s;
            String model = MODELS[r.nextInt(MODELS.length)];
            if (r.nextBoolean()) {
                s = Samples.onPrem("gpu-" + i, t, 1_000, 50f, null, null).setGpuModel(model).build();
                assertThat(PriceKeys.candidates(s)).as("on-prem %s", model).containsExactly("onprem:" + model);
            } else {
                String type = TYPES[r.nextInt(TYPES.length)];
                String zone = ZONES[r.nextInt(ZONES.length)];
                String lifecycle = LIFECYCLES[r.nextInt(LIFECYCLES.length)];
                String region = r.nextBoolean() ? "us-east-1" : "eu-west-1";
                s = Samples.cloud("gpu-" + i, t, 1_000, 50f).setGpuModel(model)
                        .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion(region).setInstanceType(type)
                                .setInstanceId("i-1").setZone(zone).setLifecycle(lifecycle).build()).build();
                List<String> expected = new ArrayList<>();
                if ("spot".equals(lifecycle) && zone != null) {
                    expected.add("aws:" + region + ":" + type + ":spot:" + zone);
                }
                expected.add("aws:" + region + ":" + type);
                assertThat(PriceKeys.candidates(s)).as("%s %s %s %s", region, type, lifecycle, zone).isEqualTo(expected);
            }
        }
        GpuSample noPlacement = Samples.cloud("gpu-x", t, 1_000, 50f).setCloud(null).build();
        assertThat(PriceKeys.candidates(noPlacement)).isEmpty();
    }
}
