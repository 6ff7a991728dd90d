package io.kekvault.kms.vault.sunpkcs11;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The few raw PKCS#11 calls the SunPKCS11 backend needs beyond JCA (finding the token's slot by
 * label, reading attributes back, setting {@code CKA_ID}, recovering a finalised module), made
 * through the JDK's own wrapper {@code sun.security.pkcs11.wrapper}. That package is internal:
 * the JVM must run with {@code --add-exports} and {@code --add-opens}
 * {@code jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED} (the launcher and the test
 * configuration pass both); without them this class fails at start-up with that instruction.
 */
final class Cryptoki {
    static final String JVM_FLAGS = "--add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED "
            + "--add-opens jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED";

    static final long CKF_SERIAL_SESSION = 0x4L;
    static final long CKF_RW_SESSION = 0x2L;

    private static final Class<?> PKCS11;
    private static final Class<?> ATTR;
    private static final Class<?> P11_EXCEPTION;
    private static final Method GET_INSTANCE;
    private static final Method C_INITIALIZE;
    private static final Method C_GET_SLOT_LIST;
    private static final Method C_GET_TOKEN_INFO;
    private static final Method C_OPEN_SESSION;
    private static final Method C_CLOSE_SESSION;
    private static final Method C_FIND_INIT;
    private static final Method C_FIND;
    private static final Method C_FIND_FINAL;
    private static final Method C_GET_ATTR;
    private static final Method C_SET_ATTR;
    private static final Method GET_ERROR_CODE;
    private static final Constructor<?> ATTR_EMPTY;
    private static final Constructor<?> ATTR_OBJECT;
    private static final Constructor<?> ATTR_BOOL;
    private static final Constructor<?> ATTR_LONG;
    private static final Field ATTR_VALUE;
    private static final Field TOKEN_LABEL;

