package costline.collectors.cloudwatch;

import costline.events.GpuSample;
import java.util.Arrays;
import java.util.Optional;

/**
 * The CloudWatch agent's NVIDIA metrics this poller reads, each with the GpuSample field it fills and the
 * conversion from the agent's unit.
 *
 * <p>The agent runs nvidia-smi and publishes its numbers as they come: memory in MiB (the agent labels the
 * unit "Megabytes"; the values are nvidia-smi's mebibytes), power in watts, temperature in degrees Celsius,
 * clocks in MHz, utilization in percent.
 */
public enum GpuMetric {
    UTIL_GPU("nvidia_smi_utilization_gpu", "util_gpu_pct", "Percent", "percent 0..100") {
        @Override void apply(GpuSample.Builder b, double v) { b.setUtilGpuPct((float) v); }
    },
    UTIL_MEM("nvidia_smi_utilization_memory", "util_mem_pct", "Percent", "percent 0..100") {
        @Override void apply(GpuSample.Builder b, double v) { b.setUtilMemPct((float) v); }
    },
    MEM_USED("nvidia_smi_memory_used", "mem_used_bytes", "Megabytes (MiB)", "bytes = MiB x 1,048,576") {
        @Override void apply(GpuSample.Builder b, double v) { b.setMemUsedBytes(mibToBytes(v)); }
    },
    MEM_TOTAL("nvidia_smi_memory_total", "mem_total_bytes", "Megabytes (MiB)", "bytes = MiB x 1,048,576") {
        @Override void apply(GpuSample.Builder b, double v) { b.setMemTotalBytes(mibToBytes(v)); }
    },
    POWER("nvidia_smi_power_draw", "power_w", "Watts", "watts") {
        @Override void apply(GpuSample.Builder b, double v) { b.setPowerW((float) v); }
    },
    TEMPERATURE("nvidia_smi_temperature_gpu", "temp_c", "Celsius", "degrees Celsius, rounded") {
        @Override void apply(GpuSample.Builder b, double v) { b.setTempC((int) Math.round(v)); }
    },
    SM_CLOCK("nvidia_smi_clocks_current_sm", "sm_clock_mhz", "MHz", "MHz, rounded") {
        @Override void apply(GpuSample.Builder b, double v) { b.setSmClockMhz((int) Math.round(v)); }
    };

    static final long BYTES_PER_MIB = 1024L * 1024L;

    private final String metricName;
    private final String field;
    private final String agentUnit;
    private final String fieldUnit;

    GpuMetric(String metricName, String field, String agentUnit, String fieldUnit) {
        this.metricName = metricName;
        this.field = field;
        this.agentUnit = agentUnit;
        this.fieldUnit = fieldUnit;
    }

    /** Sets this metric's field on the sample from one CloudWatch value (the period's Average). */
    abstract void apply(GpuSample.Builder builder, double value);

    public String metricName() { return metricName; }

    public String field() { return field; }

    public String agentUnit() { return agentUnit; }

    public String fieldUnit() { return fieldUnit; }

    public static Optional<GpuMetric> byMetricName(String name) {
        return Arrays.stream(values()).filter(m -> m.metricName.equals(name)).findFirst();
    }

    /** Parses a setting value: the CloudWatch metric name or the enum name, case-insensitive. */
    public static Optional<GpuMetric> parse(String text) {
        String t = text.trim();
        return Arrays.stream(values())
                .filter(m -> m.metricName.equalsIgnoreCase(t) || m.name().equalsIgnoreCase(t) || m.field.equalsIgnoreCase(t))
                .findFirst();
    }

    static long mibToBytes(double mib) {
        return Math.round(mib * BYTES_PER_MIB);
    }
}
