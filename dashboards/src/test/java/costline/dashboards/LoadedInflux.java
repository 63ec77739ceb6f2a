package costline.dashboards;

import com.influxdb.client.domain.WritePrecision;
import costline.streams.sink.LinePoint;
import costline.dashboards.fixture.FleetFixture;
import costline.dashboards.influxql.InfluxQlServer;
import costline.dashboards.influxql.QueryResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One influxd for the test JVM, loaded once with the fixture's points: events -> InfluxPoints (the sink's
 * mapping) -> line protocol -> /write. Stopped by a shutdown hook when the JVM ends.
 */
public final class LoadedInflux {

    public static final String DB = "costline";
    private static LoadedInflux instance;

    public final InfluxQlServer server;
    public final FleetFixture fixture;
    public final int pointsWritten;

    private LoadedInflux(InfluxQlServer server, FleetFixture fixture, int pointsWritten) {
        this.server = server;
        this.fixture = fixture;
        this.pointsWritten = pointsWritten;
    }

    public static synchronized LoadedInflux get() throws IOException, InterruptedException {
        if (instance == null) {
            InfluxQlServer server = InfluxQlServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            server.createDatabase(DB);
            FleetFixture fixture = new FleetFixture();
            List<LinePoint> points = fixture.points();
            List<String> lines = new ArrayList<>(points.size());
            for (LinePoint p : points) {
                String line = p.toLineProtocol();
                if (line.isEmpty()) {
                    throw new IllegalStateException("InfluxPoints made a point with no fields: " + p);
                }
                lines.add(line);
            }
            // every point's time is in microseconds (InfluxPoints.PRECISION)
            server.write(DB, v1Precision(WritePrecision.US), lines);
            instance = new LoadedInflux(server, fixture, points.size());
        }
        return instance;
    }

    public QueryResult query(String influxQl) throws IOException, InterruptedException {
        return server.query(DB, influxQl);
    }

    /** InfluxDB 1.x names precisions n, u, ms, s on /write. */
    static String v1Precision(WritePrecision p) {
        return switch (p) {
            case NS -> "n";
            case US -> "u";
            case MS -> "ms";
            case S -> "s";
        };
    }
}
