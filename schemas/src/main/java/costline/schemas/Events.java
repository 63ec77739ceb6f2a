package costline.schemas;

import costline.events.BillReconciliation;
import costline.events.BreakEvenRecommendation;
import costline.events.CostRecord;
import costline.events.DriftSignal;
import costline.events.GpuSample;
import costline.events.MonthlyRollup;
import costline.events.OwnedGpu;
import costline.events.PriceEntry;
import costline.events.SpendAlert;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** Every event type costline publishes, with its current schema. */
public final class Events {

    public static final List<Class<? extends SpecificRecord>> ALL = List.of(
            GpuSample.class, PriceEntry.class, CostRecord.class, DriftSignal.class,
            BreakEvenRecommendation.class, SpendAlert.class, MonthlyRollup.class, BillReconciliation.class, OwnedGpu.class);

    private Events() {
    }

    public static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return org.apache.avro.specific.SpecificData.get().getSchema(type);
    }
}
