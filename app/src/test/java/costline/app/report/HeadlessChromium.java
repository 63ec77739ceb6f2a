package costline.app.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium driven over the DevTools protocol (JSON over a WebSocket, the JDK's own client): loads a
 * page, records console messages, uncaught exceptions and every network request, evaluates JavaScript, and takes a
 * full-page screenshot. Started with the flags that keep it off the network and a fresh profile folder.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new ArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    static Path binary() {
        String configured = System.getenv("CHROMIUM");
        return Path.of(configured != null ? configured : "/usr/bin/chromium");
    }

    static HeadlessChromium start(Path profile) throws Exception {
        if (!Files.isExecutable(binary())) {
            throw new IllegalStateException(binary() + " is missing: install Debian's chromium (apt-get install -y chromium, as "
                    + ".ci/run does) or point CHROMIUM at a Chromium binary");
        }
        Process p = new ProcessBuilder(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--window-size=1280,900", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String browserWs = null;
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        while (browserWs == null && System.nanoTime() < deadline) {
            String line = err.readLine();
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                browserWs = m.group(1);
            }
        }
        if (browserWs == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not open its DevTools port; it printed:\n" + seen);
        }
        // keep draining its stderr so it never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try {
                while (err.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // it exited
            }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        URI browser = URI.create(browserWs);
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        String pageWs = null;
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page")) {
                pageWs = t.path("webSocketDebuggerUrl").asText();
                break;
            }
        }
        if (pageWs == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium has no page target: " + targets);
        }
        return new HeadlessChromium(p, http, URI.create(pageWs));
    }

    private HeadlessChromium(Process process, HttpClient http, URI page) throws Exception {
        this.process = process;
        this.socket = http.newWebSocketBuilder().buildAsync(page, new Listener()).get(30, TimeUnit.SECONDS);
        for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
            call(domain + ".enable", JSON.createObjectNode());
        }
    }

    /** Loads {@code file} and waits for its load event. */
    void load(Path file) throws Exception {
        loaded = new CompletableFuture<>();
        synchronized (events) {
            events.clear();
        }
        ObjectNode params = JSON.createObjectNode().put("url", file.toUri().toString());
        call("Page.navigate", params);
        loaded.get(60, TimeUnit.SECONDS);
    }

    /** Console messages of type error or assert, uncaught exceptions and error log entries, as text. */
    List<String> errors() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : snapshot()) {
            String method = e.path("method").asText();
            JsonNode p = e.path("params");
            if (method.equals("Runtime.consoleAPICalled") && List.of("error", "assert").contains(p.path("type").asText())) {
                out.add("console." + p.path("type").asText() + ": " + p.path("args"));
            } else if (method.equals("Runtime.exceptionThrown")) {
                out.add("exception: " + p.path("exceptionDetails"));
            } else if (method.equals("Log.entryAdded") && p.path("entry").path("level").asText().equals("error")) {
                out.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
            }
        }
        return out;
    }

    /** The URL of every request the page made, the page's own file included. */
    List<String> requests() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : snapshot()) {
            if (e.path("method").asText().equals("Network.requestWillBeSent")) {
                out.add(e.path("params").path("request").path("url").asText());
            }
        }
        return out;
    }

    /** Evaluates {@code expression} in the page; its value as JSON. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + r.path("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** A PNG of the whole page, 1280 CSS pixels wide. */
    void screenshot(Path png) throws Exception {
        JsonNode metrics = call("Page.getLayoutMetrics", JSON.createObjectNode());
        int height = (int) Math.ceil(metrics.path("cssContentSize").path("height").asDouble(900));
        call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", 1280).put("height", Math.max(600, height))
                .put("deviceScaleFactor", 1).put("mobile", false));
        JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    /** The page printed to PDF as a browser's "print to PDF" would, A4 landscape per the page's own CSS. */
    byte[] pdf() throws Exception {
        JsonNode r = call("Page.printToPDF", JSON.createObjectNode().put("preferCSSPageSize", true).put("printBackground", true));
        return Base64.getDecoder().decode(r.path("data").asText());
    }

    private List<JsonNode> snapshot() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
        JsonNode reply = answer.get(60, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.path("error"));
        }
        return reply.path("result");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                try {
                    JsonNode message = JSON.readTree(text);
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.path("id").asInt());
                        if (f != null) {
                            f.complete(message);
                        }
                    } else {
                        synchronized (events) {
                            events.add(message);
                        }
                        if (message.path("method").asText().equals("Page.loadEventFired")) {
                            loaded.complete(null);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("not JSON from chromium: " + text, e);
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser goes anyway
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

}
