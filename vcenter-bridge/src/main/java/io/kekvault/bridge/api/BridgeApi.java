package io.kekvault.bridge.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.bridge.auth.Authenticator;
import io.kekvault.bridge.auth.Principal;
import io.kekvault.bridge.auth.Privilege;
import io.kekvault.bridge.inventory.Inventory;
import io.kekvault.bridge.inventory.KeyRef;
import io.kekvault.bridge.inventory.KmsEndpoint;
import io.kekvault.bridge.inventory.Names;
import io.kekvault.bridge.provider.KekService;
import io.kekvault.bridge.provider.OperationLog;
import io.kekvault.bridge.provider.ProviderAdmin;
import io.kekvault.bridge.store.Database;
import io.kekvault.bridge.task.TaskKind;
import io.kekvault.bridge.task.TaskManager;
import io.kekvault.bridge.task.TaskRecord;
import io.kekvault.bridge.task.TaskState;
import io.kekvault.bridge.task.TaskStore;
import io.kekvault.kmip.error.AuthenticationException;
import io.kekvault.kmip.error.ConflictException;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.LimitExceededException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' REST API under {@code /api/v1} (described by {@code /api/v1/openapi.yaml}).
 *
 * <p>Every request but the OpenAPI document is authenticated (bearer token or client
 * certificate) before its body is read. Tasks answer 202 with the task record; a refused task
 * answers problem+json with the status of its reason and the {@code taskId} of its record.
 * Handlers run on worker threads, never on the event loop. Every error is problem+json.
 */
public final class BridgeApi {
    private static final Logger log = LoggerFactory.getLogger(BridgeApi.class);
    public static final String PREFIX = "/api/v1";
    public static final String OPENAPI_RESOURCE = "openapi.yaml";
    static final int MAX_BODY = 256 * 1024;
    private static final String WHO = "kekvault.principal";
    private static final String RID = "kekvault.requestId";

    private final Vertx vertx;
    private final Database db;
    private final TaskManager tasks;
    private final ProviderAdmin providers;
    private final KekService keks;
    private final Authenticator auth;
    private final Router router;

    public BridgeApi(Vertx vertx, Database db, TaskManager tasks, ProviderAdmin providers, KekService keks, Authenticator auth) {
        this.vertx = vertx;
        this.db = db;
        this.tasks = tasks;
        this.providers = providers;
        this.keks = keks;
        this.auth = auth;
        this.router = build();
    }

    public Router router() {
        return router;
    }

    /** "METHOD /path" of every API route, path parameters written {name} (for the OpenAPI check). */
    public List<String> routes() {
        List<String> out = new ArrayList<>();
        for (var r : router.getRoutes()) {
            if (r.getPath() == null || r.methods() == null || r.methods().isEmpty()) {
                continue;
            }
            String p = r.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
            r.methods().forEach(m -> out.add(m.name() + " " + p));
        }
        return out;
    }

    @FunctionalInterface
    private interface Action {
        Reply handle(RoutingContext c, Principal who, ObjectNode body) throws SQLException, KmsException;
    }

    private record Reply(int status, JsonNode body) {
    }

    private static Reply ok(JsonNode body) {
        return new Reply(200, body);
    }

