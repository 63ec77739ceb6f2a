package costline.streams.focus;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of ../shared/FOCUS.md (FOCUS 1.2) that apply to a GPU rollup dataset, checked on a CSV file as an
 * independent reader sees it (Jackson's CSV parser; an empty cell is a null, as the official validator reads it).
 * {@link #check} returns every violation, one line each; an empty list is a conforming file.
 */
final class FocusRules {

    static final List<String> MANDATORY = List.of("BilledCost", "BillingAccountId", "BillingAccountName",
            "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
            "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
            "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName");
    static final List<String> RECOMMENDED = List.of("AvailabilityZone", "ChargeFrequency", "InvoiceId", "ServiceSubcategory");
    /** Every FOCUS 1.2 column id (57). */
    static final Set<String> FOCUS_12 = Set.of("AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
            "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId",
            "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
            "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
            "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
            "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice",
            "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory",
            "PricingCurrency", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
            "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId",
            "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
            "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName",
            "SubAccountType", "Tags");
    static final Set<String> DECIMAL = Set.of("BilledCost", "CommitmentDiscountQuantity", "ConsumedQuantity",
            "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
            "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
            "PricingQuantity");
    static final Set<String> DATETIME = Set.of("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart");
    static final Set<String> JSON_COLUMNS = Set.of("SkuPriceDetails", "Tags");
    static final Set<String> NOT_NULL = Set.of("BilledCost", "BillingAccountId", "BillingAccountType", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeFrequency", "ChargePeriodEnd",
            "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingCurrency",
            "PricingCurrencyEffectiveCost", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
            "ServiceSubcategory");
    /** Columns FOCUS requires on Usage/Purchase rows that are not corrections. */
    static final List<String> REQUIRED_ON_USAGE = List.of("ContractedUnitPrice", "ListUnitPrice", "PricingCategory",
            "PricingQuantity", "SkuId", "SkuPriceId");
    static final Set<String> CHARGE_CATEGORY = Set.of("Usage", "Purchase", "Tax", "Credit", "Adjustment");
    static final Set<String> CHARGE_FREQUENCY = Set.of("One-Time", "Recurring", "Usage-Based");
    static final Set<String> PRICING_CATEGORY = Set.of("Standard", "Dynamic", "Committed", "Other");
    static final Map<String, Set<String>> SUBCATEGORIES = Map.of(
            "Compute", Set.of("Containers", "End User Computing", "Quantum Compute", "Serverless Compute",
                    "Virtual Machines", "Other (Compute)"),
            "AI and Machine Learning", Set.of("AI Platforms", "Bots", "Generative AI", "Machine Learning",
                    "Natural Language Processing", "Other (AI and Machine Learning)"));
    static final Set<String> SKU_PRICE_DETAIL_KEYS = Set.of("CoreCount", "DiskMaxIops", "DiskSpace", "DiskType", "GpuCount",
            "InstanceType", "InstanceSeries", "MemorySize", "NetworkMaxIops", "NetworkMaxThroughput", "OperatingSystem",
            "Redundancy", "StorageClass");
    static final Pattern DATETIME_FORMAT = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$");
    /** NumericFormat: no '+' sign, no '+' exponent, no commas or units. */
    static final Pattern NUMERIC = Pattern.compile("^-?([0-9]*[.])?[0-9]+([eE]-?[0-9]+)?$");
    /** UnitFormat: Units, Units-Timeunits, Units/Timeunit, with an optional whole-number quantity first. */
    static final Pattern UNIT = Pattern.compile("^([0-9]+ )?[A-Z][A-Za-z]*(s)?(-(Years|Months|Weeks|Days|Hours|Minutes|Seconds)"
            + "|/(Year|Month|Week|Day|Hour|Minute|Second)|/[0-9]+ (Years|Months|Weeks|Days|Hours|Minutes|Seconds))?$");
    static final Pattern COLUMN_ID = Pattern.compile("^[A-Z][A-Za-z0-9]{0,49}$");

    private static final ObjectMapper STRICT_JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /** A parsed file: the header in order and the rows, null for an empty cell. */
    record Dataset(List<String> header, List<Map<String, String>> rows) { }

    static Dataset read(Reader in) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<String[]> lines = new ArrayList<>();
        try (var it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).<String[]>readValues(in)) {
            it.forEachRemaining(lines::add);
        }
        List<String> header = List.of(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String[] line : lines.subList(1, lines.size())) {
            if (line.length != header.size()) {
                throw new IllegalStateException("row with " + line.length + " cells, header has " + header.size());
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < line.length; i++) {
                row.put(header.get(i), line[i].isEmpty() ? null : line[i]);
            }
            rows.add(row);
        }
        return new Dataset(header, rows);
    }

    static List<String> check(Dataset d) {
        List<String> v = new ArrayList<>();
        // ColumnHandling: presence, ids, x_ prefix, custom columns after the FOCUS ones
        for (String c : MANDATORY) {
            if (!d.header().contains(c)) {
                v.add("Mandatory column missing: " + c);
            }
        }
        for (String c : RECOMMENDED) {
            if (!d.header().contains(c)) {
                v.add("Recommended column missing: " + c);
            }
        }
        boolean customSeen = false;
        for (String c : d.header()) {
            if (c.startsWith("x_")) {
                customSeen = true;
            } else if (!FOCUS_12.contains(c)) {
                v.add("column " + c + " is neither FOCUS 1.2 nor prefixed x_");
            } else if (customSeen) {
                v.add("FOCUS column " + c + " after a custom column");
            } else if (!COLUMN_ID.matcher(c).matches()) {
                v.add("column id " + c + " is not PascalCase alphanumeric <= 50");
            }
        }
        Map<String, String> categoryOfService = new HashMap<>();
        Map<String, String> skuOfPrice = new HashMap<>();
        for (int i = 0; i < d.rows().size(); i++) {
            Map<String, String> r = d.rows().get(i);
            String at = "row " + (i + 1) + ": ";
            for (Map.Entry<String, String> e : r.entrySet()) {
                String c = e.getKey();
                String val = e.getValue();
                if (val == null) {
                    if (NOT_NULL.contains(c)) {
                        v.add(at + c + " is null");
                    }
                    continue;
                }
                if (DECIMAL.contains(c) && !NUMERIC.matcher(val).matches()) {
                    v.add(at + c + " '" + val + "' is not NumericFormat");
                } else if (DATETIME.contains(c) && !DATETIME_FORMAT.matcher(val).matches()) {
                    v.add(at + c + " '" + val + "' is not DateTimeFormat");
                } else if (JSON_COLUMNS.contains(c)) {
                    checkKeyValue(at + c, val, c.equals("SkuPriceDetails"), v);
                }
                if (!c.startsWith("x_") && !DECIMAL.contains(c)) {
                    if (val.isBlank()) {
                        v.add(at + c + " is a blank string (StringHandling)");
                    }
                    if (!val.chars().allMatch(ch -> ch < 0x80)) {
                        v.add(at + c + " is not ASCII (validator FormatString)");
                    }
                    if (val.equalsIgnoreCase("null") || val.equalsIgnoreCase("Not Applicable")) {
                        v.add(at + c + " holds a placeholder for null");
                    }
                }
            }
            String category = r.get("ChargeCategory");
            if (!CHARGE_CATEGORY.contains(category)) {
                v.add(at + "ChargeCategory '" + category + "'");
            }
            String chargeClass = r.get("ChargeClass");
            boolean correction = "Correction".equals(chargeClass);
            if (chargeClass != null && !correction) {
                v.add(at + "ChargeClass '" + chargeClass + "'");
            }
            String frequency = r.get("ChargeFrequency");
            if (frequency != null && !CHARGE_FREQUENCY.contains(frequency)) {
                v.add(at + "ChargeFrequency '" + frequency + "'");
            }
            if ("Purchase".equals(category) && "Usage-Based".equals(frequency)) {
                v.add(at + "a Purchase is not Usage-Based");
            }
            String pricing = r.get("PricingCategory");
            if (pricing != null && !PRICING_CATEGORY.contains(pricing)) {
                v.add(at + "PricingCategory '" + pricing + "'");
            }
            String service = r.get("ServiceCategory");
            Set<String> subs = SUBCATEGORIES.get(service);
            if (subs == null) {
                v.add(at + "ServiceCategory '" + service + "' not allowed here");
            } else if (r.get("ServiceSubcategory") != null && !subs.contains(r.get("ServiceSubcategory"))) {
                v.add(at + "ServiceSubcategory '" + r.get("ServiceSubcategory") + "' is not a child of " + service);
            }
            String other = categoryOfService.putIfAbsent(r.get("ServiceName"), service);
            if (other != null && !other.equals(service)) {
                v.add(at + "ServiceName " + r.get("ServiceName") + " has two ServiceCategories");
            }
            if (r.get("SkuPriceId") != null) {
                String sku = skuOfPrice.putIfAbsent(r.get("SkuPriceId"), r.get("SkuId"));
                if (sku != null && !sku.equals(r.get("SkuId"))) {
                    v.add(at + "SkuPriceId " + r.get("SkuPriceId") + " has two SkuIds");
                }
            }
            String currency = r.get("BillingCurrency");
            try {
                if (currency == null || !currency.matches("^[A-Z]{3}$")) {
                    throw new IllegalArgumentException();
                }
                Currency.getInstance(currency);
            } catch (IllegalArgumentException e) {
                v.add(at + "BillingCurrency '" + currency + "' is not ISO 4217");
            }
            for (String u : List.of("PricingUnit", "ConsumedUnit")) {
                if (r.get(u) != null && !UNIT.matcher(r.get(u)).matches()) {
                    v.add(at + u + " '" + r.get(u) + "' is not UnitFormat");
                }
            }
            nullTogether(r, "PricingQuantity", "PricingUnit", at, v);
            nullTogether(r, "ConsumedQuantity", "ConsumedUnit", at, v);
            nullTogether(r, "RegionId", "RegionName", at, v);
            nullTogether(r, "SkuId", "SkuMeter", at, v);
            if (r.get("SkuPriceId") == null && r.get("SkuPriceDetails") != null) {
                v.add(at + "SkuPriceDetails without SkuPriceId");
            }
            if (r.get("ConsumedQuantity") != null && !"Usage".equals(category)) {
                v.add(at + "ConsumedQuantity on a " + category + " row");
            }
            periods(r, at, v);
            boolean usageOrPurchase = "Usage".equals(category) || "Purchase".equals(category);
            if (usageOrPurchase && !correction) {
                for (String c : REQUIRED_ON_USAGE) {
                    if (d.header().contains(c) && r.get(c) == null) {
                        v.add(at + c + " is null on a Usage row that is not a correction");
                    }
                }
                product(r, "ListUnitPrice", "ListCost", at, v);
                product(r, "ContractedUnitPrice", "ContractedCost", at, v);
            }
            for (String p : List.of("ListUnitPrice", "ContractedUnitPrice")) {
                if (r.get(p) != null && NUMERIC.matcher(r.get(p)).matches() && new BigDecimal(r.get(p)).signum() < 0) {
                    v.add(at + p + " is negative");
                }
            }
        }
        return v;
    }

    private static void nullTogether(Map<String, String> r, String a, String b, String at, List<String> v) {
        if ((r.get(a) == null) != (r.get(b) == null)) {
            v.add(at + a + " and " + b + " must be null together");
        }
    }

    /** Half-open periods, start before end, the charge period inside... FOCUS allows it longer, so only order here. */
    private static void periods(Map<String, String> r, String at, List<String> v) {
        for (String p : List.of("BillingPeriod", "ChargePeriod")) {
            String s = r.get(p + "Start");
            String e = r.get(p + "End");
            if (s != null && e != null && DATETIME_FORMAT.matcher(s).matches() && DATETIME_FORMAT.matcher(e).matches()
                    && !Instant.parse(s).isBefore(Instant.parse(e))) {
                v.add(at + p + " does not end after it starts");
            }
        }
    }

    /** Cost = unit price x PricingQuantity exactly (FOCUS 4.2; the validator's check has no tolerance). */
    private static void product(Map<String, String> r, String price, String cost, String at, List<String> v) {
        if (r.get(price) == null || r.get("PricingQuantity") == null || r.get(cost) == null) {
            return;
        }
        BigDecimal expected = new BigDecimal(r.get(price)).multiply(new BigDecimal(r.get("PricingQuantity")));
        if (expected.compareTo(new BigDecimal(r.get(cost))) != 0) {
            v.add(at + cost + " " + r.get(cost) + " != " + price + " x PricingQuantity = " + expected.toPlainString());
        }
    }

    private static void checkKeyValue(String where, String val, boolean skuDetails, List<String> v) {
        JsonNode node;
        try {
            node = STRICT_JSON.readTree(val);
        } catch (IOException e) {
            v.add(where + " is not a JSON object with unique keys: " + e.getMessage());
            return;
        }
        if (node == null || !node.isObject()) {
            v.add(where + " is not a JSON object");
            return;
        }
        node.fields().forEachRemaining(f -> {
            if (f.getValue().isContainerNode()) {
                v.add(where + " key " + f.getKey() + " holds a nested object or array");
            }
            if (skuDetails && !f.getKey().startsWith("x_") && !SKU_PRICE_DETAIL_KEYS.contains(f.getKey())) {
                v.add(where + " key " + f.getKey() + " is neither FOCUS-defined nor x_");
            }
        });
    }

    private FocusRules() {
    }
}
