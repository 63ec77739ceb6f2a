package costline.streams.reconcile;

import costline.events.CloudPlacement;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.streams.finance.MonthCalendar;
import costline.streams.prices.PriceKeys;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * costline's cost of each EC2 instance over a month, from its GPU samples and the price versions of gpu.prices, by
 * the cost topology's rules: a sample's GPU time at the price in force at its time under its price key (the zone's
 * spot price for a spot instance, else the type's rate: {@link PriceKeys#candidates}), {@link CostModel} for the
 * amount. A sample re-published for the same GPU and time counts once (its last version). The rollups are per
 * workload, not per instance, so the instance view is rebuilt here from the same inputs.
 */
public final class InstanceCosts {

    private final Map<String, NavigableMap<Long, PriceEntry>> versions = new HashMap<>();
    private final Map<String, GpuSample> samples = new HashMap<>();
    private final YearMonth month;
    private final MonthCalendar calendar = MonthCalendar.utc();

    public InstanceCosts(YearMonth month, List<PriceEntry> prices) {
        this.month = month;
        for (PriceEntry p : prices) {
            versions.computeIfAbsent(p.getPriceKey(), k -> new TreeMap<>()).put(p.getEffectiveFrom().toEpochMilli(), p);
        }
    }

    /** Takes a sample of gpu.samples; other months and on-prem samples are ignored. */
    public void add(GpuSample s) {
        if (s.getSite() != Site.CLOUD || s.getCloud() == null || !calendar.monthOf(s.getSampleTime().toEpochMilli() - 1).equals(month)) {
            return;
        }
        samples.put(s.getGpuId() + "@" + s.getSampleTime().toEpochMilli(), s);
    }

    public Map<String, InstanceUsage> byInstance() {
        Map<String, Map<String, Long>> msPerGpu = new HashMap<>();
        Map<String, InstanceUsage> out = new HashMap<>();
        for (GpuSample s : samples.values()) {
            CloudPlacement c = s.getCloud();
            PriceEntry price = null;
            for (String key : PriceKeys.candidates(s)) {
                NavigableMap<Long, PriceEntry> v = versions.get(key);
                Map.Entry<Long, PriceEntry> e = v == null ? null : v.floorEntry(s.getSampleTime().toEpochMilli());
                if (e != null && e.getValue().getCloudPrice() != null) {
                    price = e.getValue();
                    break;
                }
            }
            long cost = price == null ? 0 : CostModel.cloudCostMicroUsd(price.getCloudPrice(), s.getIntervalMs());
            int gpus = price == null ? 0 : price.getCloudPrice().getGpusPerInstance();
            msPerGpu.computeIfAbsent(c.getInstanceId(), k -> new HashMap<>()).merge(s.getGpuId(), s.getIntervalMs(), Long::sum);
            out.merge(c.getInstanceId(), new InstanceUsage(c.getInstanceId(), c.getRegion(), c.getInstanceType(), c.getLifecycle(),
                    gpus, 0, cost), (a, b) -> new InstanceUsage(a.instanceId(), a.region(), a.instanceType(),
                    a.lifecycle() != null ? a.lifecycle() : b.lifecycle(), Math.max(a.gpusPerInstance(), b.gpusPerInstance()),
                    0, a.estimatedMicroUsd() + b.estimatedMicroUsd()));
        }
        out.replaceAll((id, u) -> new InstanceUsage(u.instanceId(), u.region(), u.instanceType(), u.lifecycle(),
                u.gpusPerInstance(), msPerGpu.get(id).values().stream().mapToLong(Long::longValue).max().orElse(0),
                u.estimatedMicroUsd()));
        return out;
    }

    /** The price version in force at {@code atMs} under {@code key}, or null: what a bill rate's version replaces. */
    public PriceEntry priceAt(String key, long atMs) {
        NavigableMap<Long, PriceEntry> v = versions.get(key);
        Map.Entry<Long, PriceEntry> e = v == null ? null : v.floorEntry(atMs);
        return e == null ? null : e.getValue();
    }
}