    static {
        try {
            PKCS11 = Class.forName("sun.security.pkcs11.wrapper.PKCS11");
            ATTR = Class.forName("sun.security.pkcs11.wrapper.CK_ATTRIBUTE");
            P11_EXCEPTION = Class.forName("sun.security.pkcs11.wrapper.PKCS11Exception");
            Class<?> initArgs = Class.forName("sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS");
            Class<?> notify = Class.forName("sun.security.pkcs11.wrapper.CK_NOTIFY");
            Class<?> attrArray = ATTR.arrayType();
            GET_INSTANCE = PKCS11.getMethod("getInstance", String.class, String.class, initArgs, boolean.class);
            C_INITIALIZE = PKCS11.getDeclaredMethod("C_Initialize", Object.class);
            C_INITIALIZE.setAccessible(true);
            C_GET_SLOT_LIST = PKCS11.getMethod("C_GetSlotList", boolean.class);
            C_GET_TOKEN_INFO = PKCS11.getMethod("C_GetTokenInfo", long.class);
            C_OPEN_SESSION = PKCS11.getMethod("C_OpenSession", long.class, long.class, Object.class, notify);
            C_CLOSE_SESSION = PKCS11.getMethod("C_CloseSession", long.class);
            C_FIND_INIT = PKCS11.getMethod("C_FindObjectsInit", long.class, attrArray);
            C_FIND = PKCS11.getMethod("C_FindObjects", long.class, long.class);
            C_FIND_FINAL = PKCS11.getMethod("C_FindObjectsFinal", long.class);
            C_GET_ATTR = PKCS11.getMethod("C_GetAttributeValue", long.class, long.class, attrArray);
            C_SET_ATTR = PKCS11.getMethod("C_SetAttributeValue", long.class, long.class, attrArray);
            GET_ERROR_CODE = P11_EXCEPTION.getMethod("getErrorCode");
            ATTR_EMPTY = ATTR.getConstructor(long.class);
            ATTR_OBJECT = ATTR.getConstructor(long.class, Object.class);
            ATTR_BOOL = ATTR.getConstructor(long.class, boolean.class);
            ATTR_LONG = ATTR.getConstructor(long.class, long.class);
            ATTR_VALUE = ATTR.getField("pValue");
            TOKEN_LABEL = Class.forName("sun.security.pkcs11.wrapper.CK_TOKEN_INFO").getField("label");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "the SunPKCS11 backend needs the JVM flags " + JVM_FLAGS + " (" + e + ")", e));
        }
    }

    /** A PKCS#11 error from the JDK wrapper, with its return code. */
    static final class Failure extends Exception {
        final long ckr;

        Failure(long ckr, Throwable cause) {
            super("PKCS#11 error 0x" + Long.toHexString(ckr), cause);
            this.ckr = ckr;
        }
    }

    private final Object p11;

    private Cryptoki(Object p11) {
        this.p11 = p11;
    }

    /** The JDK's shared wrapper instance for {@code library} (one per library per JVM). */
    static Cryptoki forLibrary(String library) throws Failure {
        try {
            return new Cryptoki(GET_INSTANCE.invoke(null, library, "C_GetFunctionList", null, false));
        } catch (InvocationTargetException e) {
            throw failure(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The return code inside any exception chain that holds a JDK PKCS11Exception, or -1. */
    static long ckrOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (P11_EXCEPTION.isInstance(c)) {
                try {
                    return (long) GET_ERROR_CODE.invoke(c);
                } catch (ReflectiveOperationException e) {
                    return -1;
                }
            }
            if (c instanceof Failure f) {
                return f.ckr;
            }
        }
        return -1;
    }

    private static Failure failure(Throwable t) {
        return new Failure(ckrOf(t), t);
    }

    private Object call(Method m, Object... args) throws Failure {
        try {
            return m.invoke(p11, args);
        } catch (InvocationTargetException e) {
            throw failure(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Re-initialises a module someone finalised; "already initialised" is success. */
    void initialize() throws Failure {
        try {
            call(C_INITIALIZE, (Object) null);
        } catch (Failure f) {
            if (f.ckr != 0x191L) {
                throw f;
            }
        }
    }

    /** The slot holding the token labelled {@code label}, or -1. */
    long slotOf(String label) throws Failure {
        for (long slot : (long[]) call(C_GET_SLOT_LIST, true)) {
            Object info = call(C_GET_TOKEN_INFO, slot);
            try {
                if (label.equals(new String((char[]) TOKEN_LABEL.get(info)).trim())) {
                    return slot;
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return -1;
    }

    long openSession(long slot) throws Failure {
        return (long) call(C_OPEN_SESSION, slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, null, null);
    }

    void closeSession(long session) {
        try {
            call(C_CLOSE_SESSION, session);
        } catch (Failure ignored) {
            // Already gone: nothing to release.
        }
    }

    /** Handles of secret-key objects with {@code label}. */
    long[] findByLabel(long session, String label) throws Failure {
        Object template = attrs(attr(0x0L /* CKA_CLASS */, 0x4L /* CKO_SECRET_KEY */),
                attrObj(0x3L /* CKA_LABEL */, label.toCharArray()));
        call(C_FIND_INIT, session, template);
        try {
            return (long[]) call(C_FIND, session, 16L);
        } finally {
            call(C_FIND_FINAL, session);
        }
    }

    /** All secret-key handles on the token (up to {@code max}). */
    long[] findSecretKeys(long session, long max) throws Failure {
        Object template = attrs(attr(0x0L, 0x4L));
        call(C_FIND_INIT, session, template);
        try {
            return (long[]) call(C_FIND, session, max);
        } finally {
            call(C_FIND_FINAL, session);
        }
    }

    /** Reads attribute values; each result is Boolean, Long, byte[] or char[] (or null). */
    Object[] get(long session, long handle, long... types) throws Failure {
        Object array = java.lang.reflect.Array.newInstance(ATTR, types.length);
        for (int i = 0; i < types.length; i++) {
            java.lang.reflect.Array.set(array, i, newAttr(ATTR_EMPTY, types[i]));
        }
        call(C_GET_ATTR, session, handle, array);
        Object[] values = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            try {
                values[i] = ATTR_VALUE.get(java.lang.reflect.Array.get(array, i));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return values;
    }

    void setBytes(long session, long handle, long type, byte[] value) throws Failure {
        call(C_SET_ATTR, session, handle, attrs(attrObj(type, value)));
    }

    void setBooleans(long session, long handle, long[] types, boolean[] values) throws Failure {
        Object array = java.lang.reflect.Array.newInstance(ATTR, types.length);
        for (int i = 0; i < types.length; i++) {
            java.lang.reflect.Array.set(array, i, newAttr(ATTR_BOOL, types[i], values[i]));
        }
        call(C_SET_ATTR, session, handle, array);
    }

    private static Object attr(long type, long value) {
        return newAttr(ATTR_LONG, type, value);
    }

    private static Object attrObj(long type, Object value) {
        return newAttr(ATTR_OBJECT, type, value);
    }

    private static Object attrs(Object... a) {
        Object array = java.lang.reflect.Array.newInstance(ATTR, a.length);
        for (int i = 0; i < a.length; i++) {
            java.lang.reflect.Array.set(array, i, a[i]);
        }
        return array;
    }

    private static Object newAttr(Constructor<?> c, Object... args) {
        try {
            return c.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
