package io.kekvault.kms.testkit;

import io.kekvault.kms.vault.softhsm.SoftHsm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a fresh SoftHSM2 token in a temporary directory for each test class, with
 * its own {@code SOFTHSM2_CONF}, handed to tests as a {@link SoftHsmToken} parameter and removed
 * afterwards. SoftHSM reads its configuration once per process, so test classes that use this
 * run in their own JVM (surefire {@code reuseForks=false}); a second token configuration in the
 * same JVM fails loudly instead of silently sharing state. A missing SoftHSM2 fails the class:
 * these tests are never skipped.
 */
public final class SoftHsmExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SoftHsmExtension.class);
    private static Path activeConf;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (context.getStore(NS).get("token") != null || findToken(context) != null) {
            return; // nested class: share the enclosing class's token
        }
        SoftHsm.requireInstalled();
        Path dir = Files.createTempDirectory("kekvault-softhsm-");
        Path conf = SoftHsm.writeConfig(dir);
        synchronized (SoftHsmExtension.class) {
            if (activeConf != null && !activeConf.equals(conf)) {
                throw new IllegalStateException("SoftHSM2 is already initialised with " + activeConf
                        + " in this JVM; run each SoftHSM test class in its own JVM (surefire reuseForks=false)");
            }
            activeConf = conf;
        }
        SoftHsmToken token = SoftHsmToken.initialize(dir, conf);
        System.out.println("[softhsm] token " + token.label() + " in " + dir);
        context.getStore(NS).put("token", token);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        SoftHsmToken token = (SoftHsmToken) context.getStore(NS).remove("token");
        if (token == null) {
            return;
        }
        token.closeAll();
        try (Stream<Path> walk = Files.walk(token.dir())) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static SoftHsmToken findToken(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Object t = c.getStore(NS).get("token");
            if (t != null) {
                return (SoftHsmToken) t;
            }
        }
        return null;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        return p.getParameter().getType() == SoftHsmToken.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        SoftHsmToken t = findToken(e);
        if (t == null) {
            throw new ParameterResolutionException("no SoftHSM token: is the class annotated @ExtendWith(SoftHsmExtension.class)?");
        }
        return t;
    }
}
