package costline.collectors.cloudwatch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP endpoint that answers the AWS SDK for Java v2 (2.57.8; pricing and savingsplans 2.40.2) in the wire
 * protocols it speaks: the Price List in AWS JSON 1.1 (X-Amz-Target AWSPriceListService.*), Savings Plans in REST JSON
 * (POST /DescribeSavingsPlansOfferingRates), EC2 spot price history in EC2 Query;
 * CloudWatch in Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/&lt;Op&gt;) and EC2
 * in EC2 Query (form-encoded POST /, XML answers). It keeps metrics, datapoints and instances per region
 * (the region is read from the request's SigV4 credential scope), pages like the services do, and can be
 * told to throttle or fail. Every request is recorded, decoded, for the tests to assert on.
 */
public final class FakeAwsEndpoint implements AutoCloseable {

    static final String CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/";

    /** One request as received. {@code body}: the decoded CBOR map, or the form parameters for EC2. */
    public record Recorded(String operation, String region, String service, String path, Map<String, List<String>> headers,
                    Map<String, Object> body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    record AgentMetric(String name, Map<String, String> dims) {
        String key() {
            return key(name, dims);
        }

        static String key(String name, Map<String, String> dims) {
            return name + new TreeMap<>(dims);
        }
    }

    public record Ec2Instance(String id, String type, String zone, String state, Instant launchTime, String privateDns,
                       Map<String, String> tags) { }

    public record GpuType(int count, String manufacturer, String name, int memoryMiB) { }

    static final class RegionData {
        final List<AgentMetric> metrics = new CopyOnWriteArrayList<>();
        final Map<String, NavigableMap<Instant, Double>> points = new ConcurrentHashMap<>();
        final List<Ec2Instance> instances = new CopyOnWriteArrayList<>();
    }

    private final HttpServer server;
    private final Map<String, RegionData> regions = new ConcurrentHashMap<>();
    private final Map<String, GpuType> types = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> throttles = new ConcurrentHashMap<>();
    private final Set<String> failingRegions = ConcurrentHashMap.newKeySet();
    /** Metric names whose GetMetricData results come back with StatusCode InternalError. */
    final Set<String> internalErrorMetrics = ConcurrentHashMap.newKeySet();
    volatile int listMetricsPageSize = 500;
    volatile int maxDatapointsPerResponse = 100_800;
    volatile int describeInstancesPageSize = 1000;

    // ---- prices: Price List (AWS JSON 1.1), spot price history (EC2 Query), Savings Plans (REST JSON) ----
    static final ObjectMapper JSON = new ObjectMapper();
    static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    /** One spot price as EC2 lists it. */
    public record SpotPoint(String type, String zone, String price, Instant at) { }
    /** instance id -> EC2 instanceLifecycle ("spot"). */
    final Map<String, String> lifecycles = new ConcurrentHashMap<>();
    /** "region|instance type" -> Price List documents (JSON text) GetProducts answers with. */
    final Map<String, List<String>> priceList = new ConcurrentHashMap<>();
    final Map<String, List<SpotPoint>> spotHistory = new ConcurrentHashMap<>();
    /** "region|instance type" -> committed hourly rate of the Savings Plan offering. */
    final Map<String, String> savingsPlanRates = new ConcurrentHashMap<>();
    public volatile int getProductsPageSize = 100;
    public volatile int spotPageSize = 1000;

    public void setLifecycle(String instanceId, String lifecycle) {
        lifecycles.put(instanceId, lifecycle);
    }

    /** Sets the on-demand rate of a type in a region: one matching product, as the Price List lists it. */
    public void setOnDemand(String region, String type, String usdPerHour, String effectiveDate) {
        String sku = "SKU" + Integer.toHexString((region + type).hashCode()).toUpperCase();
        String doc = "{\"product\":{\"productFamily\":\"Compute Instance\",\"attributes\":{\"instanceType\":\"" + type
                + "\",\"regionCode\":\"" + region + "\",\"tenancy\":\"Shared\",\"operatingSystem\":\"Linux\"},\"sku\":\""
                + sku + "\"},\"serviceCode\":\"AmazonEC2\",\"terms\":{\"OnDemand\":{\"" + sku + ".JRTCKXETXF\":{\"priceDimensions\":{\""
                + sku + ".JRTCKXETXF.6YS6EN2CT7\":{\"unit\":\"Hrs\",\"endRange\":\"Inf\",\"description\":\"$" + usdPerHour
                + " per On Demand Linux " + type + " Instance Hour\",\"appliesTo\":[],\"rateCode\":\"" + sku
                + ".JRTCKXETXF.6YS6EN2CT7\",\"beginRange\":\"0\",\"pricePerUnit\":{\"USD\":\"" + usdPerHour
                + "\"}}},\"sku\":\"" + sku + "\",\"effectiveDate\":\"" + effectiveDate + "\",\"offerTermCode\":\"JRTCKXETXF\",\"termAttributes\":{}}}},"
                + "\"version\":\"20261101000000\",\"publicationDate\":\"2026-11-01T00:00:00Z\"}";
        priceList.put(region + "|" + type, new CopyOnWriteArrayList<>(List.of(doc)));
    }

    /** Adds a product the filters also match but that is not a rate (a Reserved term only): GetProducts pages over it. */
    public void addReservedOnlyProduct(String region, String type, int n) {
        for (int i = 0; i < n; i++) {
            priceList.computeIfAbsent(region + "|" + type, k -> new CopyOnWriteArrayList<>()).add(
                    "{\"product\":{\"sku\":\"RSV" + i + "\"},\"terms\":{\"Reserved\":{}}}");
        }
    }

    public void addSpotPrice(String region, String type, String zone, String price, Instant at) {
        spotHistory.computeIfAbsent(region, k -> new CopyOnWriteArrayList<>()).add(new SpotPoint(type, zone, price, at));
    }

    public void setSavingsPlanRate(String region, String type, String usdPerHour) {
        savingsPlanRates.put(region + "|" + type, usdPerHour);
    }

    /** Requests of an operation counted by the service that signed them ("pricing", "ec2", "savingsplans"). */
    public long count(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).count();
    }

    public FakeAwsEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    RegionData region(String name) {
        return regions.computeIfAbsent(name, k -> new RegionData());
    }

    void addMetric(String region, String name, Map<String, String> dims) {
        region(region).metrics.add(new AgentMetric(name, new LinkedHashMap<>(dims)));
    }

    void putPoint(String region, String name, Map<String, String> dims, Instant periodStart, double value) {
        region(region).points.computeIfAbsent(AgentMetric.key(name, dims), k -> new java.util.concurrent.ConcurrentSkipListMap<>())
                .put(periodStart, value);
    }

    public void addInstance(String region, Ec2Instance instance) {
        region(region).instances.add(instance);
    }

    public void addType(String type, GpuType gpu) {
        types.put(type, gpu);
    }

    /** The next {@code times} calls of {@code operation} are throttled as the service does it. */
    public void throttle(String operation, int times) {
        throttles.put(operation, new AtomicInteger(times));
    }

    /** Every CloudWatch call in the region answers HTTP 500 until {@link #recover(String)}. */
    void fail(String region) {
        failingRegions.add(region);
    }

    void recover(String region) {
        failingRegions.remove(region);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }

    List<Recorded> requests(String operation, String region) {
        return requests.stream().filter(r -> r.operation().equals(operation) && r.region().equals(region)).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    // ---- dispatch -------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            String[] scope = credentialScope(ex.getRequestHeaders().getFirst("Authorization"));
            String region = scope[0];
            String service = scope[1];
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            if (target != null && target.startsWith("AWSPriceListService.")) {
                String op = target.substring("AWSPriceListService.".length());
                Map<String, Object> decoded = JSON.readValue(body, MAP);
                requests.add(new Recorded(op, region, service, path, copy(ex), decoded));
                handlePricing(ex, op, decoded);
                return;
            }
            if (path.equals("/DescribeSavingsPlansOfferingRates")) {
                Map<String, Object> decoded = JSON.readValue(body, MAP);
                requests.add(new Recorded("DescribeSavingsPlansOfferingRates", region, service, path, copy(ex), decoded));
                handleSavingsPlans(ex, decoded);
                return;
            }
            if (path.startsWith(CBOR_PREFIX)) {
                String op = path.substring(CBOR_PREFIX.length());
                @SuppressWarnings("unchecked")
                Map<String, Object> decoded = body.length == 0 ? Map.of() : (Map<String, Object>) Cbor.decode(body);
                requests.add(new Recorded(op, region, service, path, copy(ex), decoded));
                handleCloudWatch(ex, op, region, decoded);
            } else {
                Map<String, Object> form = parseForm(new String(body, StandardCharsets.UTF_8));
                String op = String.valueOf(form.get("Action"));
                requests.add(new Recorded(op, region, service, path, copy(ex), form));
                handleEc2(ex, op, region, form);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private static Map<String, List<String>> copy(HttpExchange ex) {
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ex.getRequestHeaders().forEach((k, v) -> h.put(k, List.copyOf(v)));
        return h;
    }

    /** Region and service from "AWS4-HMAC-SHA256 Credential=AKID/20261127/us-east-1/monitoring/aws4_request, ...". */
    private static String[] credentialScope(String authorization) {
        if (authorization == null) {
            return new String[] {"?", "?"};
        }
        int i = authorization.indexOf("Credential=");
        String cred = authorization.substring(i + "Credential=".length(), authorization.indexOf(',', i));
        String[] parts = cred.split("/");
        return new String[] {parts[2], parts[3]};
    }

    private boolean throttled(String op) {
        AtomicInteger n = throttles.get(op);
        return n != null && n.getAndUpdate(x -> Math.max(0, x - 1)) > 0;
    }

    // ---- CloudWatch, RPC v2 CBOR ----------------------------------------------------------------------------

    private void handleCloudWatch(HttpExchange ex, String op, String region, Map<String, Object> req) throws IOException {
        if (throttled(op)) {
            cborError(ex, 400, "Throttling", "Sender", "Rate exceeded");
            return;
        }
        if (failingRegions.contains(region)) {
            cborError(ex, 500, "InternalServiceError", "Receiver", "Internal service error");
            return;
        }
        switch (op) {
            case "ListMetrics" -> cbor(ex, 200, listMetrics(region, req));
            case "GetMetricData" -> {
                List<?> queries = (List<?>) req.get("MetricDataQueries");
                if (queries == null || queries.isEmpty() || queries.size() > 500) {
                    cborError(ex, 400, "InvalidParameterValue", "Sender",
                            "The collection MetricDataQueries must not have a size greater than 500.");
                    return;
                }
                cbor(ex, 200, getMetricData(region, req));
            }
            default -> cborError(ex, 400, "InvalidAction", "Sender", "unknown operation " + op);
        }
    }

    private Map<String, Object> listMetrics(String region, Map<String, Object> req) {
        String namespace = (String) req.get("Namespace");
        String name = (String) req.get("MetricName");
        List<AgentMetric> matching = region(region).metrics.stream()
                .filter(m -> "CWAgent".equals(namespace) && (name == null || m.name().equals(name)))
                .toList();
        int from = req.get("NextToken") == null ? 0 : Integer.parseInt(((String) req.get("NextToken")).substring(3));
        int to = Math.min(matching.size(), from + listMetricsPageSize);
        List<Object> out = new ArrayList<>();
        for (AgentMetric m : matching.subList(from, to)) {
            List<Object> dims = new ArrayList<>();
            m.dims().forEach((k, v) -> dims.add(map("Name", k, "Value", v)));
            out.add(map("Namespace", namespace, "MetricName", m.name(), "Dimensions", dims));
        }
        Map<String, Object> resp = map("Metrics", out);
        if (to < matching.size()) {
            resp.put("NextToken", "lm-" + to);
        }
        return resp;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> getMetricData(String region, Map<String, Object> req) {
        List<Map<String, Object>> queries = (List<Map<String, Object>>) req.get("MetricDataQueries");
        Instant start = (Instant) req.get("StartTime");
        Instant end = (Instant) req.get("EndTime");
        int q0 = 0;
        int p0 = 0;
        if (req.get("NextToken") != null) {
            String[] c = ((String) req.get("NextToken")).split(":");
            q0 = Integer.parseInt(c[1]);
            p0 = Integer.parseInt(c[2]);
        }
        int budget = maxDatapointsPerResponse;
        List<Object> results = new ArrayList<>();
        String next = null;
        for (int q = q0; q < queries.size(); q++) {
            Map<String, Object> query = queries.get(q);
            Map<String, Object> stat = (Map<String, Object>) query.get("MetricStat");
            Map<String, Object> metric = (Map<String, Object>) stat.get("Metric");
            Map<String, String> dims = new LinkedHashMap<>();
            for (Map<String, Object> d : (List<Map<String, Object>>) metric.getOrDefault("Dimensions", List.of())) {
                dims.put((String) d.get("Name"), (String) d.get("Value"));
            }
            if (internalErrorMetrics.contains((String) metric.get("MetricName"))) {
                results.add(map("Id", query.get("Id"), "Label", metric.get("MetricName"), "Timestamps", List.of(),
                        "Values", List.of(), "StatusCode", "InternalError",
                        "Messages", List.of(map("Code", "InternalError", "Value", "An internal error occurred."))));
                continue;
            }
            NavigableMap<Instant, Double> series = region(region).points.getOrDefault(
                    AgentMetric.key((String) metric.get("MetricName"), dims), Collections.emptyNavigableMap());
            List<Map.Entry<Instant, Double>> points = new ArrayList<>(series.subMap(start, true, end, false).entrySet());
            int from = q == q0 ? p0 : 0;
            int take = Math.min(points.size() - from, budget);
            List<Object> ts = new ArrayList<>();
            List<Object> vs = new ArrayList<>();
            for (var p : points.subList(from, from + take)) {
                ts.add(p.getKey());
                vs.add(p.getValue());
            }
            budget -= take;
            boolean partial = from + take < points.size();
            results.add(map("Id", query.get("Id"), "Label", metric.get("MetricName"), "Timestamps", ts, "Values", vs,
                    "StatusCode", partial ? "PartialData" : "Complete"));
            if (partial) {
                next = "gmd:" + q + ":" + (from + take);
                break;
            }
            if (budget == 0 && q + 1 < queries.size()) {
                next = "gmd:" + (q + 1) + ":0";
                break;
            }
        }
        Map<String, Object> resp = map("MetricDataResults", results, "Messages", List.of());
        if (next != null) {
            resp.put("NextToken", next);
        }
        return resp;
    }

    private static void cbor(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = Cbor.encode(body);
        ex.getResponseHeaders().add("Content-Type", "application/cbor");
        ex.getResponseHeaders().add("smithy-protocol", "rpc-v2-cbor");
        ex.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * An RPC v2 CBOR error. CloudWatch is awsQueryCompatible: the legacy Query error code travels in the
     * x-amzn-query-error header ("Code;Sender|Receiver"), which the SDK prefers over __type.
     */
    private static void cborError(HttpExchange ex, int status, String code, String fault, String message) throws IOException {
        ex.getResponseHeaders().add("x-amzn-query-error", code + ";" + fault);
        cbor(ex, status, map("__type", "com.amazonaws.cloudwatch#" + code, "message", message));
    }

    // ---- EC2, EC2 Query (XML) -------------------------------------------------------------------------------

    private void handleEc2(HttpExchange ex, String op, String region, Map<String, Object> form) throws IOException {
        if (throttled(op)) {
            xml(ex, 503, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
                    + "</Message></Error></Errors><RequestID>" + java.util.UUID.randomUUID() + "</RequestID></Response>");
            return;
        }
        switch (op) {
            case "DescribeInstances" -> xml(ex, 200, describeInstances(region, form));
            case "DescribeInstanceTypes" -> xml(ex, 200, describeInstanceTypes(form));
            case "DescribeSpotPriceHistory" -> xml(ex, 200, describeSpotPriceHistory(region, form));
            default -> xml(ex, 400, "<Response><Errors><Error><Code>InvalidAction</Code><Message>" + esc(op)
                    + "</Message></Error></Errors><RequestID>x</RequestID></Response>");
        }
    }

    private String describeInstances(String region, Map<String, Object> form) {
        List<Ec2Instance> all = region(region).instances;
        int from = form.get("NextToken") == null ? 0 : Integer.parseInt(((String) form.get("NextToken")).substring(3));
        int max = form.get("MaxResults") == null ? all.size() : Integer.parseInt((String) form.get("MaxResults"));
        int to = Math.min(all.size(), from + Math.min(max, describeInstancesPageSize));
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>" + java.util.UUID.randomUUID() + "</requestId><reservationSet>");
        for (Ec2Instance i : all.subList(from, to)) {
            x.append("<item><reservationId>r-").append(i.id().substring(2)).append("</reservationId><ownerId>123456789012</ownerId>")
                    .append("<groupSet/><instancesSet><item>")
                    .append("<instanceId>").append(esc(i.id())).append("</instanceId>")
                    .append("<imageId>ami-0123456789abcdef0</imageId>")
                    .append("<instanceState><code>").append(stateCode(i.state())).append("</code><name>").append(i.state())
                    .append("</name></instanceState>")
                    .append("<privateDnsName>").append(esc(i.privateDns())).append("</privateDnsName>")
                    .append("<dnsName/><instanceType>").append(esc(i.type())).append("</instanceType>")
                    .append("<launchTime>").append(i.launchTime()).append("</launchTime>")
                    .append(lifecycles.containsKey(i.id()) ? "<instanceLifecycle>" + lifecycles.get(i.id()) + "</instanceLifecycle>" : "")
                    .append("<placement><availabilityZone>").append(esc(i.zone()))
                    .append("</availabilityZone><groupName/><tenancy>default</tenancy></placement>")
                    .append("<tagSet>");
            i.tags().forEach((k, v) -> x.append("<item><key>").append(esc(k)).append("</key><value>").append(esc(v))
                    .append("</value></item>"));
            x.append("</tagSet></item></instancesSet></item>");
        }
        x.append("</reservationSet>");
        if (to < all.size()) {
            x.append("<nextToken>di-").append(to).append("</nextToken>");
        }
        return x.append("</DescribeInstancesResponse>").toString();
    }

    private String describeInstanceTypes(Map<String, Object> form) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<DescribeInstanceTypesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>" + java.util.UUID.randomUUID() + "</requestId><instanceTypeSet>");
        Set<String> asked = new TreeSet<>();
        form.forEach((k, v) -> {
            if (k.startsWith("InstanceType.")) {
                asked.add((String) v);
            }
        });
        for (String t : asked) {
            x.append("<item><instanceType>").append(esc(t)).append("</instanceType><currentGeneration>true</currentGeneration>");
            GpuType g = types.get(t);
            if (g != null) {
                x.append("<gpuInfo><gpus><item><name>").append(esc(g.name())).append("</name><manufacturer>")
                        .append(esc(g.manufacturer())).append("</manufacturer><count>").append(g.count())
                        .append("</count><memoryInfo><sizeInMiB>").append(g.memoryMiB())
                        .append("</sizeInMiB></memoryInfo></item></gpus><totalGpuMemoryInMiB>")
                        .append((long) g.count() * g.memoryMiB()).append("</totalGpuMemoryInMiB></gpuInfo>");
            }
            x.append("</item>");
        }
        return x.append("</instanceTypeSet></DescribeInstanceTypesResponse>").toString();
    }

    private static int stateCode(String state) {
        return switch (state) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            default -> 80;
        };
    }

    private void handlePricing(HttpExchange ex, String op, Map<String, Object> req) throws IOException {
        if (throttled(op)) {
            json(ex, 400, "application/x-amz-json-1.1", Map.of("__type", "ThrottlingException", "Message", "Rate exceeded"));
            return;
        }
        if (!op.equals("GetProducts")) {
            json(ex, 400, "application/x-amz-json-1.1", Map.of("__type", "InvalidParameterException", "Message", op));
            return;
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (Object o : (List<?>) req.getOrDefault("Filters", List.of())) {
            Map<?, ?> m = (Map<?, ?>) o;
            f.put((String) m.get("Field"), (String) m.get("Value"));
        }
        List<String> docs = "AmazonEC2".equals(req.get("ServiceCode")) && "Shared".equals(f.get("tenancy"))
                && "Linux".equals(f.get("operatingSystem")) && "Used".equals(f.get("capacitystatus"))
                ? priceList.getOrDefault(f.get("regionCode") + "|" + f.get("instanceType"), List.of()) : List.of();
        int from = req.get("NextToken") == null ? 0 : Integer.parseInt(((String) req.get("NextToken")).substring(3));
        int size = Math.min(getProductsPageSize, req.get("MaxResults") == null ? 100 : ((Number) req.get("MaxResults")).intValue());
        int to = Math.min(docs.size(), from + size);
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("FormatVersion", "aws_v1");
        resp.put("PriceList", docs.subList(from, to));
        if (to < docs.size()) {
            resp.put("NextToken", "gp-" + to);
        }
        json(ex, 200, "application/x-amz-json-1.1", resp);
    }

    private String describeSpotPriceHistory(String region, Map<String, Object> form) {
        Set<String> types = new TreeSet<>();
        form.forEach((k, v) -> {
            if (k.startsWith("InstanceType.")) {
                types.add((String) v);
            }
        });
        Instant start = Instant.parse((String) form.get("StartTime"));
        Instant end = Instant.parse((String) form.get("EndTime"));
        // As EC2 does: every change inside [start, end], plus the price in force at start for each type and zone.
        List<SpotPoint> all = spotHistory.getOrDefault(region, List.of()).stream().filter(p -> types.contains(p.type())).toList();
        List<SpotPoint> out = new ArrayList<>();
        Map<String, SpotPoint> inForce = new TreeMap<>();
        for (SpotPoint p : all) {
            if (!p.at().isAfter(start)) {
                inForce.merge(p.type() + "|" + p.zone(), p, (a, b) -> b.at().isAfter(a.at()) ? b : a);
            } else if (!p.at().isAfter(end)) {
                out.add(p);
            }
        }
        out.addAll(inForce.values());
        out.sort(java.util.Comparator.comparing(SpotPoint::at).reversed());
        int from = form.get("NextToken") == null ? 0 : Integer.parseInt(((String) form.get("NextToken")).substring(3));
        int to = Math.min(out.size(), from + spotPageSize);
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<DescribeSpotPriceHistoryResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>" + java.util.UUID.randomUUID() + "</requestId><spotPriceHistorySet>");
        for (SpotPoint p : out.subList(from, to)) {
            x.append("<item><instanceType>").append(esc(p.type())).append("</instanceType><productDescription>Linux/UNIX"
                    + "</productDescription><spotPrice>").append(p.price()).append("</spotPrice><timestamp>").append(p.at())
                    .append("</timestamp><availabilityZone>").append(esc(p.zone())).append("</availabilityZone></item>");
        }
        x.append("</spotPriceHistorySet><nextToken>").append(to < out.size() ? "sp-" + to : "").append("</nextToken>");
        return x.append("</DescribeSpotPriceHistoryResponse>").toString();
    }

    private void handleSavingsPlans(HttpExchange ex, Map<String, Object> req) throws IOException {
        if (throttled("DescribeSavingsPlansOfferingRates")) {
            ex.getResponseHeaders().add("x-amzn-ErrorType", "ThrottlingException");
            json(ex, 429, "application/json", Map.of("message", "Rate exceeded"));
            return;
        }
        Map<String, List<String>> f = new LinkedHashMap<>();
        for (Object o : (List<?>) req.getOrDefault("filters", List.of())) {
            Map<?, ?> m = (Map<?, ?>) o;
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) m.get("values");
            f.put((String) m.get("name"), values);
        }
        List<Object> results = new ArrayList<>();
        for (String region : f.getOrDefault("region", List.of())) {
            for (String type : f.getOrDefault("instanceType", List.of())) {
                String rate = savingsPlanRates.get(region + "|" + type);
                if (rate == null) {
                    continue;
                }
                for (long seconds : new long[] {31_536_000L, 94_608_000L}) {
                    // the 3-year offering is cheaper; the poller must pick the term it was told
                    String r = seconds == 31_536_000L ? rate : new java.math.BigDecimal(rate).multiply(new java.math.BigDecimal("0.7")).toPlainString();
                    results.add(map("savingsPlanOffering", map("offeringId", "off-" + seconds, "paymentOption",
                                    ((List<?>) req.get("savingsPlanPaymentOptions")).get(0), "planType",
                                    ((List<?>) req.get("savingsPlanTypes")).get(0), "durationSeconds", seconds, "currency", "USD",
                                    "planDescription", "test plan"),
                            "rate", r, "currency", "USD", "unit", "Hrs", "productType", "EC2", "serviceCode", "AmazonEC2",
                            "usageType", "BoxUsage:" + type, "operation", "RunInstances",
                            "properties", List.of(map("name", "region", "value", region), map("name", "instanceType", "value", type),
                                    map("name", "tenancy", "value", "shared"), map("name", "productDescription", "value", "Linux/UNIX"))));
                }
            }
        }
        json(ex, 200, "application/json", map("searchResults", results));
    }

    private static void json(HttpExchange ex, int status, String contentType, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", contentType);
        ex.getResponseHeaders().add("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void xml(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/xml;charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, Object> parseForm(String body) {
        Map<String, Object> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(k, v);
        }
        return form;
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
