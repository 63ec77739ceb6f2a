package costline.streams.reconcile;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Reads a FOCUS cost-and-usage file as AWS Data Exports writes it (CSV, gzip-compressed or not, FOCUS 1.0 or 1.2 with
 * AWS columns) and sums, per EC2 instance, the EffectiveCost and instance-hours of its Usage rows in one month.
 *
 * <p>An EC2 instance row: ResourceId is {@code i-...} or an ARN ending {@code instance/i-...} (FOCUS.md 5: AWS does
 * not document the form), the service is EC2 (x_ServiceCode AmazonEC2, or ServiceName Amazon Elastic Compute Cloud),
 * ChargeCategory Usage, and its usage type (x_UsageType in 1.0, SkuMeter in 1.2) names instance usage
 * ({@code BoxUsage}, {@code SpotUsage}, {@code DedicatedUsage}, ...). Its month is BillingPeriodStart's. EBS,
 * data transfer and other rows that also name the instance are left out, so the sum is the instance-hours alone.
 */
public final class FocusBillReader {

    private static final Pattern INSTANCE = Pattern.compile("(?:^|instance/)(i-[0-9a-f]+)$");
    private static final Pattern USAGE_TYPE = Pattern.compile("(?:^|[-:])(?:BoxUsage|SpotUsage|DedicatedUsage|HostUsage|UnusedBox|ReservedHostUsage)(?::([a-z0-9]+\\.[a-z0-9]+))?");
    private static final BigDecimal MS_PER_HOUR = BigDecimal.valueOf(3_600_000);

    private FocusBillReader() {
    }

    /** Adds the month's instance lines of one file (CSV or gzip CSV, sniffed by its first bytes) into {@code into}. */
    public static void read(InputStream raw, YearMonth month, Map<String, BillLine> into) {
        try {
            BufferedInputStream in = new BufferedInputStream(raw);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            InputStream data = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
            CsvMapper mapper = new CsvMapper();
            try (MappingIterator<Map<String, String>> rows = mapper.readerFor(Map.class)
                    .with(CsvSchema.emptySchema().withHeader())
                    .readValues(new InputStreamReader(data, StandardCharsets.UTF_8))) {
                while (rows.hasNext()) {
                    Map<String, String> r = rows.next();
                    BillLine line = line(r, month);
                    if (line != null) {
                        into.merge(line.instanceId(), line, BillLine::plus);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the bill is not a readable FOCUS CSV: " + e.getMessage(), e);
        }
    }

    public static Map<String, BillLine> read(InputStream raw, YearMonth month) {
        Map<String, BillLine> out = new LinkedHashMap<>();
        read(raw, month, out);
        return out;
    }

    static BillLine line(Map<String, String> r, YearMonth month) {
        String resource = value(r, "ResourceId");
        Matcher id = resource == null ? null : INSTANCE.matcher(resource);
        if (id == null || !id.find()) {
            return null;
        }
        String service = value(r, "x_ServiceCode");
        String serviceName = value(r, "ServiceName");
        if (!"AmazonEC2".equals(service) && !"Amazon Elastic Compute Cloud".equals(serviceName)) {
            return null;
        }
        if (!"Usage".equals(value(r, "ChargeCategory"))) {
            return null;
        }
        String start = value(r, "BillingPeriodStart");
        if (start == null || !start.startsWith(month.toString())) {
            return null;
        }
        String usageType = value(r, "x_UsageType") != null ? value(r, "x_UsageType") : value(r, "SkuMeter");
        Matcher u = usageType == null ? null : USAGE_TYPE.matcher(usageType);
        if (u == null || !u.find()) {
            return null;
        }
        String effective = value(r, "EffectiveCost");
        String quantity = value(r, "ConsumedQuantity");
        long micro = effective == null ? 0 : new BigDecimal(effective).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        long ms = quantity == null ? 0 : new BigDecimal(quantity).multiply(MS_PER_HOUR).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        return new BillLine(id.group(1), value(r, "RegionId"), u.group(1), micro, ms, value(r, "PricingCategory"),
                value(r, "CommitmentDiscountId"));
    }

    private static String value(Map<String, String> r, String column) {
        String v = r.get(column);
        return v == null || v.isEmpty() || v.equalsIgnoreCase("null") ? null : v;
    }
}
