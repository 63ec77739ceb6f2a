package costline.streams.prices;

import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Site;

/**
 * What a price version must satisfy before the cost model may use it. The Avro schema lets through figures that
 * break the arithmetic (0 GPUs per instance divides by zero, 0 amortization months too, a negative price makes
 * money out of nothing), so the price store checks every version where it enters and refuses the bad ones: they are
 * dead-lettered with the reason and the previous version stays in force.
 */
public final class PriceRules {

    /** A refused version: the reason code (for the dead-letter header) and what is wrong with it. */
    public record Problem(String reason, String detail) {
    }

    private PriceRules() {
    }

    /** Why {@code e} (read under topic key {@code topicKey}) cannot price anything, or null when it can. */
    public static Problem check(String topicKey, PriceEntry e) {
        if (e.getPriceKey() == null || e.getPriceKey().isBlank() || e.getGpuModel() == null || e.getGpuModel().isBlank()) {
            return new Problem("MISSING_FIELD", "price_key and gpu_model must be set");
        }
        if (e.getEffectiveFrom() == null || e.getEffectiveFrom().toEpochMilli() < 0) {
            return new Problem("BAD_EFFECTIVE_FROM", "effective_from must be at or after 1970-01-01");
        }
        String expected = PriceKeys.topicKey(e);
        if (!expected.equals(topicKey)) {
            return new Problem("KEY_MISMATCH", "the record's key '" + topicKey + "' is not its version key '" + expected
                    + "' (<price key>@<effective_from, epoch ms, 15 digits>)");
        }
        if (e.getSite() == Site.CLOUD) {
            CloudPrice c = e.getCloudPrice();
            if (c == null) {
                return new Problem("MISSING_FIELD", "a CLOUD version without cloud_price");
            }
            if (c.getGpusPerInstance() <= 0) {
                return new Problem("BAD_GPUS_PER_INSTANCE", "gpus_per_instance " + c.getGpusPerInstance() + " must be at least 1");
            }
            if (c.getInstanceHourlyMicroUsd() < 0) {
                return new Problem("NEGATIVE_PRICE", "instance_hourly_micro_usd " + c.getInstanceHourlyMicroUsd() + " is negative");
            }
            return null;
        }
        OnPremPrice p = e.getOnprem();
        if (p == null) {
            return new Problem("MISSING_FIELD", "an ONPREM version without onprem prices");
        }
        if (p.getAmortizationMonths() <= 0) {
            return new Problem("BAD_AMORTIZATION", "amortization_months " + p.getAmortizationMonths() + " must be at least 1");
        }
        if (p.getCapexPerGpuMicroUsd() < 0 || p.getResidualPerGpuMicroUsd() < 0 || p.getYearlyOpsPerGpuMicroUsd() < 0
                || p.getEnergyMicroUsdPerKwh() < 0) {
            return new Problem("NEGATIVE_PRICE", "capex, residual, yearly ops and the kWh price must not be negative");
        }
        if (p.getResidualPerGpuMicroUsd() > p.getCapexPerGpuMicroUsd()) {
            return new Problem("RESIDUAL_ABOVE_CAPEX", "residual value " + p.getResidualPerGpuMicroUsd()
                    + " exceeds the purchase price " + p.getCapexPerGpuMicroUsd());
        }
        if (!(p.getPue() >= 1.0 && p.getPue() <= 5.0)) {
            return new Problem("BAD_PUE", "pue " + p.getPue() + " must be between 1.0 and 5.0");
        }
        return null;
    }
}
