package costline.streams.sink;

import java.util.List;

/**
 * The InfluxDB measurement schema, defined once: the sink writes exactly these measurements, tags and fields,
 * and the dashboards' queries are tested against it. Tags stay low-cardinality (no pid, timestamp or free text).
 * Money fields are dollars (float, from exact micro-USD, rounded half-even to the cent where the sink says so),
 * time fields seconds or hours, energy kWh.
 */
public enum Measurement {

    GPU_SAMPLE("gpu_sample",
            List.of("host", "gpu_id", "gpu_model", "site", "region", "instance_type", "source"),
            List.of("util_gpu", "util_mem", "mem_used_bytes", "power_w", "temp_c", "sm_clock_mhz")),
    GPU_COST("gpu_cost",
            // cost_partition: the cost task that wrote the increment, part of the point's identity (see CostRevision)
            List.of("workload", "team", "site", "gpu_model", "cost_partition"),
            List.of("cost_usd", "idle_usd", "gpu_seconds", "busy_gpu_seconds", "energy_kwh")),
    GPU_DRIFT("gpu_drift",
            List.of("entity", "metric", "direction"),
            List.of("baseline", "current", "change_pct", "severity")),
    GPU_BREAKEVEN("gpu_breakeven",
            List.of("workload", "recommendation"),
            // recommendation: STAY_CLOUD, BUY, HYBRID or INSUFFICIENT_HISTORY (history_days below breakeven.min-history)
            List.of("break_even_months", "optimal_owned_gpus", "yearly_savings_usd", "history_days")),
    GPU_ALERT("gpu_alert",
            List.of("workload", "state"),
            List.of("cloud_mtd_usd", "onprem_line_usd", "projected_cross_day")),
    GPU_ROLLUP_MONTHLY("gpu_rollup_monthly",
            List.of("month", "workload", "team", "site", "gpu_model"),
            List.of("gpu_hours", "busy_gpu_hours", "cost_usd", "idle_usd", "energy_kwh")),
    /** Price versions (gpu.prices) at their effective_from: where a rate came from (catalog, price-list, spot, ...). */
    GPU_PRICE("gpu_price",
            List.of("price_key", "source", "pricing_model", "site"),
            List.of("usd_per_gpu_hour")),
    /** Bill reconciliation (gpu.reconcile) at the month's first instant: billed vs estimated per EC2 instance. */
    GPU_RECONCILE("gpu_reconcile",
            List.of("month", "instance_id", "instance_type"),
            List.of("billed_usd", "estimated_usd", "difference_usd", "difference_pct", "alert", "causes"));

    private final String measurementName;
    private final List<String> tags;
    private final List<String> fields;

    Measurement(String measurementName, List<String> tags, List<String> fields) {
        this.measurementName = measurementName;
        this.tags = tags;
        this.fields = fields;
    }

    /** The measurement's name in InfluxDB. */
    public String measurementName() {
        return measurementName;
    }

    public List<String> tags() {
        return tags;
    }

    public List<String> fields() {
        return fields;
    }
}
