package io.seedgrid.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
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

/**
 * A headless Chromium (Debian's {@code chromium} package) that a test drives over the Chrome DevTools Protocol on
 * 127.0.0.1: open a local file at a fixed viewport, evaluate expressions in it (DevTools evaluation is not the
 * page's script, so a page whose policy forbids scripts still answers), take a screenshot. The browser runs with a
 * profile folder of the test's own and is stopped through the {@link Process} that started it, then the processes
 * it started are waited for (and ended, by their handles, if they linger).
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, WebSocket socket, Listener listener) {
        this.process = process;
        this.socket = socket;
        listener.owner = this;
    }

    /** Why no browser can run here (to print when a test skips), or null when one can. */
    public static String unavailable() {
        return executable() == null ? "no chromium on the PATH (Debian: apt-get install chromium)" : null;
    }

    private static Path executable() {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** Starts the browser with a viewport of {@code width} × {@code height} CSS pixels at scale 1. */
    public static HeadlessChromium start(Path profile, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(profile);
        List<String> command = new ArrayList<>(List.of(executable().toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--hide-scrollbars", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "about:blank"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String url = null;
            for (JsonNode target : JSON.readTree(list)) {
                if (target.path("type").asText().equals("page")) {
                    url = target.path("webSocketDebuggerUrl").asText();
                }
            }
            if (url == null) {
                throw new IOException("chromium has no page to drive: " + list);
            }
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(url), listener).get(30, TimeUnit.SECONDS);
            HeadlessChromium browser = new HeadlessChromium(process, socket, listener);
            ObjectNode metrics = JSON.createObjectNode().put("width", width).put("height", height)
                    .put("deviceScaleFactor", 1).put("mobile", false);
            browser.call("Emulation.setDeviceMetricsOverride", metrics);
            browser.call("Page.enable", JSON.createObjectNode());
            return browser;
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException(e);
        }
    }

    /** Opens {@code file} and waits until it has loaded. */
    public void open(Path file) throws IOException, InterruptedException {
        call("Page.navigate", JSON.createObjectNode().put("url", file.toUri().toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"complete".equals(evaluate("document.readyState").asText())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the page did not load: " + file);
            }
            Thread.sleep(100);
        }
    }

    /** The value of a JavaScript expression in the page (JSON-serialisable values only). */
    public JsonNode evaluate(String expression) throws IOException {
        JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IOException("evaluation failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** A PNG of the viewport as it is now. */
    public byte[] screenshot() throws IOException {
        return Base64.getDecoder().decode(call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"))
                .path("data").asText());
    }

    private JsonNode call(String method, ObjectNode params) throws IOException {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(message.toString(), true).join();
        try {
            JsonNode reply = answer.get(60, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IOException(method + ": " + reply.get("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (Exception e) {
            throw e instanceof IOException io ? io : new IOException(method + ": " + e, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        }
        // the browser and the processes it started (renderer, GPU, zygote), which write to the profile until they end
        List<ProcessHandle> started = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : started) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        }
    }

    /** Collects each message's frames and hands the answers to their calls. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    CompletableFuture<JsonNode> waiting = message.has("id") && owner != null
                            ? owner.pending.remove(message.get("id").asInt()) : null;
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                } catch (IOException e) {
                    // not an answer to a call: events are not used
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
