package costline.streams.cost;

import costline.events.CostRecord;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Numbers the increments of each (minute, site, GPU model, workload) 0, 1, 2, ... after they were re-partitioned
 * by workload, so that one task sees every increment of a key and the numbers are unique: the InfluxDB sink writes
 * each increment at window_start + revision microseconds, and two increments must never share a timestamp.
 * Counters are forgotten once their minute is older than the retention (twice the de-duplication window plus five
 * minutes of stream time): no increment for such a minute can still come, as samples that old are refused.
 */
final class RevisionProcessor implements Processor<String, CostRecord, String, CostRecord> {

    private final long retentionMs;
    private ProcessorContext<String, CostRecord> context;
    private KeyValueStore<String, Integer> revisions;

    RevisionProcessor(CostSettings cfg) {
        this.retentionMs = 2 * cfg.dedupWindowMs() + 300_000;
    }

    @Override
    public void init(ProcessorContext<String, CostRecord> context) {
        this.context = context;
        this.revisions = context.getStateStore(CostTopology.REVISIONS_STORE);
        context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, streamTime ->
                SampleProcessor.deleteRange(revisions, SampleProcessor.pad(Math.max(0, streamTime - retentionMs))));
    }

    @Override
    public void process(Record<String, CostRecord> record) {
        CostRecord c = record.value();
        String key = SampleProcessor.pad(c.getWindowStart().toEpochMilli()) + SampleProcessor.SEP + c.getSite().name()
                + SampleProcessor.SEP + c.getGpuModel() + SampleProcessor.SEP + c.getWorkload();
        Integer rev = revisions.get(key);
        int revision = rev == null ? 0 : rev;
        CostRecord numbered = CostRecord.newBuilder(c).setRevision(revision).build();
        revisions.put(key, revision + 1);
        context.forward(record.withValue(numbered));
    }
}
