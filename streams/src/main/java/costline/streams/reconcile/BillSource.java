package costline.streams.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Where the bill comes from: a local FOCUS file (CSV or CSV.gz), a folder of them, or an AWS Data Exports location
 * {@code s3://bucket/prefix}. Data Exports writes {@code <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/*.csv.gz} and,
 * last, {@code <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json}; the month's files are taken
 * from the manifest ({@code dataFiles}) when there is one (a file written after it belongs to a delivery not finished
 * yet), else every CSV under the month's data folder.
 */
public final class BillSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The S3 client's settings: region and, for tests or VPC endpoints, an endpoint (path-style addressing). */
    public record S3Settings(String region, Optional<URI> endpoint) { }

    /** What was read: the instance lines and the files they came from. */
    public record Read(Map<String, BillLine> lines, List<String> files) { }

    private BillSource() {
    }

    public static Read read(String location, YearMonth month, S3Settings s3) {
        if (location.startsWith("s3://")) {
            return readS3(location, month, s3);
        }
        Path path = Path.of(location);
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> all = Files.walk(path)) {
                all.filter(p -> p.toString().endsWith(".csv") || p.toString().endsWith(".csv.gz")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + path, e);
            }
        } else if (Files.isReadable(path)) {
            files.add(path);
        } else {
            throw new IllegalArgumentException("--focus-file " + location + " does not exist or cannot be read");
        }
        Map<String, BillLine> lines = new LinkedHashMap<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                FocusBillReader.read(in, month, lines);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
        return new Read(lines, files.stream().map(Path::toString).toList());
    }

    static Read readS3(String location, YearMonth month, S3Settings settings) {
        String rest = location.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        var builder = S3Client.builder().region(Region.of(settings.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build());
        settings.endpoint().ifPresent(e -> builder.endpointOverride(e).forcePathStyle(true));
        try (S3Client s3 = builder.build()) {
            List<String> keys = new ArrayList<>();
            String token = null;
            do {
                ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
                        .continuationToken(token).build());
                page.contents().stream().map(S3Object::key).forEach(keys::add);
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
            String period = "BILLING_PERIOD=" + month;
            List<String> data = new ArrayList<>();
            Optional<String> manifest = keys.stream()
                    .filter(k -> k.contains("/metadata/" + period + "/") && k.endsWith("-Manifest.json")).sorted().reduce((a, b) -> b);
            if (manifest.isPresent()) {
                JsonNode m = JSON.readTree(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(manifest.get()).build())
                        .asByteArray());
                for (JsonNode f : m.path("dataFiles")) {
                    String uri = f.asText();
                    data.add(uri.startsWith("s3://") ? uri.substring(uri.indexOf('/', 5) + 1) : uri);
                }
            } else {
                keys.stream().filter(k -> k.contains("/data/" + period + "/") && (k.endsWith(".csv") || k.endsWith(".csv.gz")))
                        .sorted().forEach(data::add);
            }
            if (data.isEmpty()) {
                throw new IllegalStateException("no FOCUS data for " + month + " under " + location + " (looked for "
                        + "data/" + period + "/ and its manifest); check the export's prefix and that the month was delivered");
            }
            Map<String, BillLine> lines = new LinkedHashMap<>();
            for (String key : data) {
                try (InputStream in = s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build())) {
                    FocusBillReader.read(in, month, lines);
                }
            }
            return new Read(lines, data.stream().map(k -> "s3://" + bucket + "/" + k).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + location + " failed: " + e.getMessage(), e);
        }
    }
}
