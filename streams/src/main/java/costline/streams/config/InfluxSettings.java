package costline.streams.config;

import java.net.URI;
import java.util.List;

/**
 * Where and how the sink writes to InfluxDB. The token comes only from the environment
 * ({@code COSTLINE_INFLUX_TOKEN}) or from a file named by {@code influx.token.file}: a token written in the
 * settings file stops start-up, so the file can be checked in or shared.
 */
public record InfluxSettings(String url, String org, String bucket, char[] token, int batchSize, long flushMs,
                             long retryInitialMs, long retryMaxMs, String groupId, List<String> topics) {

    public static final Setting URL = new Setting("influx.url", "http://127.0.0.1:8086", "InfluxDB 2.x base URL");
    public static final Setting ORG = new Setting("influx.org", "costline", "InfluxDB organization");
    public static final Setting BUCKET = new Setting("influx.bucket", "costline", "InfluxDB bucket");
    public static final Setting TOKEN_FILE = new Setting("influx.token.file", null,
            "file holding the InfluxDB API token (alternative to COSTLINE_INFLUX_TOKEN); never put the token itself in the settings file");
    public static final Setting BATCH = new Setting("sink.batch.size", "5000", "points per write, at most");
    public static final Setting FLUSH_MS = new Setting("sink.poll.ms", "200", "longest wait for records before a partial batch is written, ms");
    public static final Setting RETRY_INITIAL_MS = new Setting("sink.retry.initial.ms", "200", "first back-off after a failed write, ms (doubles)");
    public static final Setting RETRY_MAX_MS = new Setting("sink.retry.max.ms", "30000", "longest back-off between write attempts, ms");
    public static final Setting GROUP_ID = new Setting("sink.group.id", "costline-influx-sink", "consumer group of the sink");
    public static final Setting TOPICS = new Setting("sink.topics",
            "gpu.samples,gpu.cost,gpu.drift,gpu.breakeven,gpu.alerts,gpu.rollup.monthly,gpu.prices,gpu.reconcile",
            "topics the sink writes to InfluxDB (comma-separated)");

    public static final List<Setting> ALL = List.of(URL, ORG, BUCKET, TOKEN_FILE, BATCH, FLUSH_MS, RETRY_INITIAL_MS,
            RETRY_MAX_MS, GROUP_ID, TOPICS);

    public static InfluxSettings from(Settings s) {
        String url = s.string(URL);
        try {
            URI u = URI.create(url);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("not http(s)");
            }
        } catch (IllegalArgumentException e) {
            throw new SettingsException(URL.key(), "'" + url + "' is not an http(s) URL", "write e.g. http://influxdb:8086");
        }
        String token = s.secret("influx.token", false);
        if (token == null || token.isEmpty()) {
            throw new SettingsException("influx.token", "no InfluxDB token",
                    "set COSTLINE_INFLUX_TOKEN, or influx.token.file to a file holding the token");
        }
        long initial = s.longValue(RETRY_INITIAL_MS, 1, 3_600_000);
        long max = s.longValue(RETRY_MAX_MS, 1, 3_600_000);
        if (max < initial) {
            throw new SettingsException(RETRY_MAX_MS.key(), max + " is below " + RETRY_INITIAL_MS.key() + " (" + initial + ")",
                    "make the longest back-off at least the first one");
        }
        List<String> topics = List.of(s.string(TOPICS).split("\\s*,\\s*"));
        return new InfluxSettings(url, s.string(ORG), s.string(BUCKET), token.toCharArray(), s.intValue(BATCH, 1, 1_000_000),
                s.longValue(FLUSH_MS, 1, 600_000), initial, max, s.string(GROUP_ID), topics);
    }
}
