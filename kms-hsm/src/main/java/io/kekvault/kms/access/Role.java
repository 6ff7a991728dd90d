package io.kekvault.kms.access;

import java.util.Locale;

/**
 * What an identity may do, decided by the KMS's role map (never by the client).
 * <ul>
 *   <li>{@link #ADMIN}: every operation on every key (the bridge, operators).</li>
 *   <li>{@link #HOST}: wrap, unwrap and rewrap under keys granted to it; nothing else.</li>
 *   <li>{@link #AUDITOR}: reads the audit trail and key metadata; uses no key.</li>
 *   <li>{@link #CLIENT}: a generic KMIP client; creates keys it then owns and uses them.</li>
 * </ul>
 */
public enum Role {
    ADMIN, HOST, AUDITOR, CLIENT;

    public static Role parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "' (admin, host, auditor, client)");
        }
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