    private Router build() {
        Router r = Router.router(vertx);
        r.route().handler(c -> {
            c.put(RID, UUID.randomUUID().toString());
            c.response().putHeader("X-Request-Id", (String) c.get(RID));
            c.next();
        });
        r.get(PREFIX + "/openapi.yaml").handler(this::openapi);
        r.route(PREFIX + "/*").handler(this::authenticate);
        r.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY).setHandleFileUploads(false));

        String p = PREFIX;
        r.get(p + "/session").blockingHandler(h((c, who, b) -> ok(Views.session(who))), false);

        r.get(p + "/datacenters").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::datacenters).stream().map(Views::datacenter).toList()));
        }), false);
        r.post(p + "/datacenters").blockingHandler(h(this::createDatacenter), false);
        r.get(p + "/clusters").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::clusters).stream().map(Views::cluster).toList()));
        }), false);
        r.post(p + "/clusters").blockingHandler(h(this::createCluster), false);

        r.get(p + "/hosts").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::hosts).stream().map(Views::host).toList()));
        }), false);
        r.post(p + "/hosts").blockingHandler(h((c, who, b) -> task(who, TaskKind.ADD_HOST, b)), false);
        r.delete(p + "/hosts/:host").blockingHandler(h((c, who, b) ->
                task(who, TaskKind.REMOVE_HOST, Views.JSON.createObjectNode().put("host", c.pathParam("host")))), false);

        r.get(p + "/storage-policies").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::policies).stream().map(Views::policy).toList()));
        }), false);

        r.get(p + "/key-providers").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::providers).stream().map(Views::provider).toList()));
        }), false);
        r.post(p + "/key-providers").blockingHandler(h(this::addProvider), false);
        r.get(p + "/key-providers/:name").blockingHandler(h((c, who, b) -> {
            read(who);
            String n = c.pathParam("name");
            return ok(Views.provider(db.read(x -> Inventory.provider(x, n)).orElseThrow(
                    () -> new NotFoundException("key provider '" + Names.printable(n) + "' does not exist"))));
        }), false);
        r.delete(p + "/key-providers/:name").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "remove a key provider");
            providers.remove(c.pathParam("name"));
            return new Reply(204, null);
        }), false);
        r.put(p + "/key-providers/:name/endpoints").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "change a key provider");
            return ok(Views.provider(providers.setEndpoints(c.pathParam("name"), endpoints(b))));
        }), false);
        r.post(p + "/key-providers/:name/default").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "change the default key provider");
            return ok(Views.provider(providers.makeDefault(c.pathParam("name"))));
        }), false);
        r.post(p + "/key-providers/:name/csr").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "make a CSR for a key provider");
            String pem = providers.csr(c.pathParam("name"), b.path("commonName").asText(null));
            return ok(Views.JSON.createObjectNode().put("provider", c.pathParam("name")).put("csr", pem));
        }), false);
        r.put(p + "/key-providers/:name/certificate").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "install a key provider certificate");
            return ok(Views.provider(providers.install(c.pathParam("name"), b.path("certificate").asText(null), b.path("ca").asText(null))));
        }), false);
        r.post(p + "/key-providers/:name/check").blockingHandler(h((c, who, b) -> {
            manageProviders(who, "check a key provider");
            ArrayNode a = Views.JSON.createArrayNode();
            for (KekService.EndpointCheck e : providers.check(c.pathParam("name"))) {
                a.addObject().put("kmip", e.kmip()).put("https", e.https()).put("kmipOk", e.kmipOk()).put("kmipDetail", e.kmipDetail())
                        .put("httpsOk", e.httpsOk()).put("httpsDetail", e.httpsDetail());
            }
            ObjectNode n = Views.JSON.createObjectNode().put("provider", c.pathParam("name"));
            n.set("endpoints", a);
            return ok(n);
        }), false);

        r.get(p + "/keys").blockingHandler(h(this::keys), false);

        r.get(p + "/vms").blockingHandler(h((c, who, b) -> {
            read(who);
            return ok(items(db.read(Inventory::vms).stream().map(v -> Views.vm(v, who)).toList()));
        }), false);
        r.post(p + "/vms").blockingHandler(h((c, who, b) -> task(who, TaskKind.CREATE_VM, b)), false);
        r.get(p + "/vms/:vm").blockingHandler(h((c, who, b) -> {
            read(who);
            String n = c.pathParam("vm");
            return ok(Views.vm(db.read(x -> Inventory.vm(x, n)).orElseThrow(
                    () -> new NotFoundException("VM '" + Names.printable(n) + "' is not in the inventory")), who));
        }), false);
        r.post(p + "/vms/:vm/encrypt").blockingHandler(h((c, who, b) -> task(who, TaskKind.ENCRYPT_VM, withVm(c, b))), false);
        r.post(p + "/vms/:vm/decrypt").blockingHandler(h((c, who, b) -> task(who, TaskKind.DECRYPT_VM, withVm(c, b))), false);
        r.post(p + "/vms/:vm/decrypt-home").blockingHandler(h((c, who, b) -> task(who, TaskKind.DECRYPT_HOME, withVm(c, b))), false);
        r.post(p + "/vms/:vm/disks/:disk/decrypt").blockingHandler(h((c, who, b) ->
                task(who, TaskKind.DECRYPT_DISK, withVm(c, b).put("disk", c.pathParam("disk")))), false);
        r.post(p + "/vms/:vm/rekey").blockingHandler(h((c, who, b) -> {
            JsonNode deep = b.get("deep");
            if (deep != null && !deep.isBoolean()) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "deep must be true or false", null);
            }
            return task(who, deep != null && deep.asBoolean() ? TaskKind.REKEY_DEEP : TaskKind.REKEY_SHALLOW, withVm(c, b));
        }), false);
        r.post(p + "/vms/:vm/move").blockingHandler(h((c, who, b) -> task(who, TaskKind.MOVE_VM, withVm(c, b))), false);
        r.post(p + "/vms/:vm/power-on").blockingHandler(h((c, who, b) -> task(who, TaskKind.POWER_ON, withVm(c, b))), false);
        r.post(p + "/vms/:vm/power-off").blockingHandler(h((c, who, b) -> task(who, TaskKind.POWER_OFF, withVm(c, b))), false);
        r.put(p + "/vms/:vm/policy").blockingHandler(h((c, who, b) -> task(who, TaskKind.APPLY_POLICY, withVm(c, b))), false);

        r.get(p + "/tasks").blockingHandler(h(this::listTasks), false);
        r.get(p + "/tasks/:id").blockingHandler(h((c, who, b) -> {
            read(who);
            String id = c.pathParam("id");
            TaskRecord t = db.read(x -> TaskStore.getWithLog(x, id)).orElseThrow(
                    () -> new NotFoundException("task '" + Names.printable(id) + "' does not exist"));
            return ok(Views.task(t, who));
        }), false);

        r.route().last().handler(c -> Problems.send(c.response(), 404, Problems.body(404, "item_not_found",
                "no such resource: " + c.request().method() + " " + c.normalizedPath(), c.get(RID))));
        r.route().failureHandler(this::failure);
        return r;
    }

    // ------------------------------------------------------------------ plumbing

    private void openapi(RoutingContext c) {
        try (InputStream in = BridgeApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IOException("missing " + OPENAPI_RESOURCE);
            }
            c.response().putHeader("Content-Type", "application/yaml").end(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            Problems.send(c.response(), 500, Problems.body(500, "general_failure", "OpenAPI document unavailable", c.get(RID)));
        }
    }

    private void authenticate(RoutingContext c) {
        String header = c.request().getHeader("Authorization");
        String token = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        }
        String cn = null;
        SSLSession session = c.request().connection().sslSession();
        if (session != null) {
            try {
                Certificate[] peer = session.getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                    cn = commonName(x);
                }
            } catch (SSLPeerUnverifiedException ignored) {
                // no client certificate: token only
            }
        }
        try {
            Principal who = auth.authenticate(token, cn);
            c.put(WHO, who);
            c.next();
        } catch (AuthenticationException e) {
            log.info("event=api_unauthenticated path={} reason=\"{}\"", c.normalizedPath(), e.getMessage());
            c.request().pause();
            c.response().putHeader("WWW-Authenticate", "Bearer");
            Problems.send(c.response().putHeader("Connection", "close"), 401,
                    Problems.body(401, e.errorCode(), e.getMessage(), c.get(RID)));
        }
    }

    static String commonName(X509Certificate x) {
        for (String part : x.getSubjectX500Principal().getName().split(",")) {
            String t = part.trim();
            if (t.startsWith("CN=")) {
                return t.substring(3);
            }
        }
        return null;
    }

    private io.vertx.core.Handler<RoutingContext> h(Action action) {
        return c -> {
            Principal who = c.get(WHO);
            String rid = c.get(RID);
            try {
                ObjectNode body = body(c);
                Reply reply = action.handle(c, who, body);
                if (reply.status() == 204 || reply.body() == null) {
                    c.response().setStatusCode(reply.status()).end();
                } else {
                    c.response().setStatusCode(reply.status()).putHeader("Content-Type", "application/json")
                            .end(Buffer.buffer(reply.body().toString()));
                }
            } catch (KmsException e) {
                int status = Problems.status(e);
                if (status >= 500) {
                    log.warn("event=api_error path={} code={} detail=\"{}\"", c.normalizedPath(), e.errorCode(), e.getMessage());
                }
                Problems.send(c.response(), status, Problems.body(status, e.errorCode(), Views.mask(e.getMessage(), who), rid));
            } catch (Refused r) {
                Problems.send(c.response(), r.status, r.problem.put("requestId", rid));
            } catch (SQLException e) {
                log.error("event=api_db_error path={} rid={} error={}", c.normalizedPath(), rid, e.toString());
                Problems.send(c.response(), 503, Problems.body(503, "general_failure", "bridge database unavailable", rid));
            } catch (RuntimeException e) {
                log.error("event=api_internal_error path={} rid={}", c.normalizedPath(), rid, e);
                Problems.send(c.response(), 500, Problems.body(500, "general_failure", "internal error, see the bridge log ref=" + rid, rid));
            }
        };
    }

    private static ObjectNode body(RoutingContext c) throws KmsException {
        HttpMethod m = c.request().method();
        if (m != HttpMethod.POST && m != HttpMethod.PUT) {
            return Views.JSON.createObjectNode();
        }
        if (c.body() == null || c.body().length() <= 0) {
            return Views.JSON.createObjectNode();
        }
        String ct = c.request().getHeader("Content-Type");
        if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "request bodies are application/json", null);
        }
        try {
            JsonNode n = Views.JSON.readTree(c.body().buffer().getBytes());
            if (n == null || n.isNull()) {
                return Views.JSON.createObjectNode();
            }
            if (!n.isObject()) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the request body must be a JSON object", null);
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new InvalidRequestException(ResultReason.INVALID_MESSAGE, "the request body is not valid JSON", null);
        }
    }

    private void failure(RoutingContext c) {
        String rid = c.get(RID);
        if (c.statusCode() == 413) {
            KmsException e = new LimitExceededException(ResultReason.SERVER_LIMIT_EXCEEDED, "the request body is larger than " + MAX_BODY + " bytes", null);
            Problems.send(c.response().putHeader("Connection", "close"), 413, Problems.body(413, e.errorCode(), e.getMessage(), rid));
            return;
        }
        int status = c.statusCode() > 0 ? c.statusCode() : 500;
        if (status >= 500) {
            log.error("event=api_failure path={} rid={}", c.normalizedPath(), rid, c.failure());
        }
        Problems.send(c.response(), status, Problems.body(status, status == 405 ? "operation_not_supported" : "general_failure",
                status >= 500 ? "internal error, see the bridge log ref=" + rid : "request failed", rid));
    }

    private static ObjectNode items(List<? extends JsonNode> list) {
        ObjectNode n = Views.JSON.createObjectNode();
        ArrayNode a = n.putArray("items");
        list.forEach(a::add);
        return n;
    }

    private static void read(Principal who) throws KmsException {
        who.require("read the inventory", Privilege.SYSTEM_READ);
    }

    private static void manageProviders(Principal who, String action) throws KmsException {
        who.require(action, Privilege.CRYPTO_MANAGE_KEY_SERVERS);
    }

    private static ObjectNode withVm(RoutingContext c, ObjectNode b) {
        ObjectNode n = b.deepCopy();
        n.put("vm", c.pathParam("vm"));
        return n;
    }

    private Reply task(Principal who, TaskKind kind, ObjectNode params) throws SQLException, KmsException {
        TaskRecord t = tasks.submit(who, kind, params);
        if (t.state() == TaskState.REFUSED) {
            int status = Problems.status(t.errorCode());
            ObjectNode problem = Problems.body(status, t.errorCode(), Views.mask(t.errorDetail(), who), null);
            problem.put("taskId", t.id());
            throw new Refused(status, problem);
        }
        return new Reply(202, Views.task(t, who));
    }

    /** A refused task: sent as problem+json carrying the task id (not an error of the bridge). */
    private static final class Refused extends RuntimeException {
        final int status;
        final ObjectNode problem;

        Refused(int status, ObjectNode problem) {
            super(null, null, false, false);
            this.status = status;
            this.problem = problem;
        }
    }

    private Reply createDatacenter(RoutingContext c, Principal who, ObjectNode b) throws SQLException, KmsException {
        who.require("create a datacenter", Privilege.DATACENTER_CREATE);
        String name = Names.check("datacenter name", b.path("name").asText(null));
        db.tx(x -> {
            if (Inventory.datacenter(x, name).isPresent()) {
                throw new ConflictException("datacenter '" + name + "' already exists");
            }
            Inventory.insertDatacenter(x, name);
            return null;
        });
        return new Reply(201, Views.JSON.createObjectNode().put("name", name));
    }

    private Reply createCluster(RoutingContext c, Principal who, ObjectNode b) throws SQLException, KmsException {
        who.require("create a cluster", Privilege.CLUSTER_CREATE);
        String name = Names.check("cluster name", b.path("name").asText(null));
        String dc = Names.check("datacenter", b.path("datacenter").asText(null));
        db.tx(x -> {
            if (Inventory.datacenter(x, dc).isEmpty()) {
                throw new NotFoundException("datacenter '" + dc + "' does not exist");
            }
            if (Inventory.cluster(x, name).isPresent()) {
                throw new ConflictException("cluster '" + name + "' already exists");
            }
            Inventory.insertCluster(x, name, dc);
            return null;
        });
        return new Reply(201, Views.JSON.createObjectNode().put("name", name).put("datacenter", dc));
    }

    private static List<KmsEndpoint> endpoints(ObjectNode b) throws InvalidRequestException {
        JsonNode eps = b.get("endpoints");
        if (eps == null || !eps.isArray()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, "endpoints: a list of {kmip: host:port, https: URL}", null);
        }
        List<KmsEndpoint> out = new ArrayList<>();
        for (JsonNode e : eps) {
            out.add(new KmsEndpoint(e.path("kmip").asText(null), e.path("https").asText(null)));
        }
        return out;
    }

    private Reply addProvider(RoutingContext c, Principal who, ObjectNode b) throws SQLException, KmsException {
        manageProviders(who, "add a key provider");
        return new Reply(201, Views.provider(providers.add(b.path("name").asText(null), endpoints(b), b.path("default").asBoolean(false))));
    }

    private Reply keys(RoutingContext c, Principal who, ObjectNode b) throws SQLException, KmsException {
        who.require("list the keys in use", Privilege.CRYPTO_MANAGE_KEYS);
        boolean withState = "true".equals(c.request().getParam("state"));
        Map<KeyRef, List<String>> inUse = db.read(Inventory::keysInUse);
        ArrayNode a = Views.JSON.createArrayNode();
        for (var e : inUse.entrySet()) {
            ObjectNode n = a.addObject().put("provider", e.getKey().provider()).put("kekId", e.getKey().kekId());
            ArrayNode uses = n.putArray("usedBy");
            e.getValue().forEach(uses::add);
            if (withState) {
                try {
                    n.put("state", stateName(keks.state(e.getKey().provider(), e.getKey().kekId(), OperationLog.NONE)));
                } catch (KmsException ex) {
                    n.put("stateError", ex.getMessage());
                }
            }
        }
        ObjectNode out = Views.JSON.createObjectNode();
        out.set("items", a);
        return ok(out);
    }

    /** KMIP's spelling of a state, as the KMS API shows it ("Pre-Active", "Active", ...). */
    static String stateName(io.kekvault.kmip.message.State s) {
        return switch (s) {
            case PRE_ACTIVE -> "Pre-Active";
            case ACTIVE -> "Active";
            case DEACTIVATED -> "Deactivated";
            case COMPROMISED -> "Compromised";
            case DESTROYED -> "Destroyed";
            case DESTROYED_COMPROMISED -> "Destroyed Compromised";
        };
    }

    private Reply listTasks(RoutingContext c, Principal who, ObjectNode b) throws SQLException, KmsException {
        read(who);
        String target = c.request().getParam("target");
        String state = c.request().getParam("state");
        TaskState st = null;
        if (state != null) {
            try {
                st = TaskState.fromWire(state);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(ResultReason.INVALID_FIELD, "state: queued, running, succeeded, failed or refused", null);
            }
        }
        int limit;
        try {
            limit = Integer.parseInt(c.request().getParam("limit", "100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 1000) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "limit: 1 to 1000", null);
        }
        TaskState fst = st;
        int flimit = limit;
        return ok(items(db.read(x -> TaskStore.list(x, target, fst, flimit)).stream().map(t -> Views.task(t, who)).toList()));
    }
}
