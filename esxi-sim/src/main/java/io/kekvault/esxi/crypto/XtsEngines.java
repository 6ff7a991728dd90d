package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the XTS implementation: OpenSSL's libcrypto through FFM when it loads, else the pure
 * JCE engine. The choice is logged once. System property {@code kekvault.xts.engine}
 * ({@code auto}, {@code openssl}, {@code jce}) forces one; {@code kekvault.libcrypto} names the
 * library file to load instead of {@code libcrypto.so.3}.
 */
public final class XtsEngines {
    private static final Logger LOG = LoggerFactory.getLogger(XtsEngines.class);
    private static volatile XtsEngineFactory best;

    private static final XtsEngineFactory JCE = new XtsEngineFactory() {
        @Override
        public String name() {
            return "jce";
        }

        @Override
        public String description() {
            return "jce (AES/ECB/NoPadding + Java XTS tweaks, Java " + Runtime.version() + ")";
        }

        @Override
        public XtsEngine create(SecretBytes key, int dataUnitSize) {
            return new JceXtsEngine(key, dataUnitSize);
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private static final XtsEngineFactory OPENSSL = new XtsEngineFactory() {
        @Override
        public String name() {
            return "openssl";
        }

        @Override
        public String description() {
            return "openssl (" + OpenSslXtsEngine.libraryVersion() + " via FFM)";
        }

        @Override
        public XtsEngine create(SecretBytes key, int dataUnitSize) {
            return new OpenSslXtsEngine(key, dataUnitSize);
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private XtsEngines() {
    }

    /** The pure-JCE engine factory; always available. */
    public static XtsEngineFactory jce() {
        return JCE;
    }

    /**
     * The OpenSSL engine factory.
     *
     * @throws UnsupportedOperationException if libcrypto or its AES-256-XTS cannot be loaded
     */
    public static XtsEngineFactory openssl() {
        Optional<String> why = OpenSslXtsEngine.unavailableReason();
        if (why.isPresent()) {
            throw new UnsupportedOperationException("OpenSSL XTS engine unavailable: " + why.get());
        }
        return OPENSSL;
    }

    /** Why the OpenSSL engine cannot be used, or empty when it can. */
    public static Optional<String> opensslUnavailableReason() {
        return OpenSslXtsEngine.unavailableReason();
    }

    /** The engine named {@code openssl}, {@code jce} or {@code auto} (= {@link #best()}). */
    public static XtsEngineFactory byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "openssl" -> openssl();
            case "jce" -> jce();
            case "auto" -> best();
            default -> throw new IllegalArgumentException("unknown XTS engine '" + name + "' (openssl, jce, auto)");
        };
    }

    /** OpenSSL when it loads, else JCE (or what {@code kekvault.xts.engine} forces). Logged once. */
    public static XtsEngineFactory best() {
        XtsEngineFactory f = best;
        if (f != null) {
            return f;
        }
        synchronized (XtsEngines.class) {
            if (best == null) {
                String forced = System.getProperty("kekvault.xts.engine", "auto").toLowerCase(Locale.ROOT);
                if (!forced.equals("auto")) {
                    best = byName(forced);
                    LOG.info("xts engine selected engine={} reason=forced detail=\"{}\"", best.name(), best.description());
                } else {
                    Optional<String> why = OpenSslXtsEngine.unavailableReason();
                    if (why.isEmpty()) {
                        best = OPENSSL;
                        LOG.info("xts engine selected engine=openssl detail=\"{}\"", OPENSSL.description());
                    } else {
                        best = JCE;
                        LOG.warn("xts engine selected engine=jce reason=openssl_unavailable detail=\"{}\"", why.get());
                    }
                }
            }
            return best;
        }
    }
}
