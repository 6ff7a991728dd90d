package io.kekvault.kms.op;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kms.access.Role;
import io.kekvault.kms.audit.AuditLog;
import io.kekvault.kms.audit.AuditOrder;
import io.kekvault.kms.audit.AuditPage;
import io.kekvault.kms.audit.AuditQuery;
import io.kekvault.kms.audit.AuditRecord;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;

/** Audit query (admins and auditors): this node's records with filters and paging. */
public final class AuditQueryOp implements Operation<AuditQueryOp.Request, ObjectNode> {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Request(AuditQuery query) {
        private static final Set<String> PARAMS = Set.of("keyId", "identity", "operation", "result", "from", "to",
                "order", "cursor", "limit");

        /** From query parameters; unknown or malformed ones are refused. */
        public static Request fromQuery(Function<String, String> param, Set<String> names) throws InvalidRequestException {
            for (String n : names) {
                if (!PARAMS.contains(n)) {
                    throw invalid("unknown query parameter '" + n + "' (allowed: " + new java.util.TreeSet<>(PARAMS) + ")");
                }
            }
            AuditQuery.Builder b = AuditQuery.builder()
                    .keyId(param.apply("keyId")).identity(param.apply("identity"))
                    .operation(param.apply("operation")).result(param.apply("result"))
                    .from(instant(param.apply("from"), "from")).to(instant(param.apply("to"), "to"));
            String order = param.apply("order");
            if (order != null) {
                b.order(switch (order) {
                    case "newest" -> AuditOrder.NEWEST_FIRST;
                    case "oldest" -> AuditOrder.OLDEST_FIRST;
                    default -> throw invalid("order must be newest or oldest");
                });
            }
            try {
                String c = param.apply("cursor");
                if (c != null) {
                    b.cursor(Long.parseLong(c));
                }
                String l = param.apply("limit");
                if (l != null) {
                    b.limit(Integer.parseInt(l));
                }
                return new Request(b.build());
            } catch (IllegalArgumentException e) {
                throw invalid("bad cursor or limit: " + e.getMessage());
            }
        }

        private static Instant instant(String s, String name) throws InvalidRequestException {
            if (s == null) {
                return null;
            }
            try {
                return Instant.parse(s);
            } catch (java.time.format.DateTimeParseException e) {
                throw invalid("'" + name + "' must be an ISO-8601 instant");
            }
        }

        private static InvalidRequestException invalid(String m) {
            return new InvalidRequestException(ResultReason.INVALID_FIELD, m, null);
        }
    }

    private final AuditLog log;

    public AuditQueryOp(AuditLog log) {
        this.log = log;
    }

    @Override
    public String name() {
        return "AuditQuery";
    }

    @Override
    public ObjectNode handle(OpContext ctx, Request r) throws KmsException {
        KeyAccess.requireRole(ctx.caller(), Role.ADMIN, Role.AUDITOR);
        AuditPage page = log.query(r.query());
        ObjectNode n = JSON.createObjectNode();
        n.put("node", log.nodeId());
        ArrayNode items = n.putArray("items");
        for (AuditRecord a : page.records()) {
            ObjectNode o = items.addObject();
            o.put("sequence", a.sequence());
            o.put("time", a.time().toString());
            o.put("node", a.node());
            o.put("identity", a.identity());
            o.put("operation", a.operation());
            o.put("keyId", a.keyId());
            o.put("result", a.result());
            o.put("requestId", a.requestId());
            o.put("detail", a.detail());
            o.put("hash", a.hash());
        }
        if (page.nextCursor() != null) {
            n.put("nextCursor", String.valueOf(page.nextCursor()));
        }
        return n;
    }
}
