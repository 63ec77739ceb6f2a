package costline.app.quickstart;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;

/**
 * What a quickstart run does.
 *
 * @param start            first simulated day (UTC midnight)
 * @param days             simulated days
 * @param sampleInterval   simulated time one sample covers
 * @param wallTime         real time the simulation should take at least (0: as fast as the pipeline goes)
 * @param dataDir          where the broker, Streams state and the store keep data; null: a temporary folder
 * @param outDir           where the finance CSV and the break-even chart go
 * @param bootstrapServers an external Kafka instead of the embedded one; null: embedded
 * @param registryUrl      an external schema registry; null: in-process
 * @param influxUrl        an external InfluxDB 2.x instead of the embedded QuestDB; null: embedded
 * @param influxOrg        InfluxDB organization (external store only)
 * @param influxBucket     InfluxDB bucket (external store only)
 * @param influxToken      InfluxDB token (from the environment; external store only)
 * @param liveView         redraw the terminal view while running
 * @param stayUp           keep serving the store's console after the run, until Ctrl-C
 * @param seed             seed of the simulated fleet
 * @param nvmlLibrary      NVML library to look for real GPUs with (they join the fleet when it loads)
 */
public record QuickstartOptions(LocalDate start, int days, Duration sampleInterval, Duration wallTime, Path dataDir,
                                Path outDir, String bootstrapServers, String registryUrl, String influxUrl,
                                String influxOrg, String influxBucket, String influxToken, boolean liveView,
                                boolean stayUp, long seed, String nvmlLibrary) {

    public QuickstartOptions {
        if (days < 1) {
            throw new IllegalArgumentException("--days must be at least 1, got " + days);
        }
        if (sampleInterval.isNegative() || sampleInterval.isZero() || sampleInterval.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("--sample-interval must be a positive whole number of seconds, got " + sampleInterval);
        }
        if (influxUrl != null && (influxToken == null || influxToken.isBlank())) {
            throw new IllegalArgumentException("--influx-url needs a token: set COSTLINE_INFLUX_TOKEN");
        }
    }
}
