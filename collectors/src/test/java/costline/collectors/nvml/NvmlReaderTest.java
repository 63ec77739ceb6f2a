package costline.collectors.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.collectors.nvml.GpuReading.MigReading;
import costline.collectors.nvml.GpuReading.ProcessReading;
import costline.events.GpuSample;
import costline.events.HealthState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real JNA binding against the fake libnvidia-ml.so.1: values, struct layouts and error paths. */
class NvmlReaderTest {

    @Test
    void readsEveryValueOfSeveralGpusInNvmlUnits() {
        FakeNvml.Control c = FakeNvml.reset(3);
        c.fake_set_identity(2, "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "NVIDIA A100-SXM4-40GB");
        FakeNvml.set(2, "util_gpu", 99);
        FakeNvml.set(2, "util_mem", 41);
        FakeNvml.set(2, "mem_total", 42_949_672_960L);
        FakeNvml.set(2, "mem_used", 30_000_000_000L);
        FakeNvml.set(2, "power_mw", 399_512);
        FakeNvml.set(2, "temp_c", 54);
        FakeNvml.set(2, "sm_clock", 1410);
        FakeNvml.set(2, "energy_mj", 123_456_789_012L);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            assertThat(reader.deviceCount()).isEqualTo(3);
            assertThat(reader.driverVersion()).isEqualTo("580.159.04-fake");
            List<GpuReading> readings = reader.read(true, true);
            assertThat(readings).extracting(GpuReading::index).containsExactly(0, 1, 2);
            GpuReading r = readings.get(2);
            assertThat(r.uuid()).isEqualTo("GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
            assertThat(r.name()).isEqualTo("NVIDIA A100-SXM4-40GB");
            assertThat(r.utilGpuPct()).isEqualTo(99);
            assertThat(r.utilMemPct()).isEqualTo(41);
            assertThat(r.memTotalBytes()).isEqualTo(42_949_672_960L);
            assertThat(r.memUsedBytes()).isEqualTo(30_000_000_000L);
            assertThat(r.powerMilliwatts()).isEqualTo(399_512);
            assertThat(r.tempC()).isEqualTo(54);
            assertThat(r.smClockMhz()).isEqualTo(1410);
            assertThat(r.energyMillijoules()).isEqualTo(123_456_789_012L);
            assertThat(r.migEnabled()).isFalse();
            assertThat(r.lost()).isFalse();
            assertThat(r.errors()).isEmpty();
            assertThat(readings.get(0).uuid()).isNotEqualTo(readings.get(1).uuid());

            // Without the slow flags the energy counter is not read at all.
            long energyCalls = c.fake_calls("nvmlDeviceGetTotalEnergyConsumption");
            assertThat(reader.read(false, false).get(2).energyMillijoules()).isNull();
            assertThat(c.fake_calls("nvmlDeviceGetTotalEnergyConsumption")).isEqualTo(energyCalls);

            GpuSample sample = new SampleBuilder("node-1").build(r, 1000, List.of());
            assertThat(sample.getPowerW()).isEqualTo(399.512f);
            assertThat(sample.getUtilGpuPct()).isEqualTo(99f);
            assertThat(sample.getEnergyCounterMj()).isEqualTo(123_456_789_012L);
            assertThat(sample.getGpuId()).isEqualTo("GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        }
    }

    @Test
    void notSupportedIsNullNotZeroAndOtherErrorsAreKeptForTheHealthDetail() {
        FakeNvml.Control c = FakeNvml.reset(1);
        c.fake_set_error(0, "nvmlDeviceGetPowerUsage", FakeNvml.NOT_SUPPORTED);
        c.fake_set_error(0, "nvmlDeviceGetTotalEnergyConsumption", FakeNvml.NOT_SUPPORTED);
        c.fake_set_error(0, "nvmlDeviceGetMigMode", FakeNvml.NOT_SUPPORTED);
        c.fake_set_error(0, "nvmlDeviceGetTemperature", FakeNvml.NO_PERMISSION);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            GpuReading r = reader.read(true, true).get(0);
            assertThat(r.powerMilliwatts()).isNull();
            assertThat(r.energyMillijoules()).isNull();
            assertThat(r.migEnabled()).isNull();
            assertThat(r.tempC()).isNull();
            assertThat(r.smClockMhz()).isEqualTo(345);
            assertThat(r.errors()).containsExactly(
                    java.util.Map.entry("nvmlDeviceGetTemperature", "NVML_ERROR_NO_PERMISSION"));
            GpuSample sample = new SampleBuilder("node-1").build(r, 1000, List.of());
            assertThat(sample.getPowerW()).isNull();
            assertThat(sample.getTempC()).isNull();
            assertThat(sample.getMigEnabled()).isNull();
            assertThat(sample.getHealth().getDetail()).isEqualTo("nvmlDeviceGetTemperature: NVML_ERROR_NO_PERMISSION");
        }
    }

    @Test
    void aLostGpuIsReportedAsItsHealthWhileTheOthersAreStillRead() {
        FakeNvml.Control c = FakeNvml.reset(3);
        FakeNvml.set(2, "util_gpu", 77);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            assertThat(reader.read(false, false)).extracting(GpuReading::lost).containsExactly(false, false, false);
            c.fake_set_error(1, "*", FakeNvml.GPU_IS_LOST);
            List<GpuReading> readings = reader.read(true, true);
            assertThat(readings).extracting(GpuReading::lost).containsExactly(false, true, false);
            GpuReading lost = readings.get(1);
            assertThat(lost.uuid()).isEqualTo("GPU-00000000-0000-0000-0000-000000000001");
            assertThat(lost.utilGpuPct()).isNull();
            assertThat(lost.memUsedBytes()).isNull();
            assertThat(readings.get(2).utilGpuPct()).isEqualTo(77);
            GpuSample sample = new SampleBuilder("node-1").build(lost, 1000, List.of());
            assertThat(sample.getHealth().getState()).isEqualTo(HealthState.LOST);
            assertThat(sample.getHealth().getDetail()).contains("NVML_ERROR_GPU_IS_LOST");
            assertThat(sample.getUtilGpuPct()).isNull();
        }
    }

    @Test
    void migInstancesAreListedWhenMigIsOn() {
        FakeNvml.Control c = FakeNvml.reset(2);
        FakeNvml.set(0, "mig_mode", 1);
        c.fake_add_mig(0, "MIG-11111111-2222-3333-4444-555555555555", 1, 0, 10_200_547_328L, 1_000_000L);
        c.fake_add_mig(0, "MIG-66666666-7777-8888-9999-000000000000", 2, 0, 20_401_094_656L, 2_000_000L);
        c.fake_set_mig_slices(0, "MIG-66666666-7777-8888-9999-000000000000", 2);
        // an A30-like GPU: 4 slices in all (its largest GPU instance profile is 4g)
        FakeNvml.set(0, "mig_total_slices", 4);
        c.fake_add_mig_process(0, 4242, 1L << 30, 2, 0);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            List<GpuReading> readings = reader.read(false, false);
            assertThat(readings.get(0).migEnabled()).isTrue();
            // slices from nvmlDeviceGetAttributes_v2 of each MIG device (gpuInstanceSliceCount)
            assertThat(readings.get(0).migInstances()).containsExactly(
                    new MigReading("MIG-11111111-2222-3333-4444-555555555555", 1, 0, 10_200_547_328L, 1_000_000L, 1),
                    new MigReading("MIG-66666666-7777-8888-9999-000000000000", 2, 0, 20_401_094_656L, 2_000_000L, 2));
            assertThat(readings.get(0).migTotalSlices()).isEqualTo(4);
            // a process in a MIG instance is listed on the parent GPU with its GPU and compute instance
            assertThat(readings.get(0).processes()).containsExactly(new ProcessReading(4242, 1L << 30, 2, 0));
            assertThat(readings.get(1).migEnabled()).isFalse();
            assertThat(readings.get(1).migTotalSlices()).isNull();
            assertThat(readings.get(1).migInstances()).isEmpty();
            GpuSample sample = new SampleBuilder("node-1").build(readings.get(0), 1000, List.of());
            assertThat(sample.getMigInstances()).hasSize(2);
            assertThat(sample.getMigInstances().get(1).getGpuInstanceId()).isEqualTo(2);
            assertThat(sample.getMigInstances().get(1).getMemTotalBytes()).isEqualTo(20_401_094_656L);
        }
    }

