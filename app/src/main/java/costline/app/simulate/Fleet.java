package costline.app.simulate;

import costline.events.CloudPlacement;
import costline.events.Site;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The quickstart's fleet: an on-prem H100 server and AWS instances, running the four kinds of workload the
 * product is about. Model names and instance types match the default price catalog.
 */
public final class Fleet {

    public static final String H100 = "NVIDIA H100 80GB HBM3";
    public static final String A100 = "NVIDIA A100-SXM4-40GB";
    public static final String A10G = "NVIDIA A10G";

    private Fleet() {
    }

    /** The default fleet; {@code driftStart} is when the drifting job's data loader starts starving it. */
    public static List<SimulatedGpu> standard(Instant driftStart) {
        List<SimulatedGpu> gpus = new ArrayList<>();
        // On-prem: one 8 x H100 server. Six GPUs train around the clock, two run a job that drifts.
        for (int i = 0; i < 8; i++) {
            boolean training = i < 6;
            gpus.add(new SimulatedGpu(uuid("onprem-h100-01", i), "onprem-h100-01", i, H100, Site.ONPREM, null,
                    training ? i : i - 6,
                    training ? "llm-pretrain" : "vector-index-build",
                    training ? "ml-platform" : "search",
                    training ? Demand.steady(93, 4) : Demand.drifting(85, 40, driftStart, 6),
                    72, 700, 85_520_809_984L));
        }
        // AWS p4d.24xlarge (8 x A100): an inference service, 2 GPUs always, all 8 for 6 peak hours a day.
        CloudPlacement p4d = new CloudPlacement("aws", "us-east-1", "us-east-1a", "p4d.24xlarge", "i-0a1b2c3d4e5f60718", null);
        for (int i = 0; i < 8; i++) {
            gpus.add(new SimulatedGpu(p4d.getInstanceId() + "/" + i, "ip-10-0-3-17", i, A100, Site.CLOUD, p4d, i,
                    "search-inference", "search", Demand.dailyPeaks(2, 6, 70), 60, 400, 42_949_672_960L));
        }
        // AWS p4d.24xlarge held around the clock for a team that trains nightly: busy all day, as owning would be.
        CloudPlacement p4dTrain = new CloudPlacement("aws", "us-east-1", "us-east-1b", "p4d.24xlarge", "i-0f9e8d7c6b5a40321", null);
        for (int i = 0; i < 8; i++) {
            gpus.add(new SimulatedGpu(p4dTrain.getInstanceId() + "/" + i, "ip-10-0-7-42", i, A100, Site.CLOUD, p4dTrain, i,
                    "recsys-train", "ads", Demand.steady(88, 5), 60, 400, 42_949_672_960L));
        }
        // AWS g5.xlarge reserved "just in case": an idle reservation.
        CloudPlacement g5 = new CloudPlacement("aws", "us-east-1", "us-east-1c", "g5.xlarge", "i-0123456789abcdef0", null);
        gpus.add(new SimulatedGpu(g5.getInstanceId() + "/0", "ip-10-0-9-5", 0, A10G, Site.CLOUD, g5, 0,
                "notebook-reserve", "research", Demand.idle(2), 15, 300, 24_146_608_128L));
        return gpus;
    }

    /**
     * The fleet's owned GPUs as inventory entries, in service from {@code inService}: their fixed cost accrues by the
     * hour whether or not they are sampled.
     */
    public static List<costline.events.OwnedGpu> inventory(List<SimulatedGpu> fleet, Instant inService) {
        List<costline.events.OwnedGpu> owned = new ArrayList<>();
        fleet.stream().filter(g -> g.site() == Site.ONPREM).forEach(g -> owned.add(owned(g.gpuId(), g.host(), g.model(),
                inService, "quickstart: simulated server " + g.host())));
        // a spare 8 x H100 server, racked and in service but running nothing yet: no collector reports it, and it
        // costs its amortization and operations all the same (the `unobserved` row of the finance CSV)
        for (int i = 0; i < 8; i++) {
            owned.add(owned(uuid(SPARE_HOST, i), SPARE_HOST, H100, inService, "quickstart: spare server, never sampled"));
        }
        return owned;
    }

    /** The owned server the quickstart's inventory holds besides the simulated one: in service, never sampled. */
    public static final String SPARE_HOST = "onprem-h100-02";

    private static costline.events.OwnedGpu owned(String gpuId, String host, String model, Instant inService, String reference) {
        return costline.events.OwnedGpu.newBuilder().setGpuId(gpuId).setHost(host).setSite(Site.ONPREM).setGpuModel(model)
                .setInServiceFrom(inService).setRetiredAt(null).setReference(reference).build();
    }

    private static String uuid(String host, int index) {
        return "GPU-" + UUID.nameUUIDFromBytes((host + "/" + index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
