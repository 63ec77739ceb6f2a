package costline.streams.cost;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.Site;
import costline.events.WorkloadShare;
import costline.schemas.Names;
import costline.schemas.Names.Kind;
import costline.schemas.Topics;

/**
 * The one validation of a decoded sample, shared by the cost topology and the sink (which writes raw gpu_sample
 * points only for samples that pass it): names ({@link Names}), presence, ranges, plausibility of the readings
 * ({@link PowerBounds}) and sample times neither too far ahead nor too far back. Null when the sample is valid.
 */
public final class SampleRules {

    /** Why a sample was refused: the dead-letter reason and a detail for people. */
    public record Problem(DlqReason reason, String detail) {
    }

    /**
     * {@code nowMs} of a check without a wall clock (the audit's batch fold, which re-reads the topic long after):
     * the future and age limits, which the live topology applied against its clock, are not applied.
     */
    public static final long NO_CLOCK = Long.MIN_VALUE;

    private SampleRules() {
    }

    /**
     * These rules with {@code cfg}'s limits as the check of a {@link costline.streams.config.DecodedSource}: how every
     * application besides the cost topology (drift) reads gpu.samples, so a sample is refused everywhere with the same
     * reason. The cost topology's own lateness check ({@link DlqReason#TOO_LATE}) and NO_PRICE belong to its
     * de-duplication and pricing and are not part of it.
     */
    public static costline.streams.config.DecodedSource.Check<GpuSample> asCheck(CostSettings cfg) {
        return (s, nowMs) -> {
            Problem p = check(s, nowMs, cfg.maxIntervalMs(), cfg.maxFutureMs(), cfg.maxAgeMs());
            return p == null ? null : new costline.streams.config.Decoding.Refusal(p.reason().name(), p.detail());
        };
    }

    /**
     * The checks that need no state. {@code maxAgeMs}: a sample_time further back than this before {@code nowMs} is
     * refused as {@link DlqReason#PAST_TIMESTAMP} (a clock at 1970, a replayed file from years ago).
     */
    public static Problem check(GpuSample s, long nowMs, long maxIntervalMs, long maxFutureMs, long maxAgeMs) {
        Problem named = names(s);
        if (named != null) {
            return named;
        }
        long t = s.getSampleTime().toEpochMilli();
        if (s.getIntervalMs() <= 0 || s.getIntervalMs() > maxIntervalMs) {
            return new Problem(DlqReason.OUT_OF_RANGE, "interval_ms " + s.getIntervalMs() + " outside 1.." + maxIntervalMs);
        }
        Problem p = percent("util_gpu_pct", s.getUtilGpuPct());
        if (p == null) {
            p = percent("util_mem_pct", s.getUtilMemPct());
        }
        if (p != null) {
            return p;
        }
        if (s.getPowerW() != null && !(s.getPowerW() >= 0 && Float.isFinite(s.getPowerW()))) {
            return new Problem(DlqReason.OUT_OF_RANGE, "power_w " + s.getPowerW() + " is negative or not finite");
        }
        if (s.getPowerW() != null && s.getPowerW() > PowerBounds.maxWatts(s.getGpuModel())) {
            return new Problem(DlqReason.OUT_OF_RANGE, "power_w " + s.getPowerW() + " above the plausible "
                    + PowerBounds.maxWatts(s.getGpuModel()) + " W of one " + s.getGpuModel());
        }
        p = readings(s);
        if (p != null) {
            return p;
        }
        if (s.getEnergyCounterMj() != null && s.getEnergyCounterMj() < 0) {
            return new Problem(DlqReason.OUT_OF_RANGE, "energy_counter_mj " + s.getEnergyCounterMj() + " is negative");
        }
        double sum = 0;
        for (WorkloadShare w : s.getWorkloads()) {
            if (!(w.getShare() >= 0 && w.getShare() <= 1)) {
                return new Problem(DlqReason.OUT_OF_RANGE, "share " + w.getShare() + " of " + w.getWorkload() + " outside 0..1");
            }
            sum += w.getShare();
        }
        if (sum > 1 + CostCalculator.SHARE_TOLERANCE) {
            return new Problem(DlqReason.OUT_OF_RANGE, "shares sum to " + sum + ", more than 1");
        }
        if (s.getSite() == Site.CLOUD && s.getCloud() == null) {
            return new Problem(DlqReason.MISSING_FIELD, "cloud sample without its cloud placement (provider, region, instance type)");
        }
        if (nowMs == NO_CLOCK) {
            return null;
        }
        if (t > nowMs + maxFutureMs) {
            return new Problem(DlqReason.FUTURE_TIMESTAMP, "sample_time " + s.getSampleTime() + " is " + (t - nowMs)
                    + " ms ahead of this host's clock (limit " + maxFutureMs + " ms)");
        }
        if (t < nowMs - maxAgeMs) {
            return new Problem(DlqReason.PAST_TIMESTAMP, "sample_time " + s.getSampleTime() + " is more than " + maxAgeMs
                    + " ms behind this host's clock");
        }
        return null;
    }

