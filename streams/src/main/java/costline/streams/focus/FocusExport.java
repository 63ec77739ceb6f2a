package costline.streams.focus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.Site;
import costline.pricing.CostModel;
import costline.streams.finance.MonthCalendar;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A month's rollups as FOCUS 1.2 charge rows: one Usage row per workload x team x site x GPU model (the charge period
 * is the month, FOCUS's monthly grain), and, for a key corrected after its month was FINAL, one {@code Correction}
 * row carrying the difference (FOCUS 4.3: the invoiced row stays as it was, the fix is a row of its own in the same
 * billing period). Costs are exact: BilledCost and EffectiveCost are the rollup's micro-dollars written with six
 * decimals, so the dataset's total equals the rollup total to the micro-dollar.
 *
 * <p>Which record of a key is "invoiced": its FINAL; before the month closes, its latest MONTH_TO_DATE (the row then
 * says so in x_RollupStatus). The correction row is the latest CORRECTION minus the FINAL (minus nothing when the
 * key first appeared after the close). The history must hold the key's records in topic order; on a compacted
 * topic whose FINAL has been compacted away only the latest CORRECTION is left, and its whole amount becomes the
 * correction row (the total still equals the rollup's).
 */
public final class FocusExport {

    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneId.of("UTC"));
    private static final BigDecimal MICRO = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(CostModel.MS_PER_HOUR);
    /** Quantities in GPU-hours: 9 decimals (3.6 microseconds). Unit prices: 9 decimals of a dollar. */
    static final int QUANTITY_SCALE = 9;
    static final int UNIT_PRICE_SCALE = 9;
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** The rows, and the totals finance checks them against. */
    public record Result(YearMonth month, List<Map<String, Object>> rows, long effectiveMicroUsd, long rollupMicroUsd,
                         int corrections, int openRows) { }

    private final FocusSettings settings;
    private final CloudPlacements placements;

    public FocusExport(FocusSettings settings, CloudPlacements placements) {
        this.settings = settings;
        this.placements = placements;
    }

    /** The rows of {@code month} from every rollup record of it, in topic order (records of other months are skipped). */
    public Result export(YearMonth month, List<MonthlyRollup> history) {
        Map<String, MonthlyRollup> invoiced = new LinkedHashMap<>();
        Map<String, MonthlyRollup> corrected = new LinkedHashMap<>();
        for (MonthlyRollup r : history) {
            if (!r.getMonth().equals(month.toString())) {
                continue;
            }
            String key = r.getWorkload() + "|" + r.getSite() + "|" + r.getGpuModel();
            switch (r.getStatus()) {
                case FINAL -> invoiced.put(key, r);
                case MONTH_TO_DATE -> {
                    MonthlyRollup before = invoiced.get(key);
                    if (before == null || before.getStatus() == RollupStatus.MONTH_TO_DATE) {
                        invoiced.put(key, r);
                    }
                }
                case CORRECTION -> corrected.merge(key, r, (a, b) -> b.getRevision() >= a.getRevision() ? b : a);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        long effective = 0;
        long rollup = 0;
        int corrections = 0;
        int open = 0;
        List<String> keys = new ArrayList<>(invoiced.keySet());
        corrected.keySet().stream().filter(k -> !invoiced.containsKey(k)).forEach(keys::add);
        keys.sort(Comparator.naturalOrder());
        for (String key : keys) {
            MonthlyRollup base = invoiced.get(key);
            MonthlyRollup fix = corrected.get(key);
            if (base != null) {
                rows.add(usageRow(month, base));
                effective += base.getCostMicroUsd();
                open += base.getStatus() == RollupStatus.MONTH_TO_DATE ? 1 : 0;
            }
            if (fix != null) {
                Map<String, Object> row = correctionRow(month, fix, base);
                rows.add(row);
                effective += fix.getCostMicroUsd() - (base == null ? 0 : base.getCostMicroUsd());
                corrections++;
            }
            rollup += (fix != null ? fix : base).getCostMicroUsd();
        }
        return new Result(month, rows, effective, rollup, corrections, open);
    }

    private Map<String, Object> usageRow(YearMonth month, MonthlyRollup r) {
        Map<String, Object> row = common(month, r);
        BigDecimal hours = hours(r.getGpuMs());
        BigDecimal cost = dollars(r.getCostMicroUsd());
        BigDecimal unitPrice = hours.signum() == 0 ? BigDecimal.ZERO.setScale(UNIT_PRICE_SCALE)
                : cost.divide(hours, UNIT_PRICE_SCALE, RoundingMode.HALF_EVEN);
        // FOCUS: ListCost = ListUnitPrice x PricingQuantity exactly. costline's rate is the agreed one (the catalog,
        // the bill), so list and contracted are the same average rate of the row; BilledCost / EffectiveCost keep the
        // exact micro-dollars (they differ from the product by under a micro-dollar per 2,000 GPU-hours).
        BigDecimal product = unitPrice.multiply(hours);
        row.put("ChargeClass", null);
        row.put("ConsumedQuantity", hours);
        row.put("ConsumedUnit", "GPU-Hours");
        row.put("PricingQuantity", hours);
        row.put("PricingUnit", "GPU-Hours");
        row.put("ListUnitPrice", unitPrice);
        row.put("ContractedUnitPrice", unitPrice);
        row.put("ListCost", product);
        row.put("ContractedCost", product);
        row.put("BilledCost", cost);
        row.put("EffectiveCost", cost);
        row.put("PricingCategory", "Standard");
        String sku = skuId(r);
        row.put("SkuId", sku);
        row.put("SkuMeter", "GPU Time");
        row.put("SkuPriceId", sku + "@" + unitPrice.toPlainString());
        row.put("SkuPriceDetails", json(Map.of("GpuCount", 1, "x_GpuModel", r.getGpuModel())));
        row.put("ChargeDescription", "GPU time of workload " + ascii(r.getWorkload()) + " on " + ascii(r.getGpuModel()));
        figures(row, r.getGpuMs(), r.getBusyGpuMs(), r.getIdleMicroUsd(), r.getEnergyMj());
        row.put("x_AverageUtilization", r.getGpuMs() == 0 ? null : BigDecimal.valueOf(r.getBusyGpuMs())
                .multiply(BigDecimal.valueOf(100)).divide(BigDecimal.valueOf(r.getGpuMs()), 4, RoundingMode.HALF_EVEN));
        row.put("x_RollupStatus", r.getStatus().name());
        row.put("x_RollupRevision", BigDecimal.valueOf(r.getRevision()));
        row.put("x_UnobservedCost", costline.schemas.Topics.UNOBSERVED.equals(r.getWorkload()) ? cost : null);
        return row;
    }

    /**
     * The difference a correction makes to an invoiced row. FOCUS 4.3 lets a correction leave quantities, SKU,
     * unit prices and pricing category null; all four cost columns carry the difference, and the x_ figures too
     * (they add up like the costs).
     */
    private Map<String, Object> correctionRow(YearMonth month, MonthlyRollup fix, MonthlyRollup base) {
        Map<String, Object> row = common(month, fix);
        BigDecimal delta = dollars(fix.getCostMicroUsd() - (base == null ? 0 : base.getCostMicroUsd()));
        row.put("ChargeClass", "Correction");
        for (String c : List.of("ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit", "ListUnitPrice",
                "ContractedUnitPrice", "PricingCategory", "SkuId", "SkuMeter", "SkuPriceId", "SkuPriceDetails",
                "x_AverageUtilization")) {
            row.put(c, null);
        }
        row.put("ListCost", delta);
        row.put("ContractedCost", delta);
        row.put("BilledCost", delta);
        row.put("EffectiveCost", delta);
        row.put("ChargeDescription", "Correction " + fix.getRevision() + " of the GPU time of workload "
                + ascii(fix.getWorkload()) + " on " + ascii(fix.getGpuModel()) + ", after the month was final");
        figures(row, fix.getGpuMs() - (base == null ? 0 : base.getGpuMs()),
                fix.getBusyGpuMs() - (base == null ? 0 : base.getBusyGpuMs()),
                fix.getIdleMicroUsd() - (base == null ? 0 : base.getIdleMicroUsd()),
                fix.getEnergyMj() - (base == null ? 0 : base.getEnergyMj()));
        row.put("x_RollupStatus", RollupStatus.CORRECTION.name());
        row.put("x_RollupRevision", BigDecimal.valueOf(fix.getRevision()));
        row.put("x_UnobservedCost", costline.schemas.Topics.UNOBSERVED.equals(fix.getWorkload()) ? delta : null);
        return row;
    }

    private Map<String, Object> common(YearMonth month, MonthlyRollup r) {
        Map<String, Object> row = new LinkedHashMap<>();
        FocusColumns.ALL.forEach(c -> row.put(c, null));
        MonthCalendar calendar = new MonthCalendar(ZoneId.of(r.getZone()));
        String start = UTC_SECONDS.format(Instant.ofEpochMilli(calendar.startMs(month)));
        String end = UTC_SECONDS.format(Instant.ofEpochMilli(calendar.endMs(month)));
        row.put("BillingPeriodStart", start);
        row.put("BillingPeriodEnd", end);
        row.put("ChargePeriodStart", start);
        row.put("ChargePeriodEnd", end);
        row.put("BillingCurrency", "USD");
        row.put("ChargeCategory", "Usage");
        row.put("ChargeFrequency", "Usage-Based");
        row.put("ServiceCategory", "Compute");
        if (r.getSite() == Site.ONPREM) {
            row.put("ProviderName", settings.onPremProvider());
            row.put("PublisherName", settings.onPremProvider());
            row.put("InvoiceIssuerName", settings.onPremProvider());
            row.put("BillingAccountId", settings.onPremBillingAccountId());
            row.put("BillingAccountName", settings.onPremBillingAccountId());
            row.put("ServiceName", settings.onPremService());
            row.put("ServiceSubcategory", "Other (Compute)");
        } else {
            CloudPlacements.Placement p = placements.of(r.getGpuModel()).orElse(new CloudPlacements.Placement(null, null));
            String provider = providerName(p.provider());
            row.put("ProviderName", provider);
            row.put("PublisherName", provider);
            row.put("InvoiceIssuerName", provider);
            row.put("BillingAccountId", settings.cloudBillingAccountId());
            row.put("BillingAccountName", settings.cloudBillingAccountName());
            row.put("ServiceName", "aws".equals(p.provider()) ? "Amazon Elastic Compute Cloud" : provider + " Virtual Machines");
            row.put("ServiceSubcategory", "Virtual Machines");
            row.put("RegionId", p.region());
            row.put("RegionName", p.region());
        }
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("workload", r.getWorkload());
        if (r.getTeam() != null) {
            tags.put("team", r.getTeam());
        }
        row.put("Tags", json(tags));
        row.put("x_Site", r.getSite().name());
        row.put("x_GpuModel", r.getGpuModel());
        row.put("x_Workload", r.getWorkload());
        row.put("x_Team", r.getTeam());
        row.put("x_RollupZone", r.getZone());
        return row;
    }

    private static void figures(Map<String, Object> row, long gpuMs, long busyMs, long idleMicroUsd, long energyMj) {
        row.put("x_BusyGpuHours", hours(busyMs));
        row.put("x_IdleGpuHours", hours(gpuMs - busyMs));
        row.put("x_IdleCost", dollars(idleMicroUsd));
        row.put("x_EnergyKwh", BigDecimal.valueOf(energyMj).divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 9, RoundingMode.HALF_EVEN));
    }

    /** FOCUS names the provider as it calls itself; AWS Data Exports writes "AWS". */
    static String providerName(String provider) {
        if (provider == null) {
            return "Cloud";
        }
        return switch (provider.toLowerCase(java.util.Locale.ROOT)) {
            case "aws" -> "AWS";
            case "gcp", "google" -> "Google Cloud";
            case "azure" -> "Microsoft";
            default -> provider;
        };
    }

    private static String skuId(MonthlyRollup r) {
        return (r.getSite() == Site.ONPREM ? "onprem" : "cloud") + ":" + ascii(r.getGpuModel());
    }

    static BigDecimal dollars(long microUsd) {
        return BigDecimal.valueOf(microUsd).divide(MICRO, 6, RoundingMode.UNNECESSARY);
    }

    static BigDecimal hours(long ms) {
        return BigDecimal.valueOf(ms).divide(MS_PER_HOUR, QUANTITY_SCALE, RoundingMode.HALF_EVEN);
    }

    /** JSON object with every non-ASCII character escaped, so the cell is ASCII (the FOCUS validator's string rule). */
    static String json(Map<String, Object> map) {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(map));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Free text for descriptions: control characters as spaces, non-ASCII as \\uXXXX (the name is kept whole in Tags). */
    static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(' ');
            } else if (cp < 0x80) {
                b.appendCodePoint(cp);
            } else {
                b.append(String.format("\\u%04x", cp));
            }
        });
        return b.toString();
    }
}
