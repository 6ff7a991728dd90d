package io.kekvault.kms.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.access.Caller;
import io.kekvault.kms.access.ClientAuthenticator;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.op.ActivateOp;
import io.kekvault.kms.op.CreateKeyOp;
import io.kekvault.kms.op.DestroyOp;
import io.kekvault.kms.op.Dispatcher;
import io.kekvault.kms.op.GetKeyOp;
import io.kekvault.kms.op.GrantOps;
import io.kekvault.kms.op.KmsServices;
import io.kekvault.kms.op.ListKeysOp;
import io.kekvault.kms.op.Operation;
import io.kekvault.kms.op.RekeyOp;
import io.kekvault.kms.op.RevokeOp;
import io.kekvault.kms.op.RewrapOp;
import io.kekvault.kms.op.UnwrapOp;
import io.kekvault.kms.op.WrapOp;
import io.kekvault.kms.server.kmip.KmipProcessor;
import io.kekvault.kms.store.KeyRecord;
import io.kekvault.kms.store.KeyState;
import io.kekvault.kms.store.Page;
import io.kekvault.kms.store.Permission;
import io.kekvault.secret.SecretBytes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API under {@code /v1} (and the KMIP XML/JSON encodings at {@code /kmip}, added
 * by the KMIP front end). Every request is authenticated from its client certificate before its
 * body is read; every operation runs on a worker thread (never on the event loop) through the
 * {@link Dispatcher}, which audits it; every error is {@code application/problem+json}.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final String CALLER = "kekvault.caller";
    static final String JSON = "application/json";
    public static final String OPENAPI_RESOURCE = "openapi.yaml";
    /** The KMIP XML, JSON and TTLV message encodings over HTTPS (KMIP HTTPS and message-encoding profiles). */
    public static final String KMIP_PATH = "/kmip";

    private final Vertx vertx;
    private final Dispatcher dispatcher;
    private final ClientAuthenticator auth;
    private final int maxBodyBytes;
    private final Router router;

    private final CreateKeyOp create;
    private final GetKeyOp get;
    private final ListKeysOp list;
    private final ActivateOp activate;
    private final RevokeOp revoke;
    private final DestroyOp destroy;
    private final RekeyOp rekey;
    private final WrapOp wrap;
    private final UnwrapOp unwrap;
    private final RewrapOp rewrap;
    private final GrantOps.Put putGrant;
    private final GrantOps.Revoke revokeGrant;
    private final GrantOps.ListGrants listGrants;
    private final Operation<io.kekvault.kms.op.AuditQueryOp.Request, ObjectNode> auditQuery;
    private final KmipProcessor kmip;

    public HttpApi(Vertx vertx, Dispatcher dispatcher, ClientAuthenticator auth, KmsServices services, int maxBodyBytes,
                   Operation<io.kekvault.kms.op.AuditQueryOp.Request, ObjectNode> auditQuery, KmipProcessor kmip) {
        this.vertx = vertx;
        this.dispatcher = dispatcher;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.create = new CreateKeyOp(services);
        this.get = new GetKeyOp(services);
        this.list = new ListKeysOp(services);
        this.activate = new ActivateOp(services);
        this.revoke = new RevokeOp(services);
        this.destroy = new DestroyOp(services);
        this.rekey = new RekeyOp(services);
        this.wrap = new WrapOp(services);
        this.unwrap = new UnwrapOp(services);
        this.rewrap = new RewrapOp(services);
        this.putGrant = new GrantOps.Put(services);
        this.revokeGrant = new GrantOps.Revoke(services);
        this.listGrants = new GrantOps.ListGrants(services);
        this.auditQuery = auditQuery;
        this.kmip = kmip;
        this.router = build();
    }

    public Router router() {
        return router;
    }

    private Router build() {
        Router r = Router.router(vertx);
        r.route().handler(this::authenticate);
        r.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes).setHandleFileUploads(false));
        r.route().handler(this::requireJsonBody);

        r.post("/v1/keys").handler(c -> run(c, create, 201, () -> createRequest(c), k -> JsonCodec.key(k).toString()));
        r.get("/v1/keys").handler(c -> run(c, list, 200, () -> listRequest(c), this::page));
        r.get("/v1/keys/:id").handler(c -> run(c, get, 200, () -> c.pathParam("id"), k -> JsonCodec.key(k).toString()));
        r.delete("/v1/keys/:id").handler(c -> run(c, destroy, 200, () -> c.pathParam("id"), k -> JsonCodec.key(k).toString()));
        r.post("/v1/keys/:id/activate").handler(c -> run(c, activate, 200, () -> noBody(c, c.pathParam("id")),
                k -> JsonCodec.key(k).toString()));
        r.post("/v1/keys/:id/rotate").handler(c -> run(c, rekey, 201, () -> noBody(c, c.pathParam("id")),
                k -> JsonCodec.key(k).toString()));
        r.post("/v1/keys/:id/revoke").handler(c -> run(c, revoke, 200, () -> revokeRequest(c), k -> JsonCodec.key(k).toString()));
        r.get("/v1/keys/:id/grants").handler(c -> run(c, listGrants, 200, () -> c.pathParam("id"), gs -> {
            ObjectNode n = JsonCodec.MAPPER.createObjectNode();
            ArrayNode a = n.putArray("items");
            gs.forEach(g -> a.add(JsonCodec.grant(g)));
            return n.toString();
        }));
        r.put("/v1/keys/:id/grants/:identity").handler(c -> run(c, putGrant, 200, () -> grantRequest(c),
                g -> JsonCodec.grant(g).toString()));
        r.delete("/v1/keys/:id/grants/:identity").handler(c -> run(c, revokeGrant, 200,
                () -> new GrantOps.RevokeRequest(c.pathParam("id"), c.pathParam("identity")),
                removed -> "{\"removed\":" + removed + "}"));

        r.post("/v1/wrap").handler(this::wrap);
        r.post("/v1/unwrap").handler(this::unwrap);
        r.post("/v1/rewrap").handler(this::rewrap);
        r.get("/v1/audit").handler(c -> run(c, auditQuery, 200, () -> auditRequest(c), ObjectNode::toString));
        r.get("/v1/openapi.yaml").handler(this::openapi);
        r.post(KMIP_PATH).handler(this::kmip);

        r.route().last().handler(c -> Problems.send(c.response(), 404, "item_not_found",
                "no such resource: " + c.request().method() + " " + c.normalizedPath(), requestId(c)));
        r.route().failureHandler(this::failure);
        return r;
    }

    // ------------------------------------------------------------------ plumbing

    private static String requestId(RoutingContext c) {
        Caller caller = c.get(CALLER);
        return caller == null ? c.get("kekvault.requestId") : caller.requestId();
    }

    /** Authenticates from the TLS session before the body is read; refusals are audited. */
    private void authenticate(RoutingContext c) {
        String rid = UUID.randomUUID().toString();
        c.put("kekvault.requestId", rid);
        SSLSession session = c.request().connection().sslSession();
        try {
            c.put(CALLER, auth.authenticate(session, rid, "https"));
            c.response().putHeader("X-Request-Id", rid);
            c.next();
        } catch (KmsException e) {
            String who = "unauthenticated";
            dispatcher.refuse(operationName(c), new Caller(who, Role.AUDITOR, rid, "https"), e);
            c.request().pause();
            Problems.send(c.response().putHeader("Connection", "close"), e, rid);
        }
    }

    private static String operationName(RoutingContext c) {
        return c.request().method() + " " + c.normalizedPath();
    }

    private void requireJsonBody(RoutingContext c) {
        if (KMIP_PATH.equals(c.normalizedPath())) {
            c.next(); // KMIP messages name their own encoding
            return;
        }
        HttpMethod m = c.request().method();
        if ((m == HttpMethod.POST || m == HttpMethod.PUT) && c.body() != null && c.body().length() > 0) {
            String ct = c.request().getHeader("Content-Type");
            if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith(JSON)) {
                Problems.send(c.response(), 415, "invalid_message", "request bodies are application/json", requestId(c));
                return;
            }
        }
        c.next();
    }

    private void failure(RoutingContext c) {
        Caller caller = c.get(CALLER);
        String rid = requestId(c);
        if (c.statusCode() == 413) {
            KmsException e = new LimitExceededException(ResultReason.SERVER_LIMIT_EXCEEDED,
                    "the request body is larger than " + maxBodyBytes + " bytes", null);
            if (caller != null) {
                dispatcher.refuse(operationName(c), caller, e);
            }
            Problems.send(c.response().putHeader("Connection", "close"), e, rid);
            return;
        }
        if (c.failure() != null) {
            log.error("event=http_handler_failed request={} path={}", rid, c.normalizedPath(), c.failure());
        }
        int status = c.statusCode() > 0 ? c.statusCode() : 500;
        Problems.send(c.response(), status, status == 500 ? "general_failure" : "invalid_message",
                status == 500 ? "general failure, see server log ref=" + rid : Problems.title(status), rid);
    }

    @FunctionalInterface
    interface Parse<Q> {
        Q get() throws KmsException;
    }

    /**
     * Runs {@code op} on a worker thread with the request parsed there (so a malformed request is
     * refused and audited like any other), then answers on the event loop.
     */
    private <Q, R> void run(RoutingContext c, Operation<Q, R> op, int status, Parse<Q> parse, Function<R, String> render) {
        Caller caller = c.get(CALLER);
        vertx.<String>executeBlocking(() -> render.apply(dispatcher.runParsed(op, caller, parse::get)), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        c.response().setStatusCode(status).putHeader("Content-Type", JSON).end(ar.result());
                    } else {
                        answerFailure(c, caller, ar.cause());
                    }
                });
    }

    private static void answerFailure(RoutingContext c, Caller caller, Throwable t) {
        if (t instanceof KmsException e) {
            Problems.send(c.response(), e, caller.requestId());
        } else {
            log.error("event=http_worker_failed request={}", caller.requestId(), t);
            Problems.send(c.response(), 500, "general_failure", "general failure, see server log ref=" + caller.requestId(),
                    caller.requestId());
        }
    }

    private static byte[] body(RoutingContext c) {
        return c.body() == null || c.body().buffer() == null ? new byte[0] : c.body().buffer().getBytes();
    }

    /** Zero the request body once DEKs were decoded from it. */
    private static void wipeBody(RoutingContext c) {
        if (c.body() != null && c.body().buffer() != null) {
            Buffer b = c.body().buffer();
            for (int i = 0; i < b.length(); i++) {
                b.setByte(i, (byte) 0);
            }
        }
    }

    private static <T> T noBody(RoutingContext c, T value) throws InvalidRequestException {
        byte[] b = body(c);
        if (b.length > 0) {
            JsonCodec.onlyFields(JsonCodec.object(b), Set.of());
        }
        return value;
    }

    // ------------------------------------------------------------------ request decoding

    private static CreateKeyOp.Request createRequest(RoutingContext c) throws KmsException {
        ObjectNode n = JsonCodec.object(body(c));
        JsonCodec.onlyFields(n, Set.of("name", "names", "algorithm", "lengthBits", "usageMask", "activate",
                "extractable", "attributes"));
        List<String> names = new ArrayList<>();
        String one = JsonCodec.text(n, "name");
        if (one != null) {
            names.add(one);
        }
        List<String> more = JsonCodec.strings(n, "names");
        if (more != null) {
            names.addAll(more);
        }
        Boolean activateNow = JsonCodec.bool(n, "activate");
        return new CreateKeyOp.Request("SYMMETRIC_KEY", JsonCodec.text(n, "algorithm"), JsonCodec.integer(n, "lengthBits"),
                JsonCodec.integer(n, "usageMask"), names, null, activateNow == null || activateNow,
                JsonCodec.bool(n, "extractable"), JsonCodec.textAttributes(n, "attributes"));
    }

    private static ListKeysOp.Request listRequest(RoutingContext c) throws KmsException {
        Set<String> allowed = Set.of("state", "name", "owner", "algorithm", "cursor", "limit");
        for (String p : c.queryParams().names()) {
            if (!allowed.contains(p)) {
                throw JsonCodec.invalid("unknown query parameter '" + p + "' (allowed: " + new java.util.TreeSet<>(allowed) + ")");
            }
        }
        Set<KeyState> states = null;
        String st = c.queryParams().get("state");
        if (st != null) {
            states = EnumSet.noneOf(KeyState.class);
            for (String s : st.split(",")) {
                states.add(parseState(s));
            }
        }
        int limit = 100;
        String l = c.queryParams().get("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw JsonCodec.invalid("limit must be an integer 1..1000");
            }
            if (limit < 1 || limit > 1000) {
                throw JsonCodec.invalid("limit must be an integer 1..1000");
            }
        }
        return new ListKeysOp.Request(states, c.queryParams().get("name"), c.queryParams().get("owner"),
                c.queryParams().get("algorithm"), c.queryParams().get("cursor"), limit);
    }

    static KeyState parseState(String s) throws InvalidRequestException {
        String norm = s.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
        try {
            return KeyState.valueOf(norm.equals("PREACTIVE") ? "PRE_ACTIVE" : norm);
        } catch (IllegalArgumentException e) {
            throw JsonCodec.invalid("unknown state '" + s + "' (pre-active, active, deactivated, compromised, destroyed)");
        }
    }

    private String page(Page<KeyRecord> p) {
        ObjectNode n = JsonCodec.MAPPER.createObjectNode();
        ArrayNode items = n.putArray("items");
        p.items().forEach(k -> items.add(JsonCodec.key(k)));
        if (p.nextCursor() != null) {
            n.put("nextCursor", p.nextCursor());
        }
        return n.toString();
    }

    private static RevokeOp.Request revokeRequest(RoutingContext c) throws KmsException {
        ObjectNode n = JsonCodec.object(body(c));
        JsonCodec.onlyFields(n, Set.of("reason", "message", "compromiseOccurrenceDate"));
        String reason = JsonCodec.text(n, "reason");
        return new RevokeOp.Request(c.pathParam("id"),
                reason == null ? null : reason.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_'),
                JsonCodec.text(n, "message"), JsonCodec.instant(n, "compromiseOccurrenceDate"));
    }

    private static GrantOps.PutRequest grantRequest(RoutingContext c) throws KmsException {
        ObjectNode n = JsonCodec.object(body(c));
        JsonCodec.onlyFields(n, Set.of("permissions"));
        List<String> perms = JsonCodec.strings(n, "permissions");
        if (perms == null) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "'permissions' is required, e.g. [\"wrap\", \"unwrap\"]", null);
        }
        Set<Permission> set = EnumSet.noneOf(Permission.class);
        for (String p : perms) {
            try {
                set.add(Permission.valueOf(p.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw JsonCodec.invalid("unknown permission '" + p + "' (" + EnumSet.allOf(Permission.class).stream()
                        .map(x -> x.name().toLowerCase(Locale.ROOT)).toList() + ")");
            }
        }
        return new GrantOps.PutRequest(c.pathParam("id"), c.pathParam("identity"), set);
    }

    private static io.kekvault.kms.op.AuditQueryOp.Request auditRequest(RoutingContext c) throws KmsException {
        return io.kekvault.kms.op.AuditQueryOp.Request.fromQuery(c.queryParams()::get, c.queryParams().names());
    }

    // ------------------------------------------------------------------ wrap / unwrap / rewrap

    private void wrap(RoutingContext c) {
        Caller caller = c.get(CALLER);
        byte[] body = body(c);
        wipeBody(c);
        vertx.<byte[]>executeBlocking(() -> {
            JsonCodec.DekRequest[] holder = new JsonCodec.DekRequest[1];
            List<SecretBytes> deks = new ArrayList<>();
            try {
                List<byte[]> out = dispatcher.runParsed(wrap, caller, () -> {
                    JsonCodec.DekRequest d = JsonCodec.dekRequest(body, Set.of("dek", "aad"), Set.of("dek"), true);
                    holder[0] = d;
                    if (d.keyId() == null) {
                        throw new InvalidRequestException(ResultReason.MISSING_DATA, "'keyId' is required", null);
                    }
                    List<WrapOp.Item> items = new ArrayList<>();
                    for (Map<String, byte[]> m : d.items()) {
                        SecretBytes dek = SecretBytes.adopt(m.remove("dek"));
                        deks.add(dek);
                        items.add(new WrapOp.Item(dek, m.get("aad")));
                    }
                    return new WrapOp.Request(d.keyId(), items);
                });
                List<Map<String, Object>> items = new ArrayList<>();
                for (byte[] w : out) {
                    items.add(Map.of("wrapped", w));
                }
                return JsonCodec.dekResponse(holder[0].batch(), items);
            } finally {
                deks.forEach(SecretBytes::close);
                SecretBytes.wipe(body);
                if (holder[0] != null) {
                    holder[0].wipe();
                }
            }
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                c.response().setStatusCode(200).putHeader("Content-Type", JSON).end(Buffer.buffer(ar.result()));
                SecretBytes.wipe(ar.result());
            } else {
                answerFailure(c, caller, ar.cause());
            }
        });
    }

    private void unwrap(RoutingContext c) {
        Caller caller = c.get(CALLER);
        byte[] body = body(c);
        wipeBody(c);
        vertx.<byte[]>executeBlocking(() -> {
            JsonCodec.DekRequest[] holder = new JsonCodec.DekRequest[1];
            List<SecretBytes> deks = List.of();
            try {
                deks = dispatcher.runParsed(unwrap, caller, () -> {
                    JsonCodec.DekRequest d = JsonCodec.dekRequest(body, Set.of("wrapped", "aad"), Set.of("wrapped"), false);
                    holder[0] = d;
                    List<UnwrapOp.Item> items = new ArrayList<>();
                    for (Map<String, byte[]> m : d.items()) {
                        items.add(new UnwrapOp.Item(m.get("wrapped"), m.get("aad")));
                    }
                    return new UnwrapOp.Request(items);
                });
                List<Map<String, Object>> items = new ArrayList<>();
                for (int i = 0; i < deks.size(); i++) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("keyId", io.kekvault.kms.vault.WrappedKeyFormat.keyIdOf(holder[0].items().get(i).get("wrapped")));
                    m.put("dek", deks.get(i).expose());
                    items.add(m);
                }
                return JsonCodec.dekResponse(holder[0].batch(), items);
            } finally {
                deks.forEach(SecretBytes::close);
                SecretBytes.wipe(body);
                if (holder[0] != null) {
                    holder[0].wipe();
                }
            }
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                c.response().setStatusCode(200).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store")
                        .end(Buffer.buffer(ar.result()));
                SecretBytes.wipe(ar.result());
            } else {
                answerFailure(c, caller, ar.cause());
            }
        });
    }

    private void rewrap(RoutingContext c) {
        Caller caller = c.get(CALLER);
        byte[] body = body(c);
        vertx.<byte[]>executeBlocking(() -> {
            JsonCodec.DekRequest[] holder = new JsonCodec.DekRequest[1];
            List<byte[]> out = dispatcher.runParsed(rewrap, caller, () -> {
                JsonCodec.DekRequest d = JsonCodec.dekRequest(body, Set.of("wrapped", "aad", "newAad"), Set.of("wrapped"), true);
                holder[0] = d;
                if (d.keyId() == null) {
                    throw new InvalidRequestException(ResultReason.MISSING_DATA, "'keyId' (the new KEK) is required", null);
                }
                List<RewrapOp.Item> items = new ArrayList<>();
                for (Map<String, byte[]> m : d.items()) {
                    items.add(new RewrapOp.Item(m.get("wrapped"), m.get("aad"), m.get("newAad")));
                }
                return new RewrapOp.Request(d.keyId(), items);
            });
            List<Map<String, Object>> items = new ArrayList<>();
            for (byte[] w : out) {
                items.add(Map.of("wrapped", w));
            }
            return JsonCodec.dekResponse(holder[0].batch(), items);
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                c.response().setStatusCode(200).putHeader("Content-Type", JSON).end(Buffer.buffer(ar.result()));
            } else {
                answerFailure(c, caller, ar.cause());
            }
        });
    }

    // ------------------------------------------------------------------ KMIP over HTTPS

    /**
     * One KMIP request message in the encoding its Content-Type names (text/xml, application/json,
     * application/octet-stream), answered in the same encoding by the same processor as port
     * 5696. KMIP failures are KMIP responses (HTTP 200); only transport problems are problem+json.
     */
    private void kmip(RoutingContext c) {
        Caller caller = c.get(CALLER);
        var encoding = io.kekvault.kmip.message.MessageEncoding.forMediaType(c.request().getHeader("Content-Type"));
        if (encoding.isEmpty()) {
            Problems.send(c.response(), 415, "invalid_message",
                    "KMIP messages are text/xml, application/json or application/octet-stream", caller.requestId());
            return;
        }
        byte[] body = body(c);
        wipeBody(c);
        vertx.<byte[]>executeBlocking(() -> {
            try {
                return kmip.handle(body, encoding.get(), caller);
            } finally {
                SecretBytes.wipe(body);
            }
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                c.response().setStatusCode(200).putHeader("Content-Type", encoding.get().mediaType())
                        .putHeader("Cache-Control", "no-store").end(Buffer.buffer(ar.result()));
                SecretBytes.wipe(ar.result());
            } else {
                answerFailure(c, caller, ar.cause());
            }
        });
    }

    // ------------------------------------------------------------------ OpenAPI

    public static String openapiDocument() {
        try (InputStream in = HttpApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml missing from the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void openapi(RoutingContext c) {
        c.response().putHeader("Content-Type", "application/yaml").end(openapiDocument());
    }
}
