package io.kekvault.kms.vault;

/** PKCS#11 return codes the vault reacts to, and their names for logs. */
public final class Ckr {
    public static final long OK = 0x0L;
    public static final long GENERAL_ERROR = 0x5L;
    public static final long ATTRIBUTE_SENSITIVE = 0x11L;
    public static final long ATTRIBUTE_TYPE_INVALID = 0x12L;
    public static final long DATA_INVALID = 0x20L;
    public static final long DATA_LEN_RANGE = 0x21L;
    public static final long DEVICE_ERROR = 0x30L;
    public static final long DEVICE_MEMORY = 0x31L;
    public static final long DEVICE_REMOVED = 0x32L;
    public static final long ENCRYPTED_DATA_INVALID = 0x40L;
    public static final long ENCRYPTED_DATA_LEN_RANGE = 0x41L;
    public static final long KEY_HANDLE_INVALID = 0x60L;
    public static final long KEY_TYPE_INCONSISTENT = 0x63L;
    public static final long KEY_FUNCTION_NOT_PERMITTED = 0x68L;
    public static final long KEY_UNEXTRACTABLE = 0x6AL;
    public static final long MECHANISM_INVALID = 0x70L;
    public static final long MECHANISM_PARAM_INVALID = 0x71L;
    public static final long OBJECT_HANDLE_INVALID = 0x82L;
    public static final long OPERATION_ACTIVE = 0x90L;
    public static final long OPERATION_NOT_INITIALIZED = 0x91L;
    public static final long PIN_INCORRECT = 0xA0L;
    public static final long PIN_LOCKED = 0xA4L;
    public static final long SESSION_CLOSED = 0xB0L;
    public static final long SESSION_COUNT = 0xB1L;
    public static final long SESSION_HANDLE_INVALID = 0xB3L;
    public static final long SLOT_ID_INVALID = 0x3L;
    public static final long TOKEN_NOT_PRESENT = 0xE0L;
    public static final long TOKEN_NOT_RECOGNIZED = 0xE1L;
    public static final long USER_ALREADY_LOGGED_IN = 0x100L;
    public static final long USER_NOT_LOGGED_IN = 0x101L;
    public static final long BUFFER_TOO_SMALL = 0x150L;
    public static final long CRYPTOKI_NOT_INITIALIZED = 0x190L;
    public static final long CRYPTOKI_ALREADY_INITIALIZED = 0x191L;
    public static final long AEAD_DECRYPT_FAILED = 0x35L; // PKCS#11 3.0

    private Ckr() {
    }

    /** The session is gone but the module is fine: drop the session and retry on a new one. */
    public static boolean isSessionLost(long ckr) {
        return ckr == SESSION_HANDLE_INVALID || ckr == SESSION_CLOSED;
    }

    /** The module, slot or token went away: re-initialise, find the token, log in again. */
    public static boolean isModuleLost(long ckr) {
        return ckr == CRYPTOKI_NOT_INITIALIZED || ckr == DEVICE_REMOVED || ckr == TOKEN_NOT_PRESENT
                || ckr == TOKEN_NOT_RECOGNIZED || ckr == SLOT_ID_INVALID || ckr == DEVICE_ERROR;
    }

    /** A cached object handle is stale (object destroyed or module re-initialised). */
    public static boolean isHandleStale(long ckr) {
        return ckr == OBJECT_HANDLE_INVALID || ckr == KEY_HANDLE_INVALID;
    }

    /** The data failed an integrity check: tampered, wrong key or wrong AAD. */
    public static boolean isIntegrityFailure(long ckr) {
        return ckr == ENCRYPTED_DATA_INVALID || ckr == ENCRYPTED_DATA_LEN_RANGE || ckr == AEAD_DECRYPT_FAILED
                || ckr == DATA_INVALID || ckr == GENERAL_ERROR;
    }

    public static String name(long ckr) {
        for (var f : Ckr.class.getFields()) {
            try {
                if (f.getType() == long.class && f.getLong(null) == ckr) {
                    return "CKR_" + f.getName() + " (0x" + Long.toHexString(ckr) + ")";
                }
            } catch (IllegalAccessException ignored) {
                // public constants only
            }
        }
        return "CKR 0x" + Long.toHexString(ckr);
    }
}