    /**
     * Every name the sample carries against the one rule ({@link Names}). The one reserved name a sample may hold is
     * the collectors' marker of a GPU with no process: a share named {@link Topics#UNALLOCATED} with no team and no
     * pid (what {@code Attributor} writes); any other use of a reserved name is refused.
     */
    static Problem names(GpuSample s) {
        Problem p = name(Kind.GPU_ID, s.getGpuId());
        p = p != null ? p : name(Kind.HOST, s.getHost());
        p = p != null ? p : name(Kind.GPU_MODEL, s.getGpuModel());
        CloudPlacement c = s.getCloud();
        if (p == null && c != null) {
            p = name(Kind.REGION, c.getRegion());
            p = p != null ? p : name(Kind.INSTANCE_TYPE, c.getInstanceType());
            p = p != null ? p : name(Kind.INSTANCE_ID, c.getInstanceId());
        }
        for (WorkloadShare w : s.getWorkloads()) {
            if (p != null) {
                break;
            }
            boolean marker = Topics.UNALLOCATED.equals(w.getWorkload()) && w.getTeam() == null && w.getPid() == null;
            p = marker ? null : name(Kind.WORKLOAD, w.getWorkload());
            if (p == null && w.getTeam() != null) {
                p = name(Kind.TEAM, w.getTeam());
            }
        }
        return p;
    }

    private static Problem name(Kind kind, String value) {
        String why = Names.check(kind, value);
        return why == null ? null : new Problem(DlqReason.INVALID_NAME, why);
    }

    /** Coldest and hottest plausible GPU temperature reading, degrees C: beyond them the sensor is broken. */
    public static final int MIN_TEMP_C = -40;
    public static final int MAX_TEMP_C = 150;
    /** Highest plausible SM clock, MHz (today's GPUs boost to about 2,600). */
    public static final int MAX_SM_CLOCK_MHZ = 10_000;

    /**
     * The readings that are not costed but stored and drawn (the dashboards' fleet panels): a temperature outside
     * {@value #MIN_TEMP_C}..{@value #MAX_TEMP_C} C, a negative memory figure or more used than there is, a negative or
     * absurd SM clock, a negative GPU index. Such a sample's other readings are not to be trusted either.
     */
    private static Problem readings(GpuSample s) {
        if (s.getGpuIndex() < 0) {
            return new Problem(DlqReason.OUT_OF_RANGE, "gpu_index " + s.getGpuIndex() + " is negative");
        }
        if (s.getTempC() != null && (s.getTempC() < MIN_TEMP_C || s.getTempC() > MAX_TEMP_C)) {
            return new Problem(DlqReason.OUT_OF_RANGE, "temp_c " + s.getTempC() + " outside " + MIN_TEMP_C + ".." + MAX_TEMP_C);
        }
        if (s.getSmClockMhz() != null && (s.getSmClockMhz() < 0 || s.getSmClockMhz() > MAX_SM_CLOCK_MHZ)) {
            return new Problem(DlqReason.OUT_OF_RANGE, "sm_clock_mhz " + s.getSmClockMhz() + " outside 0.." + MAX_SM_CLOCK_MHZ);
        }
        Long used = s.getMemUsedBytes();
        Long total = s.getMemTotalBytes();
        if ((used != null && used < 0) || (total != null && total < 0)) {
            return new Problem(DlqReason.OUT_OF_RANGE, "memory bytes used " + used + " / total " + total + ": negative");
        }
        if (used != null && total != null && used > total) {
            return new Problem(DlqReason.OUT_OF_RANGE, "mem_used_bytes " + used + " more than mem_total_bytes " + total);
        }
        return null;
    }

    private static Problem percent(String field, Float v) {
        if (v != null && !(v >= 0 && v <= 100)) {
            return new Problem(DlqReason.OUT_OF_RANGE, field + " " + v + " outside 0..100");
        }
        return null;
    }
}
