package costline.streams.reconcile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local S3 endpoint in S3's REST XML protocol, path-style, for the real SDK: ListObjectsV2 (list-type=2, prefix,
 * max-keys, continuation tokens) and GetObject. Requests are recorded.
 */
final class FakeS3 implements AutoCloseable {

    private final HttpServer server;
    final Map<String, TreeMap<String, byte[]>> buckets = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile int pageSize = 2;

    FakeS3() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void put(String bucket, String key, byte[] body) {
        buckets.computeIfAbsent(bucket, k -> new TreeMap<>()).put(key, body);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String[] parts = path.substring(1).split("/", 2);
            String bucket = parts[0];
            TreeMap<String, byte[]> objects = buckets.get(bucket);
            if (objects == null) {
                send(ex, 404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>");
                return;
            }
            if (parts.length == 1 || parts[1].isEmpty()) {
                requests.add("ListObjectsV2 " + q);
                String prefix = q.getOrDefault("prefix", "");
                List<String> keys = new ArrayList<>(objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList());
                int from = q.containsKey("continuation-token") ? Integer.parseInt(q.get("continuation-token")) : 0;
                int to = Math.min(keys.size(), from + pageSize);
                StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + bucket + "</Name><Prefix>"
                        + prefix + "</Prefix><KeyCount>" + (to - from) + "</KeyCount><MaxKeys>" + pageSize + "</MaxKeys><IsTruncated>"
                        + (to < keys.size()) + "</IsTruncated>");
                if (to < keys.size()) {
                    x.append("<NextContinuationToken>").append(to).append("</NextContinuationToken>");
                }
                for (String k : keys.subList(from, to)) {
                    x.append("<Contents><Key>").append(k).append("</Key><LastModified>2026-11-02T06:00:00.000Z</LastModified>")
                            .append("<Size>").append(objects.get(k).length).append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
                }
                send(ex, 200, x.append("</ListBucketResult>").toString());
                return;
            }
            String key = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            requests.add("GetObject " + key);
            byte[] body = objects.get(key);
            if (body == null) {
                send(ex, 404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void send(HttpExchange ex, int status, String xml) throws IOException {
        byte[] b = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
