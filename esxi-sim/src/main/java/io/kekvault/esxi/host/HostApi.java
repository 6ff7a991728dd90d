package io.kekvault.esxi.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.GeneralFailureException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host command API of {@code docs/host-api.md} over one host. Every request is authenticated
 * as the bridge ({@link BridgeAuthenticator}) before its body is read; work runs on worker
 * threads, never on the event loop; every error is {@code application/problem+json}.
 */
public final class HostApi {
    private static final Logger LOG = LoggerFactory.getLogger(HostApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest read or write of disk data in one request. */
    public static final int MAX_IO_BYTES = 64 << 20;

    private final Vertx vertx;
    private final Host host;
    private final BridgeAuthenticator auth;
    private final List<String> kmsUrls;

    public HostApi(Vertx vertx, Host host, BridgeAuthenticator auth, List<String> kmsUrls) {
        this.vertx = vertx;
        this.host = host;
        this.auth = auth;
        this.kmsUrls = List.copyOf(kmsUrls);
    }

    @FunctionalInterface
    private interface Work {
        Object run(RoutingContext c) throws IOException, KmsException;
    }

    public Router router() {
        Router r = Router.router(vertx);
        r.route().handler(this::authenticate);
        r.route().handler(BodyHandler.create(false).setBodyLimit(MAX_IO_BYTES + 1024L).setHandleFileUploads(false));
        r.get("/host").handler(c -> run(c, 200, x -> host.describe(kmsUrls)));
        r.get("/vms").handler(c -> run(c, 200, x -> host.listVms()));
        r.post("/vms").handler(c -> run(c, 201, this::create));
        r.get("/vms/:vm").handler(c -> run(c, 200, x -> host.state(x.pathParam("vm"))));
        r.post("/vms/:vm/open").handler(c -> run(c, 200, x -> host.open(x.pathParam("vm"), "true".equals(x.queryParams().get("force")))));
        r.post("/vms/:vm/close").handler(c -> run(c, 200, x -> host.close(x.pathParam("vm"))));
        r.get("/vms/:vm/disks/:disk/data").handler(c -> run(c, 200, this::read));
        r.put("/vms/:vm/disks/:disk/data").handler(c -> run(c, 204, this::write));
        r.get("/vms/:vm/disks/:disk/digest").handler(c -> run(c, 200, x -> host.digest(x.pathParam("vm"),
                x.pathParam("disk"), longParam(x, "offset", false), x.queryParams().get("length") == null ? -1
                        : longParam(x, "length", true))));
        r.post("/vms/:vm/encrypt").handler(c -> run(c, 202, x -> {
            JsonNode b = body(x);
            return jobJson(host.encrypt(x.pathParam("vm"), text(b, "provider"), text(b, "kekId"), list(b, "components")));
        }));
        r.post("/vms/:vm/disks/:disk/decrypt").handler(c -> run(c, 202,
                x -> jobJson(host.decryptDisk(x.pathParam("vm"), x.pathParam("disk")))));
        r.post("/vms/:vm/decrypt-home").handler(c -> run(c, 202, x -> jobJson(host.decryptHome(x.pathParam("vm")))));
        r.post("/vms/:vm/rekey").handler(c -> run(c, 202, x -> {
            JsonNode b = body(x);
            return jobJson(host.rekey(x.pathParam("vm"), text(b, "provider"), text(b, "kekId"),
                    b.path("deep").asBoolean(false), list(b, "components")));
        }));
        r.get("/jobs/:id").handler(c -> run(c, 200, x -> jobJson(host.job(x.pathParam("id")))));
        r.route().last().handler(c -> send(c.response(), Problems.body(404, "item_not_found",
                "no such resource: " + c.request().method() + " " + c.normalizedPath())));
        r.route().failureHandler(this::failure);
        return r;
    }

    private void authenticate(RoutingContext c) {
        try {
            auth.authenticate(c.request().connection().sslSession());
            c.next();
        } catch (KmsException e) {
            LOG.info("event=command_refused host={} code={} path={}", host.id(), e.errorCode(), c.normalizedPath());
            c.request().pause();
            send(c.response().putHeader("Connection", "close"), Problems.body(e));
        }
    }

    private void failure(RoutingContext c) {
        if (c.statusCode() == 413) {
            send(c.response().putHeader("Connection", "close"), Problems.body(new LimitExceededException(
                    ResultReason.SERVER_LIMIT_EXCEEDED, "request body larger than " + MAX_IO_BYTES + " bytes", null)));
            return;
        }
        String ref = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("event=api_error host={} ref={}", host.id(), ref, c.failure());
        send(c.response(), Problems.body(c.statusCode() > 0 ? c.statusCode() : 500, "general_failure",
                "general failure, see host log ref=" + ref));
    }

    private void run(RoutingContext c, int status, Work work) {
        vertx.executeBlocking(() -> {
            try {
                return work.run(c);
            } catch (IOException e) {
                String ref = UUID.randomUUID().toString().substring(0, 8);
                LOG.error("event=io_error host={} ref={} path={}", host.id(), ref, c.normalizedPath(), e);
                throw new GeneralFailureException(ResultReason.GENERAL_FAILURE,
                        "i/o failure on the datastore: " + e.getMessage() + " (host log ref=" + ref + ")", e);
            }
        }, false).onComplete(ar -> {
            HttpServerResponse resp = c.response();
            if (ar.failed()) {
                Throwable t = ar.cause();
                if (t instanceof KmsException k) {
                    send(resp, Problems.body(k));
                } else {
                    String ref = UUID.randomUUID().toString().substring(0, 8);
                    LOG.error("event=api_error host={} ref={} path={}", host.id(), ref, c.normalizedPath(), t);
                    send(resp, Problems.body(500, "general_failure", "general failure, see host log ref=" + ref));
                }
                return;
            }
            Object result = ar.result();
            resp.setStatusCode(status);
            if (status == 204) {
                resp.end();
            } else if (result instanceof byte[] bytes) {
                resp.putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(bytes));
            } else {
                if (status == 202 && result instanceof ObjectNode j) {
                    resp.putHeader("Location", "/jobs/" + j.path("id").asText());
                }
                resp.putHeader("Content-Type", "application/json").end(result.toString());
            }
        });
    }

