package io.kekvault.kms.vault.pkcs11;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.StaticLogger;

/**
 * Routes ipkcs11wrapper's own log lines (which otherwise go to stdout) into SLF4J. Its INFO lines
 * describe every session opened, so they are demoted to DEBUG: an operator sees the vault's
 * structured events, and the wrapper's detail is there when asked for.
 */
public final class WrapperLogging implements org.xipki.pkcs11.wrapper.Logger {
    private static final Logger log = LoggerFactory.getLogger("org.xipki.pkcs11");
    private static volatile boolean installed;

    private WrapperLogging() {
    }

    public static void install() {
        if (!installed) {
            synchronized (WrapperLogging.class) {
                if (!installed) {
                    StaticLogger.setLogger(new WrapperLogging());
                    installed = true;
                }
            }
        }
    }

    @Override
    public void info(String format, Object... args) {
        log.debug(format, args);
    }

    @Override
    public void warn(String format, Object... args) {
        log.warn(format, args);
    }

    @Override
    public void error(String format, Object... args) {
        log.error(format, args);
    }

    @Override
    public void debug(String format, Object... args) {
        log.debug(format, args);
    }

    @Override
    public void trace(String format, Object... args) {
        log.trace(format, args);
    }

    @Override
    public boolean isDebugEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        return log.isWarnEnabled();
    }

    @Override
    public boolean isTraceEnabled() {
        return log.isTraceEnabled();
    }
}
