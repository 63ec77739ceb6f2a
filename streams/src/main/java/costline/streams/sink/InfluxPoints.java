package costline.streams.sink;

import costline.events.BillReconciliation;
import costline.events.BreakEvenRecommendation;
import costline.events.CloudPlacement;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.events.HistoryStatus;
import costline.events.MonthlyRollup;
import costline.events.PriceEntry;
import costline.events.SpendAlert;
import costline.pricing.CostModel;
import costline.streams.cost.CostRevision;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * The one mapping from events to InfluxDB points, following {@link Measurement}.
 *
 * <p>Idempotency: InfluxDB keeps one value per series (measurement + tag set) and timestamp, so a point written
 * twice overwrites itself. Every method here derives the tags and the timestamp from the event alone, so a record
 * the sink redelivers after a crash lands on the same series and time and never adds. Points are written at
 * microsecond precision (QuestDB keeps microseconds; InfluxDB accepts them).
 *
 * <ul>
 *   <li>gpu_sample: time = sample_time. A corrected sample (same GPU and sample_time) overwrites the first.</li>
 *   <li>gpu_cost: gpu.cost records are additive increments per minute, numbered by {@code revision}
 *       ({@link CostRevision}: the writing partition and its sequence); tag cost_partition, time = window_start + sequence
 *       microseconds (under 0.1 s, whatever the partition count), so each increment is its own point inside its
 *       minute and sum() over the minute is the minute's cost.</li>
 *   <li>gpu_rollup_monthly: time = the month's first instant in its zone, so every month-to-date update, the
 *       FINAL record and corrections overwrite one point: the latest figure.</li>
 *   <li>gpu_drift, gpu_breakeven, gpu_alert: time = the event's own time (detected_at, computed_at, at).</li>
 * </ul>
 *
 * <p>Money fields are dollars as doubles from exact micro-USD (6 decimals kept, so sums over many points still
 * round to the right cent); GPU time is seconds (cost) or hours (rollups); energy is kWh. Null readings are left
 * out, never written as 0. Tags whose value is unknown (team, cloud placement on-prem) are left out.
 */
public final class InfluxPoints {

    /** The precision of every point's time: microseconds (QuestDB keeps them; InfluxDB accepts them). */
    static final com.influxdb.client.domain.WritePrecision PRECISION = com.influxdb.client.domain.WritePrecision.US;
    private static final double MJ_PER_KWH = CostModel.MJ_PER_KWH;

    private InfluxPoints() {
    }

    public static LinePoint sample(GpuSample s) {
        LinePoint p = point(Measurement.GPU_SAMPLE)
                .addTag("host", s.getHost())
                .addTag("gpu_id", s.getGpuId())
                .addTag("gpu_model", s.getGpuModel())
                .addTag("site", s.getSite().name())
                .addTag("source", s.getSource().name());
        CloudPlacement cloud = s.getCloud();
        if (cloud != null) {
            p.addTag("region", cloud.getRegion());
            p.addTag("instance_type", cloud.getInstanceType());
        }
        if (s.getUtilGpuPct() != null) {
            p.addField("util_gpu", s.getUtilGpuPct().doubleValue());
        }
        if (s.getUtilMemPct() != null) {
            p.addField("util_mem", s.getUtilMemPct().doubleValue());
        }
        if (s.getMemUsedBytes() != null) {
            p.addField("mem_used_bytes", s.getMemUsedBytes().longValue());
        }
        if (s.getPowerW() != null) {
            p.addField("power_w", s.getPowerW().doubleValue());
        }
        if (s.getTempC() != null) {
            p.addField("temp_c", s.getTempC().longValue());
        }
        if (s.getSmClockMhz() != null) {
            p.addField("sm_clock_mhz", s.getSmClockMhz().longValue());
        }
        return p.time(micros(s.getSampleTime()));
    }

    public static LinePoint cost(CostRecord c) {
        CostRevision revision = CostRevision.of(c.getRevision());
        LinePoint p = point(Measurement.GPU_COST)
                .addTag("workload", c.getWorkload())
                .addTag("site", c.getSite().name())
                .addTag("gpu_model", c.getGpuModel())
                .addTag("cost_partition", Integer.toString(revision.partition()));
        tagIfKnown(p, "team", c.getTeam());
        return p.addField("cost_usd", dollars(c.getCostMicroUsd()))
                .addField("idle_usd", dollars(c.getIdleMicroUsd()))
                .addField("gpu_seconds", c.getGpuMs() / 1000.0)
                .addField("busy_gpu_seconds", c.getBusyGpuMs() / 1000.0)
                .addField("energy_kwh", c.getEnergyMj() / MJ_PER_KWH)
                .time(micros(c.getWindowStart()) + revision.sequence());
    }

    public static LinePoint drift(DriftSignal d) {
        return point(Measurement.GPU_DRIFT)
                .addTag("entity", d.getEntity())
                .addTag("metric", d.getMetric().name())
                .addTag("direction", d.getDirection().name())
                .addField("baseline", d.getBaseline())
                .addField("current", d.getCurrent())
                .addField("change_pct", d.getChangePct())
                .addField("severity", d.getSeverity().name())
                .time(micros(d.getDetectedAt()));
    }