    private static void send(HttpServerResponse resp, ObjectNode problem) {
        if (resp.ended() || resp.closed()) {
            return;
        }
        int status = problem.path("status").asInt(500);
        resp.setStatusCode(status).putHeader("Content-Type", Problems.CONTENT_TYPE);
        if (status == 503) {
            resp.putHeader("Retry-After", "1");
        }
        resp.end(problem.toString());
    }

    private Object create(RoutingContext c) throws IOException, KmsException {
        JsonNode b = body(c);
        String name = text(b, "name");
        List<Host.DiskSpec> disks = new ArrayList<>();
        for (JsonNode d : b.path("disks")) {
            if (!d.path("sizeBytes").canConvertToLong()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "disks[].sizeBytes must be a number", null);
            }
            disks.add(new Host.DiskSpec(text(d, "name"), d.path("sizeBytes").asLong()));
        }
        JsonNode enc = b.path("encryption");
        String provider = null;
        String kek = null;
        if (enc.isObject()) {
            provider = text(enc, "provider");
            kek = text(enc, "kekId");
            if (provider == null || kek == null) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "encryption needs provider and kekId", null);
            }
        }
        return host.create(name, disks, provider, kek, text(b, "annotation"));
    }

    private Object read(RoutingContext c) throws IOException, KmsException {
        long offset = longParam(c, "offset", true);
        long length = longParam(c, "length", true);
        if (length < 0 || length > MAX_IO_BYTES) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "length must be 0.." + MAX_IO_BYTES, null);
        }
        byte[] out = new byte[(int) length];
        host.read(c.pathParam("vm"), c.pathParam("disk"), offset, ByteBuffer.wrap(out));
        return out;
    }

    private Object write(RoutingContext c) throws IOException, KmsException {
        long offset = longParam(c, "offset", true);
        Buffer body = c.body().buffer();
        byte[] data = body == null ? new byte[0] : body.getBytes();
        host.write(c.pathParam("vm"), c.pathParam("disk"), offset, ByteBuffer.wrap(data));
        return null;
    }

    private static long longParam(RoutingContext c, String name, boolean required) throws InvalidRequestException {
        String v = c.queryParams().get(name);
        if (v == null) {
            if (required) {
                throw new InvalidRequestException(ResultReason.MISSING_DATA, "query parameter '" + name + "' is required", null);
            }
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "query parameter '" + name + "' must be a number", null);
        }
    }

    private static JsonNode body(RoutingContext c) throws InvalidRequestException {
        Buffer b = c.body().buffer();
        if (b == null || b.length() == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(b.getBytes());
            if (n == null || !n.isObject()) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the body must be a JSON object", null);
            }
            return n;
        } catch (IOException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the body is not valid JSON", null);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> list(JsonNode n, String field) throws InvalidRequestException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, field + " must be an array or null", null);
        }
        List<String> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asText()));
        return out;
    }

    static ObjectNode jobJson(Job j) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", j.id());
        n.put("kind", j.kind());
        n.put("vm", j.vm());
        n.put("state", j.state().name().toLowerCase(java.util.Locale.ROOT));
        n.put("progress", j.progress());
        if (j.error() == null) {
            n.putNull("error");
        } else {
            n.set("error", Problems.body(j.error()));
        }
        n.put("created", j.created().toString());
        n.put("finished", j.finished() == null ? null : j.finished().toString());
        return n;
    }
}
