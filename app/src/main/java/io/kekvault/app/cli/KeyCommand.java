package io.kekvault.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kekvault.kmip.error.KmsException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kekvault key ...}: key operations for operators, over the KMS HTTP API with mutual TLS. */
@Command(name = "key", description = "Key operations over the KMS API (mutual TLS).",
        subcommands = {KeyCommand.Create.class, KeyCommand.ListKeys.class, KeyCommand.Show.class, KeyCommand.Rotate.class,
            KeyCommand.Revoke.class, KeyCommand.Destroy.class, KeyCommand.Grant.class, KeyCommand.Ungrant.class})
public final class KeyCommand {
    static final ObjectMapper JSON = new ObjectMapper();

    abstract static class Base implements Callable<Integer> {
        @Mixin ClientOptions client;

        abstract JsonNode run() throws Exception;

        @Override
        public Integer call() throws Exception {
            try {
                System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run()));
                return 0;
            } catch (KmsException e) {
                System.err.println("error: " + e.errorCode() + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a KEK in the HSM.")
    static final class Create extends Base {
        @Option(names = "--name") String name;
        @Option(names = "--length", defaultValue = "256") int length;
        @Option(names = "--pre-active", description = "create without activating") boolean preActive;
        @Option(names = "--extractable", description = "ask for an extractable key (export policy permitting)") boolean extractable;

        @Override
        JsonNode run() throws Exception {
            ObjectNode n = JSON.createObjectNode().put("algorithm", "AES").put("lengthBits", length).put("activate", !preActive);
            if (name != null) {
                n.put("name", name);
            }
            if (extractable) {
                n.put("extractable", true);
            }
            return client.httpClient().createKey(n);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys you may see.")
    static final class ListKeys extends Base {
        @Option(names = "--state") String state;
        @Option(names = "--name") String name;
        @Option(names = "--limit", defaultValue = "100") int limit;
        @Option(names = "--cursor") String cursor;

        @Override
        JsonNode run() throws Exception {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("state", state);
            q.put("name", name);
            q.put("limit", Integer.toString(limit));
            q.put("cursor", cursor);
            return client.httpClient().listKeys(q);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a key's metadata.")
    static final class Show extends Base {
        @Parameters(paramLabel = "KEY_ID") String id;

        @Override
        JsonNode run() throws Exception {
            return client.httpClient().getKey(id);
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Rotate: a new KEK linked to the old one.")
    static final class Rotate extends Base {
        @Parameters(paramLabel = "KEY_ID") String id;

        @Override
        JsonNode run() throws Exception {
            return client.httpClient().rotate(id);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke (deactivate, or mark compromised).")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "KEY_ID") String id;
        @Option(names = "--reason", defaultValue = "unspecified",
                description = "unspecified, key_compromise, ca_compromise, superseded, cessation_of_operation, ...") String reason;
        @Option(names = "--message") String message;

        @Override
        JsonNode run() throws Exception {
            return client.httpClient().revoke(id, reason, message);
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true, description = "Destroy the HSM object (key must be revoked first).")
    static final class Destroy extends Base {
        @Parameters(paramLabel = "KEY_ID") String id;

        @Override
        JsonNode run() throws Exception {
            return client.httpClient().destroy(id);
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Let an identity use a key.")
    static final class Grant extends Base {
        @Parameters(index = "0", paramLabel = "KEY_ID") String id;
        @Parameters(index = "1", paramLabel = "IDENTITY") String identity;
        @Option(names = "--permissions", split = ",", defaultValue = "wrap,unwrap") List<String> permissions;

        @Override
        JsonNode run() throws Exception {
            return client.httpClient().putGrant(id, identity, permissions);
        }
    }

    @Command(name = "ungrant", mixinStandardHelpOptions = true, description = "Remove an identity's grant.")
    static final class Ungrant extends Base {
        @Parameters(index = "0", paramLabel = "KEY_ID") String id;
        @Parameters(index = "1", paramLabel = "IDENTITY") String identity;

        @Override
        JsonNode run() throws Exception {
            return JSON.createObjectNode().put("removed", client.httpClient().revokeGrant(id, identity));
        }
    }
}
