package costline.dashboards.influxql;

/** The InfluxQL engine rejected a query; carries the query so a failing panel is easy to find. */
public final class InfluxQlException extends RuntimeException {

    public InfluxQlException(String query, String error) {
        super(error + "\n  query: " + query);
    }
}
