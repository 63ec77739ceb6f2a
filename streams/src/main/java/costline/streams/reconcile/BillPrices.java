package costline.streams.reconcile;

import costline.events.BillReconciliation;
import costline.events.CloudPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CloudPriceKeys;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the bill's effective hourly rates into price versions (source {@code bill}) effective from the first instant
 * of the next month, so the next month's live cost uses what the company paid: per region and instance type, the
 * billed EffectiveCost of its instances over their billed hours. Spot usage (PricingCategory Dynamic) is left out:
 * its price moves, and the spot poller follows it. Types costline has no price for (it needs GPUs per instance and
 * the GPU model) are left out too.
 */
public final class BillPrices {

    private BillPrices() {
    }

    public static List<PriceEntry> of(YearMonth month, List<BillReconciliation> rows, InstanceCosts known) {
        Map<String, long[]> byKey = new TreeMap<>();
        for (BillReconciliation r : rows) {
            if (r.getBilledMs() <= 0 || r.getRegion() == null || r.getInstanceType() == null
                    || "Dynamic".equals(r.getPricingCategory())) {
                continue;
            }
            long[] sum = byKey.computeIfAbsent(CloudPriceKeys.instance("aws", r.getRegion(), r.getInstanceType()), k -> new long[2]);
            sum[0] += r.getBilledMicroUsd();
            sum[1] += r.getBilledMs();
        }
        long from = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        List<PriceEntry> out = new ArrayList<>();
        byKey.forEach((key, sum) -> {
            PriceEntry before = known.priceAt(key, from);
            if (before == null || before.getCloudPrice() == null) {
                return;
            }
            CloudPrice c = before.getCloudPrice();
            out.add(PriceEntry.newBuilder().setPriceKey(key).setSite(Site.CLOUD).setGpuModel(before.getGpuModel())
                    .setEffectiveFrom(java.time.Instant.ofEpochMilli(from)).setOnprem(null)
                    .setCloudPrice(CloudPrice.newBuilder(c).setPricingModel("BILLED")
                            .setInstanceHourlyMicroUsd(Reconciler.perHour(sum[0], sum[1])).build())
                    .setReference("effective rate of the " + month + " bill").setSource("bill").build());
        });
        return out;
    }
}
