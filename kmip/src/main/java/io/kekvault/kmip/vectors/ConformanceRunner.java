package io.kekvault.kmip.vectors;

import io.kekvault.kmip.client.KmipEndpoint;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.message.MessageEncoding;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvMatcher;
import io.kekvault.kmip.ttlv.TtlvStreamReader;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The conformance runner: replays every OASIS XML vector file under a directory against a KMIP
 * server and compares each response with the expected one under the placeholder rules
 * ({@link VectorSession}) and the server-value rules ({@link ServerValueRules}).
 *
 * <p>Each file runs on its own mutual-TLS connection, binary TTLV. The message-encoding files
 * ({@code MSGENC-XML-*}, {@code MSGENC-JSON-*}, {@code MSGENC-HTTPS-*}) go to {@code POST /kmip}
 * in their encoding (XML, JSON, TTLV over HTTPS) when an HTTPS endpoint is given, else over TTLV
 * like the rest. A file named in the skip list is reported as skipped with its reason and never
 * counts as passed. A file stops at its first failing step.
 */
public final class ConformanceRunner {

    /** Where a file's outcome ended. */
    public enum Outcome { PASS, FAIL, SKIP }

    /** One file's outcome; {@code detail} is the transport (pass), first difference (fail) or reason (skip). */
    public record FileResult(String file, Outcome outcome, int steps, String detail) {
        /** The report line: {@code pass  v1.4/SKLC-M-1-14.xml  (7 steps, ttlv)}. */
        public String line() {
            return switch (outcome) {
                case PASS -> "pass  " + file + "  (" + steps + " steps, " + detail + ")";
                case FAIL -> "FAIL  " + file + "  " + detail;
                case SKIP -> "skip  " + file + "  " + detail;
            };
        }
    }

    /** The totals line. */
    public record Summary(int passed, int failed, int skipped) {
        public String line() {
            return passed + " passed, " + failed + " failed, " + skipped + " skipped";
        }
    }

    /**
     * @param https    host:port of the KMS HTTPS API for the message-encoding files, or null
     * @param skips    file name (e.g. {@code CS-BC-M-CHACHA20-1-20.xml}) -> reason
     */
    public record Options(Path dir, KmipEndpoint kmip, KmipEndpoint https, SSLContext ssl, Map<String, String> skips,
                          Duration timeout, Clock clock) {
    }

    /** The skip list shipped with Kekvault (resource {@code conformance-skips.txt}). */
    public static Map<String, String> defaultSkips() throws IOException {
        try (InputStream in = ConformanceRunner.class.getResourceAsStream("conformance-skips.txt")) {
            if (in == null) {
                throw new IOException("conformance-skips.txt is missing from the classpath");
            }
            return parseSkips(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Skip-list lines: {@code FILE  reason...}; {@code #} starts a comment. A skip without reason is refused. */
    public static Map<String, String> parseSkips(String text) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] parts = t.split("\\s+", 2);
                if (parts.length < 2 || parts[1].isBlank()) {
                    throw new IOException("skip list line " + n + ": '" + parts[0] + "' has no reason");
                }
                out.put(parts[0], parts[1].strip());
            }
        }
        return out;
    }

    private final Options options;
    private final TtlvLimits limits = TtlvLimits.DEFAULT;

    public ConformanceRunner(Options options) {
        this.options = options;
    }

