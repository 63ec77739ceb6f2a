package costline.streams.focus;

import java.util.List;

/**
 * The columns costline writes, in order: the FOCUS 1.2 columns that apply to a GPU rollup (alphabetical, as AWS
 * Data Exports orders them), then costline's own, prefixed {@code x_} as FOCUS requires of custom columns.
 *
 * <p>Left out because they never apply to a rollup row (FOCUS: Conditional columns are present where they apply):
 * BillingAccountType and SubAccountType (one type only), CapacityReservation*, CommitmentDiscount* (a rollup does
 * not know which commitment covered it; reconciliation against the bill does), PricingCurrency* (priced in the
 * billing currency), ResourceId/ResourceName/ResourceType (a row is a workload's GPU time, not one resource),
 * SubAccountId/SubAccountName.
 */
public final class FocusColumns {

    /** FOCUS version the export follows. */
    public static final String FOCUS_VERSION = "1.2";

    public static final List<String> FOCUS = List.of(
            "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
            "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity", "ConsumedUnit",
            "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
            "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "RegionId", "RegionName", "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter",
            "SkuPriceDetails", "SkuPriceId", "Tags");

    /** costline's own columns; units in the names' documentation (streams/README-finance.md). */
    public static final List<String> CUSTOM = List.of(
            "x_Site", "x_GpuModel", "x_Workload", "x_Team", "x_BusyGpuHours", "x_IdleGpuHours", "x_IdleCost",
            "x_AverageUtilization", "x_EnergyKwh", "x_UnobservedCost", "x_RollupStatus", "x_RollupRevision",
            "x_RollupZone");

    public static final List<String> ALL = java.util.stream.Stream.concat(FOCUS.stream(), CUSTOM.stream()).toList();

    private FocusColumns() {
    }
}
