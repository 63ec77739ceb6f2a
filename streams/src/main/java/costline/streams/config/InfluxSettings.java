package costline.streams.config;

import java.net.URI;
import java.util.List;

/**
 * Where and how the sink writes to InfluxDB. The token comes only from the environment
 * ({@code COSTLINE_INFLUX_TOKEN}) or from a file named by {@code influx.token.file}: a token written in the
 * settings file stops start-up, so the file can be checked in or shared.
 */
public record InfluxSettings(String url, String org, String bucket, char[] token, int batchSize, long flushMs,
                             long fetchWaitMs, int fetchMinBytes, long retryInitialMs, long retryMaxMs, String groupId,
                             List<String> topics) {

    public static final Setting URL = new Setting("influx.url", "http://127.0.0.1:8086", "InfluxDB 2.x base URL (http or https)");
    public static final Setting ORG = new Setting("influx.org", "costline", "InfluxDB organization");
    public static final Setting BUCKET = new Setting("influx.bucket", "costline", "InfluxDB bucket");
    public static final Setting TOKEN = Setting.secret("influx.token",
            "InfluxDB API token: only from COSTLINE_INFLUX_TOKEN or the file influx.token.file names, never in the settings file");
    public static final Setting TOKEN_FILE = new Setting("influx.token.file", null,
            "file holding the InfluxDB API token (alternative to COSTLINE_INFLUX_TOKEN)");
    public static final Setting BATCH = Setting.longValue("sink.batch-size", 5000, 1, 1_000_000, "points per write, at most (max.poll.records)");
    public static final Setting POLL_TIMEOUT = Setting.duration("sink.poll-timeout", "200ms", "1ms", "10m",
            "longest wait for records before a partial batch is written");
    // Each write is one request and one store transaction (a QuestDB WAL commit, applied and de-duplicated on its
    // own): at 10,000 samples/s a fetch answered at its first byte made writes of a few dozen points, whose fixed cost
    // was most of the store's CPU. The broker holds the sink's fetch until this many bytes or sink.fetch-wait.
    public static final Setting FETCH_WAIT = Setting.duration("sink.fetch-wait", "100ms", "0ms", "5s",
            "longest the broker holds the sink's fetch to gather sink.fetch-min-bytes (fetch.max.wait.ms): fewer, larger"
                    + " writes (each one store transaction) for at most this much added latency");
    public static final Setting FETCH_MIN_BYTES = Setting.longValue("sink.fetch-min-bytes", 1_048_576, 1, 52_428_800,
            "bytes the broker gathers before it answers the sink's fetch (fetch.min.bytes); 1 answers at once");
    public static final Setting RETRY_INITIAL = Setting.duration("sink.retry-initial", "200ms", "1ms", "1h",
            "first back-off while the store is down (doubles after each failed write)");
    public static final Setting RETRY_MAX = Setting.duration("sink.retry-max", "30s", "1ms", "1h",
            "longest back-off between write attempts (at least sink.retry-initial)");
    public static final Setting GROUP_ID = new Setting("sink.group-id", "costline-influx-sink", "consumer group of the sink");
    public static final Setting TOPICS = Setting.list("sink.topics",
            "gpu.samples,gpu.cost,gpu.drift,gpu.breakeven,gpu.alerts,gpu.rollup.monthly,gpu.prices,gpu.reconcile",
            "topics the sink writes to InfluxDB");

    public static final List<Setting> ALL = List.of(URL, ORG, BUCKET, TOKEN, TOKEN_FILE, BATCH, POLL_TIMEOUT, FETCH_WAIT,
            FETCH_MIN_BYTES, RETRY_INITIAL, RETRY_MAX, GROUP_ID, TOPICS);

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
        String token = s.secret(TOKEN.key(), false);
        if (token == null || token.isEmpty()) {
            throw new SettingsException(TOKEN.key(), "no InfluxDB token",
                    "set COSTLINE_INFLUX_TOKEN, or influx.token.file to a file holding the token");
        }
        long initial = s.duration(RETRY_INITIAL).toMillis();
        long max = s.duration(RETRY_MAX).toMillis();
        if (max < initial) {
            throw new SettingsException(RETRY_MAX.key(), s.string(RETRY_MAX) + " is below " + RETRY_INITIAL.key() + " ("
                    + s.string(RETRY_INITIAL) + ")",
                    "make the longest back-off at least the first one");
        }
        List<String> topics = s.list(TOPICS);
        if (topics.isEmpty()) {
            throw new SettingsException(TOPICS.key(), "names no topic", "list the topics to write, e.g. " + TOPICS.defaultValue());
        }
        return new InfluxSettings(url, s.string(ORG), s.string(BUCKET), token.toCharArray(), s.intValue(BATCH),
                s.duration(POLL_TIMEOUT).toMillis(), s.duration(FETCH_WAIT).toMillis(), s.intValue(FETCH_MIN_BYTES), initial, max, s.string(GROUP_ID), topics);
    }
}
