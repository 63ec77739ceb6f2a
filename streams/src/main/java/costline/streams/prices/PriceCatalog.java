package costline.streams.prices;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import costline.events.CloudPrice;
import costline.events.OnPremPrice;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.pricing.CostModel;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The price catalog: a YAML (or JSON) file with {@code onprem:} and {@code cloud:} lists, read into
 * {@link PriceEntry} events. Money is written in dollars as decimals ("21.96") and becomes exact micro-USD
 * ({@link CostModel#microUsd}); a figure with more than 6 decimals is an error, never rounded. Every mistake
 * names the entry and the field. The layout is documented in the streams README and in the default catalog.
 */
public final class PriceCatalog {

    /** The catalog shipped with costline: public list prices with their sources. */
    public static final String DEFAULT_RESOURCE = "/costline/streams/prices/default-catalog.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Set<String> ONPREM_FIELDS = Set.of("gpu_model", "effective_from", "capex_per_gpu_usd",
            "server_capex_usd", "gpus_per_server", "residual_per_gpu_usd", "residual_per_server_usd",
            "amortization_months", "yearly_ops_per_gpu_usd", "pue", "usd_per_kwh", "reference");
    private static final Set<String> CLOUD_FIELDS = Set.of("provider", "region", "instance_type", "gpu_model",
            "gpus_per_instance", "pricing_model", "usd_per_hour", "effective_from", "reference", "pinned");

    private PriceCatalog() {
    }

    public static List<PriceEntry> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new CatalogException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static List<PriceEntry> readDefault() {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new CatalogException("default catalog " + DEFAULT_RESOURCE + " missing from the class path");
            }
            return parse(in, "default catalog");
        } catch (IOException e) {
            throw new CatalogException("default catalog: " + e.getMessage());
        }
    }

    public static List<PriceEntry> parse(InputStream in, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new CatalogException(origin + ": not valid YAML/JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CatalogException(origin + ": expected a mapping with 'onprem' and/or 'cloud' lists");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("onprem") && !f.equals("cloud")) {
                throw new CatalogException(origin + ": unknown section '" + f + "' (expected 'onprem' or 'cloud')");
            }
        }
        List<PriceEntry> out = new ArrayList<>();
        list(root, "onprem", origin).forEach(n -> out.add(onPrem(new Entry(origin, "onprem", out.size(), n))));
        int onPremCount = out.size();
        List<JsonNode> clouds = list(root, "cloud", origin);
        for (int i = 0; i < clouds.size(); i++) {
            out.add(cloud(new Entry(origin, "cloud", i, clouds.get(i))));
        }
        Set<String> versions = new HashSet<>();
        for (PriceEntry e : out) {
            if (!versions.add(PriceKeys.topicKey(e))) {
                throw new CatalogException(origin + ": two entries for " + e.getPriceKey() + " effective from "
                        + e.getEffectiveFrom() + " (keep one, or give the later one its own effective_from)");
            }
        }
        if (out.isEmpty() || onPremCount + clouds.size() == 0) {
            throw new CatalogException(origin + ": the catalog has no entries");
        }
        return out;
    }

    /**
     * Price keys of cloud entries marked {@code pinned: true}: the hand-written rate wins, so {@code collect prices}
     * publishes no version for them (a negotiated discount the Price List does not know, say).
     */
    public static Set<String> pinnedKeys(Path file) {
        JsonNode root;
        try (InputStream in = file == null ? PriceCatalog.class.getResourceAsStream(DEFAULT_RESOURCE) : Files.newInputStream(file)) {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new CatalogException(file + ": cannot read: " + e.getMessage());
        }
        Set<String> pinned = new java.util.TreeSet<>();
        for (JsonNode n : list(root, "cloud", String.valueOf(file))) {
            JsonNode pin = n.get("pinned");
            if (pin != null && !pin.isBoolean()) {
                throw new CatalogException(file + ": cloud entry " + n.path("instance_type").asText() + ": pinned must be true or false");
            }
            if (pin != null && pin.asBoolean()) {
                pinned.add(PriceKeys.cloud(n.path("provider").asText(), n.path("region").asText(), n.path("instance_type").asText()));
            }
        }
        return pinned;
    }

    private static List<JsonNode> list(JsonNode root, String section, String origin) {
        JsonNode n = root.get(section);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new CatalogException(origin + ": '" + section + "' must be a list");
        }
        List<JsonNode> items = new ArrayList<>();
        n.forEach(items::add);
        return items;
    }

    private static PriceEntry onPrem(Entry e) {
        e.onlyFields(ONPREM_FIELDS);
        String model = e.text("gpu_model");
        long capexPerGpu;
        long residualPerGpu;
        if (e.has("capex_per_gpu_usd") == e.has("server_capex_usd")) {
            throw e.error("give exactly one of capex_per_gpu_usd or server_capex_usd (with gpus_per_server)");
        }
        if (e.has("capex_per_gpu_usd")) {
            capexPerGpu = e.money("capex_per_gpu_usd");
            residualPerGpu = e.has("residual_per_gpu_usd") ? e.money("residual_per_gpu_usd") : 0;
            if (e.has("residual_per_server_usd")) {
                throw e.error("residual_per_server_usd needs server_capex_usd; use residual_per_gpu_usd");
            }
        } else {
            int gpus = e.positiveInt("gpus_per_server");
            long server = e.money("server_capex_usd");
            capexPerGpu = perGpu(e, "server_capex_usd", server, gpus);
            long residualServer = e.has("residual_per_server_usd") ? e.money("residual_per_server_usd") : 0;
            residualPerGpu = e.has("residual_per_gpu_usd") ? e.money("residual_per_gpu_usd") : perGpu(e, "residual_per_server_usd", residualServer, gpus);
        }
        if (residualPerGpu > capexPerGpu) {
            throw e.error("residual value exceeds the purchase price");
        }
        double pue = e.decimal("pue").doubleValue();
        if (!(pue >= 1.0 && pue <= 5.0)) {
            throw e.error("pue must be between 1.0 and 5.0, got " + pue);
        }
        OnPremPrice price = OnPremPrice.newBuilder()
                .setCapexPerGpuMicroUsd(capexPerGpu)
                .setResidualPerGpuMicroUsd(residualPerGpu)
                .setAmortizationMonths(e.positiveInt("amortization_months"))
                .setYearlyOpsPerGpuMicroUsd(e.money("yearly_ops_per_gpu_usd"))
                .setPue(pue)
                .setEnergyMicroUsdPerKwh(e.money("usd_per_kwh"))
                .build();
        return PriceEntry.newBuilder()
                .setPriceKey(PriceKeys.onPrem(model)).setSite(Site.ONPREM).setGpuModel(model)
                .setEffectiveFrom(e.instant("effective_from")).setOnprem(price).setCloudPrice(null)
                .setReference(e.reference()).build();
    }

    private static PriceEntry cloud(Entry e) {
        e.onlyFields(CLOUD_FIELDS);
        String provider = e.text("provider");
        String region = e.text("region");
        String type = e.text("instance_type");
        String pricingModel = e.has("pricing_model") ? e.text("pricing_model") : "ON_DEMAND";
        CloudPrice price = CloudPrice.newBuilder()
                .setProvider(provider).setRegion(region).setInstanceType(type)
                .setGpusPerInstance(e.positiveInt("gpus_per_instance"))
                .setPricingModel(pricingModel)
                .setInstanceHourlyMicroUsd(e.money("usd_per_hour"))
                .build();
        return PriceEntry.newBuilder()
                .setPriceKey(PriceKeys.cloud(provider, region, type)).setSite(Site.CLOUD).setGpuModel(e.text("gpu_model"))
                .setEffectiveFrom(e.instant("effective_from")).setOnprem(null).setCloudPrice(price)
                .setReference(e.reference()).build();
    }

    // A server price that does not divide evenly over its GPUs would need rounding, which the catalog refuses:
    // the per-GPU capex must be exact so that fleet totals reproduce the invoice.
    private static long perGpu(Entry e, String field, long total, int gpus) {
        if (total % gpus != 0) {
            throw e.error(field + " " + CostModel.toDollars(total) + " does not divide evenly over " + gpus
                    + " GPUs; give capex_per_gpu_usd instead");
        }
        return total / gpus;
    }

    /** One entry being read, for error messages that say where. */
    private record Entry(String origin, String section, int index, JsonNode node) {

        CatalogException error(String problem) {
            String name = node.has("gpu_model") ? " (" + node.get("gpu_model").asText() + ")" : "";
            if (node.has("instance_type")) {
                name = " (" + node.get("instance_type").asText() + ")";
            }
            return new CatalogException(origin + ": " + section + "[" + index + "]" + name + ": " + problem);
        }

        void onlyFields(Set<String> allowed) {
            if (!node.isObject()) {
                throw error("expected a mapping of fields");
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!allowed.contains(f)) {
                    throw error("unknown field '" + f + "' (known: " + new java.util.TreeSet<>(allowed) + ")");
                }
            }
        }

        boolean has(String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        String text(String field) {
            if (!has(field) || node.get(field).asText().isBlank()) {
                throw error("'" + field + "' is required");
            }
            return node.get(field).asText().trim();
        }

        BigDecimal decimal(String field) {
            String t = text(field);
            try {
                return new BigDecimal(t);
            } catch (NumberFormatException ex) {
                throw error("'" + field + "' must be a number, got '" + t + "'");
            }
        }

        long money(String field) {
            BigDecimal d = decimal(field);
            if (d.signum() < 0) {
                throw error("'" + field + "' must not be negative");
            }
            try {
                return CostModel.microUsd(d.toPlainString());
            } catch (ArithmeticException ex) {
                throw error("'" + field + "' " + d.toPlainString() + " has more than 6 decimals (micro-dollars)");
            }
        }

        int positiveInt(String field) {
            BigDecimal d = decimal(field);
            try {
                int v = d.intValueExact();
                if (v <= 0) {
                    throw error("'" + field + "' must be positive");
                }
                return v;
            } catch (ArithmeticException ex) {
                throw error("'" + field + "' must be a whole number");
            }
        }

        Instant instant(String field) {
            String t = text(field);
            try {
                return t.length() == 10 ? Instant.parse(t + "T00:00:00Z") : Instant.parse(t);
            } catch (DateTimeParseException ex) {
                throw error("'" + field + "' must be a UTC date (2025-06-01) or instant (2025-06-01T00:00:00Z), got '" + t + "'");
            }
        }

        String reference() {
            return has("reference") ? node.get("reference").asText() : null;
        }
    }

    /** The catalog is wrong; the message names the entry, the field and the fix. */
    public static final class CatalogException extends RuntimeException {
        public CatalogException(String message) {
            super(message);
        }
    }
}
