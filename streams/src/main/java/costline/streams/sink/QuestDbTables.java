package costline.streams.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DDL that makes QuestDB keep one row per series and time, as InfluxDB does: each measurement's table
 * de-duplicates on its timestamp and every tag (DEDUP UPSERT KEYS), so a point the sink writes again after a
 * redelivery overwrites the first instead of adding a row. Run before the first write (QuestDB would otherwise
 * create the tables on the fly, without de-duplication).
 */
public final class QuestDbTables {

    /** Column types of each measurement's fields, as {@link InfluxPoints} writes them (float or integer). */
    static final Map<Measurement, Map<String, String>> FIELD_TYPES = Map.ofEntries(
            Map.entry(Measurement.GPU_SAMPLE, Map.of("util_gpu", "DOUBLE", "util_mem", "DOUBLE", "mem_used_bytes", "LONG",
                    "power_w", "DOUBLE", "temp_c", "LONG", "sm_clock_mhz", "LONG")),
            Map.entry(Measurement.GPU_COST, Map.of("cost_usd", "DOUBLE", "idle_usd", "DOUBLE", "gpu_seconds", "DOUBLE",
                    "busy_gpu_seconds", "DOUBLE", "energy_kwh", "DOUBLE")),
            Map.entry(Measurement.GPU_DRIFT, Map.of("baseline", "DOUBLE", "current", "DOUBLE", "change_pct", "DOUBLE",
                    "severity", "STRING")),
            Map.entry(Measurement.GPU_BREAKEVEN, Map.of("break_even_months", "DOUBLE", "optimal_owned_gpus", "LONG",
                    "yearly_savings_usd", "DOUBLE", "history_days", "DOUBLE")),
            Map.entry(Measurement.GPU_ALERT, Map.of("cloud_mtd_usd", "DOUBLE", "onprem_line_usd", "DOUBLE",
                    "projected_cross_day", "LONG")),
            Map.entry(Measurement.GPU_ROLLUP_MONTHLY, Map.of("gpu_hours", "DOUBLE", "busy_gpu_hours", "DOUBLE", "cost_usd", "DOUBLE",
                    "idle_usd", "DOUBLE", "energy_kwh", "DOUBLE")),
            Map.entry(Measurement.GPU_PRICE, Map.of("usd_per_gpu_hour", "DOUBLE")),
            Map.entry(Measurement.GPU_RECONCILE, Map.of("billed_usd", "DOUBLE", "estimated_usd", "DOUBLE",
                    "difference_usd", "DOUBLE", "difference_pct", "DOUBLE", "alert", "BOOLEAN", "causes", "STRING")));

    private QuestDbTables() {
    }

    /** One CREATE TABLE IF NOT EXISTS statement per measurement. */
    public static List<String> ddl() {
        List<String> statements = new ArrayList<>();
        for (Measurement m : Measurement.values()) {
            List<String> columns = new ArrayList<>();
            m.tags().forEach(t -> columns.add(t + " SYMBOL"));
            Map<String, String> types = FIELD_TYPES.get(m);
            for (String field : m.fields()) {
                String type = types.get(field);
                if (type == null) {
                    throw new IllegalStateException("no QuestDB column type for " + m.measurementName() + "." + field);
                }
                columns.add(field + " " + type);
            }
            columns.add("timestamp TIMESTAMP");
            statements.add("CREATE TABLE IF NOT EXISTS " + m.measurementName() + " (" + String.join(", ", columns)
                    + ") TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, "
                    + String.join(", ", m.tags()) + ")");
        }
        return statements;
    }
}
