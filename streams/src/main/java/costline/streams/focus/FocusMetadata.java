package costline.streams.focus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;

/**
 * The FOCUS metadata of an export (FOCUS 4.7), kept beside the data: DataGenerator, and a schema object with its
 * SchemaId, FocusVersion, CreationDate and a ColumnDefinition per column. The SchemaId is derived from the column
 * list, so it changes exactly when the structure does, as the spec asks.
 */
public final class FocusMetadata {

    private static final Set<String> DECIMALS = Set.of("BilledCost", "ConsumedQuantity", "ContractedCost",
            "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity", "x_BusyGpuHours",
            "x_IdleGpuHours", "x_IdleCost", "x_AverageUtilization", "x_EnergyKwh", "x_UnobservedCost", "x_RollupRevision");
    private static final Set<String> DATETIMES = Set.of("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd",
            "ChargePeriodStart");
    private static final Set<String> JSON = Set.of("SkuPriceDetails", "Tags");

    private FocusMetadata() {
    }

    public static String schemaId() {
        return UUID.nameUUIDFromBytes(String.join(",", FocusColumns.ALL).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static String json(Instant created) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.putObject("DataGenerator").put("DataGenerator", "costline");
        ObjectNode schema = root.putObject("Schema");
        schema.put("SchemaId", schemaId());
        schema.put("FocusVersion", FocusColumns.FOCUS_VERSION);
        schema.put("CreationDate", created.truncatedTo(ChronoUnit.SECONDS).toString());
        ArrayNode columns = schema.putArray("ColumnDefinition");
        for (String c : FocusColumns.ALL) {
            ObjectNode col = columns.addObject();
            col.put("ColumnName", c);
            if (DECIMALS.contains(c)) {
                col.put("DataType", "DECIMAL");
                col.put("NumberScale", c.endsWith("Cost") && !c.equals("ListCost") && !c.equals("ContractedCost") ? 6 : 9);
            } else if (DATETIMES.contains(c)) {
                col.put("DataType", "DATETIME");
            } else if (JSON.contains(c)) {
                col.put("DataType", "JSON");
                col.put("StringEncoding", "UTF-8");
                if (c.equals("Tags")) {
                    col.putArray("ProviderTagPrefixes");
                }
            } else {
                col.put("DataType", "STRING");
                col.put("StringEncoding", "UTF-8");
            }
        }
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the metadata next to {@code dataFile}: {@code x.csv} or {@code x.csv.gz} -> {@code x.metadata.json}. */
    public static Path writeBeside(Path dataFile, Instant created) {
        String name = dataFile.getFileName().toString().replaceFirst("\\.csv(\\.gz)?$", "");
        Path out = dataFile.resolveSibling(name + ".metadata.json");
        try {
            Files.writeString(out, json(created) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        return out;
    }
}