    /** Every {@code *.xml} under the directory (subdirectories included), sorted by relative path. */
    public List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(options.dir())) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
    }

    /** Runs every file; {@code out} sees each result as it comes. */
    public Summary run(Consumer<FileResult> out) throws IOException {
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (Path p : files()) {
            FileResult r = runFile(p);
            switch (r.outcome()) {
                case PASS -> passed++;
                case FAIL -> failed++;
                case SKIP -> skipped++;
            }
            out.accept(r);
        }
        return new Summary(passed, failed, skipped);
    }

    public FileResult runFile(Path path) {
        String name = options.dir().relativize(path).toString();
        String reason = options.skips().get(path.getFileName().toString());
        if (reason != null) {
            return new FileResult(name, Outcome.SKIP, 0, reason);
        }
        VectorFile file;
        try {
            file = VectorFile.read(path);
        } catch (IOException | KmsException | RuntimeException e) {
            return new FileResult(name, Outcome.FAIL, 0, "cannot read the file: " + e.getMessage());
        }
        MessageEncoding encoding = encodingFor(path.getFileName().toString());
        try (Transport t = encoding == null ? new TtlvTransport() : new HttpsTransport(encoding)) {
            VectorSession session = new VectorSession(options.clock());
            ServerValueRules rules = new ServerValueRules(session.liveBindings());
            int step = 0;
            for (VectorFile.Step s : file.steps()) {
                TtlvItem prepared;
                try {
                    prepared = session.prepare(s.request());
                } catch (KmsException e) {
                    return new FileResult(name, Outcome.FAIL, step, "step " + step + ": request cannot be prepared: " + e.getMessage());
                }
                TtlvItem sent = rules.prepareRequest(prepared);
                TtlvItem actual;
                try {
                    actual = t.exchange(sent);
                } catch (IOException | KmsException | RuntimeException e) {
                    return new FileResult(name, Outcome.FAIL, step, "step " + step + ": exchange failed: " + e);
                }
                Optional<TtlvMatcher.Mismatch> m = rules.match(sent, prepared, s.expectedResponse(), actual);
                session.recordResponse(actual);
                if (m.isPresent()) {
                    return new FileResult(name, Outcome.FAIL, step, "step " + step + ": " + m.get());
                }
                step++;
            }
            return new FileResult(name, Outcome.PASS, step, t.name());
        } catch (IOException e) {
            return new FileResult(name, Outcome.FAIL, 0, "cannot connect: " + e);
        }
    }

    /** The encoding a message-encoding profile file is about, if an HTTPS endpoint was given. */
    private MessageEncoding encodingFor(String fileName) {
        if (options.https() == null) {
            return null;
        }
        String f = fileName.toUpperCase(Locale.ROOT);
        if (f.startsWith("MSGENC-XML-")) {
            return MessageEncoding.XML;
        }
        if (f.startsWith("MSGENC-JSON-")) {
            return MessageEncoding.JSON;
        }
        if (f.startsWith("MSGENC-HTTPS-")) {
            return MessageEncoding.TTLV;
        }
        return null;
    }

    private interface Transport extends Closeable {
        TtlvItem exchange(TtlvItem request) throws IOException, KmsException;

        String name();
    }

    /** Binary TTLV on one mutual-TLS connection for the whole file. */
    private final class TtlvTransport implements Transport {
        private final SSLSocket socket;
        private final OutputStream out;
        private final TtlvStreamReader in;

        TtlvTransport() throws IOException {
            KmipEndpoint ep = options.kmip();
            Socket raw = new Socket();
            raw.setTcpNoDelay(true);
            int millis = (int) options.timeout().toMillis();
            raw.connect(new InetSocketAddress(ep.host(), ep.port()), millis);
            raw.setSoTimeout(millis);
            socket = (SSLSocket) options.ssl().getSocketFactory().createSocket(raw, ep.host(), ep.port(), true);
            SSLParameters p = socket.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            if (!ep.host().chars().allMatch(c -> c == '.' || c == ':' || Character.isDigit(c))) {
                p.setServerNames(List.of(new SNIHostName(ep.host())));
            }
            socket.setSSLParameters(p);
            socket.startHandshake();
            out = socket.getOutputStream();
            in = new TtlvStreamReader(socket.getInputStream(), limits);
        }

        @Override
        public TtlvItem exchange(TtlvItem request) throws IOException, KmsException {
            out.write(TtlvEncoder.encode(request));
            out.flush();
            return in.readMessage().orElseThrow(() -> new IOException("the server closed the connection"));
        }

        @Override
        public String name() {
            return "ttlv";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** {@code POST /kmip} in one encoding (the KMIP HTTPS and message-encoding profiles). */
    private final class HttpsTransport implements Transport {
        private final MessageEncoding encoding;
        private final HttpClient http;
        private final URI uri;

        HttpsTransport(MessageEncoding encoding) {
            this.encoding = encoding;
            this.http = HttpClient.newBuilder().sslContext(options.ssl()).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(options.timeout()).build();
            this.uri = URI.create("https://" + options.https().host() + ":" + options.https().port() + "/kmip");
        }

        @Override
        public TtlvItem exchange(TtlvItem request) throws IOException, KmsException {
            HttpRequest r = HttpRequest.newBuilder(uri).timeout(options.timeout())
                    .header("Content-Type", encoding.mediaType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(encoding.encodeItem(request))).build();
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (resp.statusCode() != 200) {
                throw new IOException("HTTP " + resp.statusCode() + ": " + new String(resp.body(), StandardCharsets.UTF_8));
            }
            return encoding == MessageEncoding.TTLV ? TtlvDecoder.decode(resp.body(), limits) : encoding.decodeItem(resp.body(), limits);
        }

        @Override
        public String name() {
            return encoding.name().toLowerCase(Locale.ROOT) + " over https";
        }

        @Override
        public void close() {
            http.close();
        }
    }

    /** Formats results for a log: one line per file, then the totals. */
    public static List<String> report(List<FileResult> results) {
        List<String> out = new ArrayList<>();
        int p = 0;
        int f = 0;
        int s = 0;
        for (FileResult r : results) {
            out.add(r.line());
            switch (r.outcome()) {
                case PASS -> p++;
                case FAIL -> f++;
                case SKIP -> s++;
            }
        }
        out.add(new Summary(p, f, s).line());
        return out;
    }
}
