package costline.collectors.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real /proc/&lt;pid&gt;/cgroup formats: Kubernetes (cgroup v1 and v2, cgroupfs and systemd), Docker, Slurm. */
class CgroupResolverTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            k8s cgroup v1 cgroupfs   | 12:memory:/kubepods/burstable/pod8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | k8s-pod/8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f
            k8s cgroup v1 besteffort | 4:devices:/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/abcdef | k8s-pod/11111111-2222-3333-4444-555555555555
            k8s cgroup v2 systemd    | 0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8a7c5c9e_1f2b_4d3c_9e8f_0a1b2c3d4e5f.slice/cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope | k8s-pod/8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f
            k8s cgroup v2 guaranteed | 0::/kubepods.slice/kubepods-pod8a7c5c9e_1f2b_4d3c_9e8f_0a1b2c3d4e5f.slice/crio-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope | k8s-pod/8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f
            docker cgroup v1         | 11:cpu,cpuacct:/docker/4f1e2d3c4b5a69788796a5b4c3d2e1f04f1e2d3c4b5a69788796a5b4c3d2e1f0 | docker/4f1e2d3c4b5a
            docker cgroup v2 systemd | 0::/system.slice/docker-4f1e2d3c4b5a69788796a5b4c3d2e1f04f1e2d3c4b5a69788796a5b4c3d2e1f0.scope | docker/4f1e2d3c4b5a
            podman cgroup v2         | 0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0.scope/container | container/9f8e7d6c5b4a
            slurm cgroup v1          | 7:devices:/slurm/uid_1000/job_4711/step_0/task_0 | slurm-job/4711
            slurm cgroup v2          | 0::/system.slice/slurmstepd.scope/job_4711/step_batch/user/task_0 | slurm-job/4711
            """)
    void parsesRealPathFormats(String name, String line, String workload) {
        assertThat(CgroupResolver.fromCgroupFile(line + "\n")).contains(new Workload(workload, null));
    }

    @Test
    void aWholeCgroupV1FileWithManyControllersNamesThePod() {
        String file = """
                12:hugetlb:/kubepods/burstable/pod8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                11:memory:/kubepods/burstable/pod8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                1:name=systemd:/kubepods/burstable/pod8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                0::/
                """;
        assertThat(CgroupResolver.fromCgroupFile(file))
                .contains(new Workload("k8s-pod/8a7c5c9e-1f2b-4d3c-9e8f-0a1b2c3d4e5f", null));
    }

    @Test
    void aPlainUserSessionOrRootCgroupNamesNothing() {
        assertThat(CgroupResolver.fromCgroupFile("0::/user.slice/user-1000.slice/session-3.scope\n")).isEmpty();
        assertThat(CgroupResolver.fromCgroupFile("0::/\n")).isEqualTo(Optional.empty());
        assertThat(CgroupResolver.fromCgroupFile("")).isEmpty();
    }
}
