package io.kekvault.kms.store;

/** Argument checks shared by the value types; failures are programming errors, not client errors. */
final class Checks {
    private Checks() {
    }

    static String text(String value, String what, int maxLength) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(what + " is longer than " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(what + " has a control character");
            }
        }
        return value;
    }

    static String optionalText(String value, String what, int maxLength) {
        return value == null ? null : text(value, what, maxLength);
    }
}
