package costline.collectors.poll;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a {@link Poller} on its cadence until closed; a poll that throws is logged and the next one runs as planned. */
public final class PollSchedule implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PollSchedule.class);
    private final ScheduledExecutorService schedule;

    private PollSchedule(ScheduledExecutorService schedule) {
        this.schedule = schedule;
    }

    public static PollSchedule start(Poller poller, String name) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, name + "-schedule"));
        s.scheduleAtFixedRate(() -> {
            try {
                Poller.Result r = poller.pollOnce();
                LOG.info("{}: {}", name, r.summary());
            } catch (RuntimeException e) {
                LOG.error("{}: poll failed: {}", name, e.toString(), e);
            }
        }, 0, poller.cadence().toMillis(), TimeUnit.MILLISECONDS);
        return new PollSchedule(s);
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}
