package costline.streams.reconcile;

/**
 * What the bill says about one EC2 instance in one month, summed over its instance-usage rows.
 *
 * @param instanceId          i-...
 * @param region              RegionId, null when the rows had none
 * @param instanceType        from the usage type (x_UsageType / SkuMeter "...Usage:p4d.24xlarge"), null when absent
 * @param effectiveMicroUsd   sum of EffectiveCost, micro-USD
 * @param billedMs            sum of ConsumedQuantity (hours), milliseconds
 * @param pricingCategory     PricingCategory of the rows (the last one when they differ)
 * @param commitmentId        CommitmentDiscountId when a Savings Plan or reservation covered the usage
 */
public record BillLine(String instanceId, String region, String instanceType, long effectiveMicroUsd, long billedMs,
                       String pricingCategory, String commitmentId) {

    BillLine plus(BillLine o) {
        return new BillLine(instanceId, region != null ? region : o.region, instanceType != null ? instanceType : o.instanceType,
                effectiveMicroUsd + o.effectiveMicroUsd, billedMs + o.billedMs,
                o.pricingCategory != null ? o.pricingCategory : pricingCategory,
                commitmentId != null ? commitmentId : o.commitmentId);
    }
}
