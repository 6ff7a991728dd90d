package io.kekvault.kmip.ttlv;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails once more than {@code max} bytes were read, so text parsers never buffer past the limit. */
final class BoundedInputStream extends FilterInputStream {
    static final class LimitReached extends IOException {
        LimitReached(long max) {
            super("input exceeds " + max + " bytes");
        }
    }

    private final long max;
    private long count;

    BoundedInputStream(InputStream in, long max) {
        super(in);
        this.max = max;
    }

    private void add(long n) throws LimitReached {
        if (n > 0) {
            count += n;
            if (count > max) {
                throw new LimitReached(max);
            }
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        add(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        add(s);
        return s;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
