package costline.collectors.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import costline.collectors.attribution.Workload;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WorkloadNamingTest {

    /** Pod names as the controllers generate them (suffix alphabet bcdfghjklmnpqrstvwxz2456789). */
    @ParameterizedTest
    @CsvSource({
            "llm-train-7d9c8b6f5-x2bq4, llm-train",      // Deployment: <name>-<pod-template-hash>-<5>
            "ranker-0, ranker",                          // StatefulSet: <name>-<ordinal>
            "ranker-12, ranker",
            "dcgm-exporter-z8k2m, dcgm-exporter",        // DaemonSet or Job: <name>-<5>
            "embed-job-28391042-q7v2k, embed-job-28391042", // a CronJob's Job's pod: the Job
            "notebook, notebook",                        // a bare pod keeps its name
            "nginx-proxy, nginx-proxy",                  // 'proxy' has vowels: not a generated suffix
    })
    void ownersAreReadFromGeneratedPodNames(String pod, String owner) {
        assertThat(WorkloadNaming.ownerFromName(pod)).isEqualTo(owner);
    }

    @Test
    void theFirstLabelSetWinsThenAnnotationsThenTheFallback() {
        WorkloadNaming naming = new WorkloadNaming(List.of("app.kubernetes.io/name", "app"), List.of("team"));
        PodRef ref = new PodRef("ml", "train-0");
        PodInfo both = new PodInfo("u1", ref, Map.of("app", "b", "app.kubernetes.io/name", "a", "team", "t"),
                Map.of(), "StatefulSet", "train");
        assertThat(naming.name(ref, Optional.of(both))).isEqualTo(new Workload("a", "t", "ml", "train-0"));
        PodInfo annotated = new PodInfo("u2", ref, Map.of("app", " "), Map.of("app", "from-annotation"),
                "StatefulSet", "train");
        assertThat(naming.name(ref, Optional.of(annotated)))
                .isEqualTo(new Workload("from-annotation", "ml", "ml", "train-0"));
        PodInfo bare = new PodInfo("u3", ref, Map.of(), Map.of(), null, null);
        assertThat(naming.name(ref, Optional.of(bare))).isEqualTo(new Workload("ml/train-0", "ml", "ml", "train-0"));
    }
}
