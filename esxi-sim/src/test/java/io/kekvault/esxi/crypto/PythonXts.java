package io.kekvault.esxi.crypto;

import io.kekvault.secret.SecretBytes;

/** Test helper: runs a python3-cryptography script (Debian's /usr/bin/python3), key on stdin. */
public final class PythonXts {
    private PythonXts() {
    }

    public static String run(SecretBytes key, String script, String... args) throws Exception {
        return XtsCrossCheckTest.python(key, script, args);
    }
}