    public static LinePoint breakeven(BreakEvenRecommendation b) {
        // below the minimum history there is no advice: the tag says so, rather than the STAY_CLOUD placeholder
        String recommendation = b.getHistory() == HistoryStatus.INSUFFICIENT_HISTORY
                ? HistoryStatus.INSUFFICIENT_HISTORY.name() : b.getRecommendation().name();
        LinePoint p = point(Measurement.GPU_BREAKEVEN)
                .addTag("workload", b.getScope())
                .addTag("recommendation", recommendation)
                .addField("optimal_owned_gpus", (long) b.getOptimalOwnedGpus())
                .addField("yearly_savings_usd", dollars(b.getYearlySavingsMicroUsd()));
        if (b.getBreakEvenMonths() != null) {
            p.addField("break_even_months", b.getBreakEvenMonths().doubleValue());
        }
        if (b.getHistoryDays() != null) {
            p.addField("history_days", b.getHistoryDays().doubleValue());
        }
        return p.time(micros(b.getComputedAt()));
    }

    public static LinePoint alert(SpendAlert a) {
        LinePoint p = point(Measurement.GPU_ALERT)
                .addTag("workload", a.getWorkload())
                .addTag("state", a.getState().name())
                .addField("cloud_mtd_usd", dollars(a.getCloudMtdMicroUsd()))
                .addField("onprem_line_usd", dollars(a.getOnpremLineMicroUsd()));
        if (a.getProjectedCrossDay() != null) {
            p.addField("projected_cross_day", a.getProjectedCrossDay().longValue());
        }
        return p.time(micros(a.getAt()));
    }

    public static LinePoint rollup(MonthlyRollup r) {
        Instant monthStart = YearMonth.parse(r.getMonth()).atDay(1).atStartOfDay(ZoneId.of(r.getZone())).toInstant();
        LinePoint p = point(Measurement.GPU_ROLLUP_MONTHLY)
                .addTag("month", r.getMonth())
                .addTag("workload", r.getWorkload())
                .addTag("site", r.getSite().name())
                .addTag("gpu_model", r.getGpuModel());
        tagIfKnown(p, "team", r.getTeam());
        return p.addField("gpu_hours", r.getGpuMs() / (double) CostModel.MS_PER_HOUR)
                .addField("busy_gpu_hours", r.getBusyGpuMs() / (double) CostModel.MS_PER_HOUR)
                .addField("cost_usd", dollars(r.getCostMicroUsd()))
                .addField("idle_usd", dollars(r.getIdleMicroUsd()))
                .addField("energy_kwh", r.getEnergyMj() / MJ_PER_KWH)
                .time(micros(monthStart));
    }

    /**
     * gpu_price: one point per price version at its effective_from, tagged with its key and source, so a dashboard
     * shows which rate (and from where) was in force. The rate is per GPU-hour (cloud: the instance rate / its GPUs;
     * on-prem: amortized capex and operations, without energy).
     */
    public static LinePoint price(PriceEntry e) {
        long perGpuHour = e.getSite() == costline.events.Site.CLOUD
                ? CostModel.cloudMicroUsdPerGpuHour(e.getCloudPrice())
                : CostModel.onPremFixedCostMicroUsd(e.getOnprem(), CostModel.MS_PER_HOUR);
        return point(Measurement.GPU_PRICE)
                .addTag("price_key", e.getPriceKey())
                .addTag("source", e.getSource())
                .addTag("pricing_model", e.getCloudPrice() != null ? e.getCloudPrice().getPricingModel() : "OWNED")
                .addTag("site", e.getSite().name())
                .addField("usd_per_gpu_hour", dollars(perGpuHour))
                .time(micros(e.getEffectiveFrom()));
    }

    /** gpu_reconcile: one point per instance and month at the month's first instant (UTC); a re-run overwrites it. */
    public static LinePoint reconcile(BillReconciliation r) {
        Instant monthStart = YearMonth.parse(r.getMonth()).atDay(1).atStartOfDay(ZoneId.of("UTC")).toInstant();
        LinePoint p = point(Measurement.GPU_RECONCILE)
                .addTag("month", r.getMonth())
                .addTag("instance_id", r.getInstanceId());
        tagIfKnown(p, "instance_type", r.getInstanceType());
        p.addField("billed_usd", dollars(r.getBilledMicroUsd()))
                .addField("estimated_usd", dollars(r.getEstimatedMicroUsd()))
                .addField("difference_usd", dollars(r.getDifferenceMicroUsd()))
                .addField("alert", r.getAlert())
                // a field, not a tag: a re-run whose cause changed overwrites the point instead of adding a series
                .addField("causes", r.getCauses().isEmpty() ? "NONE" : String.join(",", r.getCauses()));
        if (r.getDifferenceBp() != null) {
            p.addField("difference_pct", r.getDifferenceBp() / 100.0);
        }
        return p.time(micros(monthStart));
    }

    private static LinePoint point(Measurement m) {
        return LinePoint.measurement(m.measurementName());
    }

    private static void tagIfKnown(LinePoint p, String tag, String value) {
        if (value != null && !value.isBlank()) {
            p.addTag(tag, value);
        }
    }

    /** Largest magnitude a long converts to a double exactly (2^53). */
    private static final long EXACT_IN_DOUBLE = 1L << 53;

    /**
     * Exact micro-USD as dollars; the double nearest to the 6-decimal value. Up to 2^53 micro-USD (9 billion dollars)
     * the long and 10^6 are exact doubles and IEEE division rounds the exact quotient once, to the nearest double: the
     * same double as {@code CostModel.toDollars(x).doubleValue()}, without a BigDecimal per money field.
     */
    static double dollars(long microUsd) {
        if (microUsd > -EXACT_IN_DOUBLE && microUsd < EXACT_IN_DOUBLE) {
            return microUsd / 1_000_000.0;
        }
        return CostModel.toDollars(microUsd).doubleValue();
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }
}
