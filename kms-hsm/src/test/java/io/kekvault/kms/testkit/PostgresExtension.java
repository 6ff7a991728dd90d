package io.kekvault.kms.testkit;

import io.kekvault.kms.dev.PostgresDatabase;
import io.kekvault.kms.dev.PostgresServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a real PostgreSQL server ({@link PostgresServer}) for the test class, with
 * one database made for the class; both are handed to tests and lifecycle methods as parameters
 * ({@link PostgresServer}, {@link PostgresDatabase}). Stopped and removed after the class.
 * Nested classes share the enclosing class's server. Missing PostgreSQL fails the class loudly.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (find(context, "server") != null) {
            return;
        }
        PostgresServer server = PostgresServer.launch();
        context.getStore(NS).put("server", server);
        context.getStore(NS).put("database", server.createDatabase(context.getRequiredTestClass().getSimpleName()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PostgresServer server = (PostgresServer) context.getStore(NS).remove("server");
        context.getStore(NS).remove("database");
        if (server != null) {
            server.close();
        }
    }

    private static Object find(ExtensionContext context, String key) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Object v = c.getStore(NS).get(key);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == PostgresServer.class || t == PostgresDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Object v = find(e, p.getParameter().getType() == PostgresServer.class ? "server" : "database");
        if (v == null) {
            throw new ParameterResolutionException("no PostgreSQL server: is the class annotated @ExtendWith(PostgresExtension.class)?");
        }
        return v;
    }
}