    @Test
    void processesAndTheirUtilizationAreReadEvenBeyondTheFirstBuffer() {
        FakeNvml.Control c = FakeNvml.reset(1);
        long now = System.currentTimeMillis() * 1000;
        for (int i = 0; i < 40; i++) { // more than the reader's first buffer holds: INSUFFICIENT_SIZE, then retry
            c.fake_add_process(0, 1000 + i, (i + 1) * 1_048_576L);
        }
        c.fake_add_process_util(0, 1000, 60, now);
        c.fake_add_process_util(0, 1000, 80, now + 1);
        c.fake_add_process_util(0, 1001, 10, now + 2);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            GpuReading r = reader.read(false, false).get(0);
            assertThat(r.processes()).hasSize(40);
            assertThat(r.processes().get(39)).isEqualTo(new ProcessReading(1039, 40 * 1_048_576L));
            assertThat(r.processSmUtil()).containsEntry(1000, 70.0).containsEntry(1001, 10.0).hasSize(2);
            // The next round asks only for samples newer than the last one seen: none, so an empty map.
            assertThat(reader.read(false, false).get(0).processSmUtil()).isEmpty();
        }
        c.fake_set_error(0, "nvmlDeviceGetProcessUtilization", FakeNvml.NOT_SUPPORTED);
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            assertThat(reader.read(false, false).get(0).processSmUtil()).isNull();
        }
    }

    @Test
    void healthCountersEccRemappedRowsRetiredPagesAndXid() {
        FakeNvml.Control c = FakeNvml.reset(3);
        FakeNvml.set(0, "ecc_corr", 12);
        FakeNvml.set(0, "remap_corr", 2);
        FakeNvml.set(0, "remap_unc", 1);
        FakeNvml.set(1, "ecc_uncorr", 3);
        c.fake_set_error(1, "nvmlDeviceGetRemappedRows", FakeNvml.NOT_SUPPORTED); // pre-Ampere: retired pages
        FakeNvml.set(1, "retired_sbe", 4);
        FakeNvml.set(1, "retired_dbe", 1);
        c.fake_set_error(2, "nvmlDeviceGetTotalEccErrors", FakeNvml.NOT_SUPPORTED);
        c.fake_set_error(2, "nvmlDeviceGetRemappedRows", FakeNvml.NOT_SUPPORTED);
        c.fake_set_error(2, "nvmlDeviceGetRetiredPages", FakeNvml.NOT_SUPPORTED);
        SampleBuilder builder = new SampleBuilder("node-1");
        try (NvmlReader reader = NvmlReader.open(FakeNvml.path())) {
            List<GpuSample> samples = reader.read(false, true).stream()
                    .map(r -> builder.build(r, 1000, List.of())).toList();
            assertThat(samples.get(0).getHealth().getState()).isEqualTo(HealthState.OK);
            assertThat(samples.get(0).getHealth().getEccCorrectedVolatile()).isEqualTo(12L);
            assertThat(samples.get(0).getHealth().getEccUncorrectedVolatile()).isEqualTo(0L);
            assertThat(samples.get(0).getHealth().getRetiredPages()).isEqualTo(3L);
            assertThat(samples.get(1).getHealth().getState()).isEqualTo(HealthState.DEGRADED);
            assertThat(samples.get(1).getHealth().getRetiredPages()).isEqualTo(5L);
            assertThat(samples.get(2).getHealth().getState()).isEqualTo(HealthState.UNKNOWN);
            assertThat(samples.get(2).getHealth().getEccUncorrectedVolatile()).isNull();
            assertThat(samples.get(2).getHealth().getRetiredPages()).isNull();

            c.fake_add_xid(0, 79); // fell off the bus
            GpuSample afterXid = builder.build(reader.read(false, false).get(0), 1000, List.of());
            assertThat(afterXid.getHealth().getLastXid()).isEqualTo(79);
            assertThat(afterXid.getHealth().getState()).isEqualTo(HealthState.DEGRADED);
            // Counters read on the slow cadence are repeated in between.
            assertThat(afterXid.getHealth().getEccCorrectedVolatile()).isEqualTo(12L);
        }
    }

    @Test
    void aMissingLibraryOrDriverStopsStartUpSayingWhatToInstall() {
        assertThatThrownBy(() -> NvmlReader.open("/nonexistent/libnvidia-ml.so.1"))
                .isInstanceOf(NvmlUnavailableException.class)
                .hasMessageContaining("cannot load the NVML library /nonexistent/libnvidia-ml.so.1")
                .hasMessageContaining("Install the NVIDIA driver");
        FakeNvml.Control c = FakeNvml.reset(1);
        c.fake_set_error(-1, "nvmlInit_v2", FakeNvml.DRIVER_NOT_LOADED);
        assertThatThrownBy(() -> NvmlReader.open(FakeNvml.path()))
                .isInstanceOf(NvmlUnavailableException.class)
                .hasMessageContaining("NVML_ERROR_DRIVER_NOT_LOADED")
                .hasMessageContaining("nvidia-smi");
    }
}
