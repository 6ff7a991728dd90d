package io.kekvault.bridge.inventory;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import java.util.regex.Pattern;

/** The one rule for inventory names (datacenters, clusters, hosts, VMs, disks, providers). */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private Names() {
    }

    /** Returns {@code value} if it is a valid name; otherwise a client-safe error naming {@code what}. */
    public static String check(String what, String value) throws InvalidRequestException {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException(ResultReason.MISSING_DATA, what + " is required", null);
        }
        if (!NAME.matcher(value).matches()) {
            throw new InvalidRequestException(ResultReason.INVALID_FIELD, "invalid " + what + " '" + printable(value)
                    + "': 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", null);
        }
        return value;
    }

    /** A value safe to echo in an error message (bounded, no control characters). */
    public static String printable(String value) {
        String v = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return v.replaceAll("\\p{Cntrl}", "?");
    }
}
