package costline.dashboards.influxql;

import java.util.List;
import java.util.Map;

/** What InfluxDB 1.x returns for one statement: series, each with its tags, columns and rows. */
public record QueryResult(List<Series> series) {

    public record Series(String name, Map<String, String> tags, List<String> columns, List<List<Object>> values) {

        /** The value of one column in one row, as a number (null when the cell is null). */
        public Double number(int row, String column) {
            Object v = values.get(row).get(columns.indexOf(column));
            return v == null ? null : ((Number) v).doubleValue();
        }
    }

    /** Rows across all series. */
    public int rows() {
        return series.stream().mapToInt(s -> s.values().size()).sum();
    }
}
