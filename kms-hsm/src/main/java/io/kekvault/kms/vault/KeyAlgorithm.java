package io.kekvault.kms.vault;

/** Secret-key algorithms the vault can hold, with their PKCS#11 key types and lengths. */
public enum KeyAlgorithm {
    AES(0x1FL /* CKK_AES */, 128, 192, 256),
    DES3(0x15L /* CKK_DES3 */, 192, 168),
    /** Keys the HSM holds but has no cipher for (HMAC, ChaCha20): generic secrets. */
    GENERIC(0x10L /* CKK_GENERIC_SECRET */);

    private final long ckk;
    private final int[] lengths;

    KeyAlgorithm(long ckk, int... lengths) {
        this.ckk = ckk;
        this.lengths = lengths;
    }

    public long ckk() {
        return ckk;
    }

    void checkLength(int bits) {
        if (lengths.length == 0) {
            if (bits < 8 || bits > 8192 || bits % 8 != 0) {
                throw new IllegalArgumentException("unsupported key length " + bits + " bits for " + this);
            }
            return;
        }
        for (int l : lengths) {
            if (l == bits) {
                return;
            }
        }
        throw new IllegalArgumentException("unsupported key length " + bits + " bits for " + this);
    }

    /** Length in bytes of the key value held by the HSM (3DES keys carry parity bits). */
    public int valueLength(int bits) {
        return this == DES3 ? 24 : bits / 8;
    }
}
