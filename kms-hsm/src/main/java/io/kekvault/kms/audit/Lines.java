package io.kekvault.kms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/** Reads newline-terminated lines from a file region, forwards or backwards, in bounded memory. */
final class Lines {
    private static final int CHUNK = 64 * 1024;

    private Lines() {
    }

    /** Receives lines; returns false to stop. */
    @FunctionalInterface
    interface Visitor {
        boolean line(byte[] bytes, boolean terminated, boolean tooLong) throws IOException;
    }

    /**
     * Lines of {@code [0, end)} in file order. The last one has {@code terminated=false} if the
     * region does not end with a newline. A line over {@code maxLine} bytes is cut and flagged.
     */
    static void forward(FileChannel ch, long end, int maxLine, Visitor v) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        byte[] line = new byte[256];
        int len = 0;
        boolean tooLong = false;
        long pos = 0;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, end - pos));
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            pos += n;
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                byte b = a[i];
                if (b == '\n') {
                    if (!v.line(Arrays.copyOf(line, len), true, tooLong)) {
                        return;
                    }
                    len = 0;
                    tooLong = false;
                } else if (len <= maxLine) {
                    if (len == line.length) {
                        line = Arrays.copyOf(line, Math.min(line.length * 2, maxLine + 1));
                    }
                    line[len++] = b;
                    tooLong |= len > maxLine;
                }
            }
        }
        if (len > 0 || tooLong) {
            v.line(Arrays.copyOf(line, len), false, tooLong);
        }
    }

    /**
     * Complete (newline-terminated) lines of {@code [0, end)}, last first. Bytes after the last
     * newline are skipped: they are a record still being written, or torn.
     */
    static void backward(FileChannel ch, long end, int maxLine, Visitor v) throws IOException {
        long stop = lastNewline(ch, end);
        if (stop < 0) {
            return;
        }
        // [lineStart, stop) is the current line, stop being the index of its newline
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        byte[] pending = new byte[0];   // bytes of the current line already read (its tail)
        long pos = stop;                // read backwards from here (exclusive)
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            buf.clear();
            buf.limit(n);
            readFully(ch, buf, pos - n);
            byte[] a = buf.array();
            int lineEnd = n;            // exclusive, within a
            for (int i = n - 1; i >= 0; i--) {
                if (a[i] == '\n') {
                    byte[] l = concat(a, i + 1, lineEnd, pending);
                    if (!v.line(l, true, l.length > maxLine)) {
                        return;
                    }
                    pending = new byte[0];
                    lineEnd = i;
                }
            }
            pending = concat(a, 0, lineEnd, pending);
            if (pending.length > maxLine) {
                // keep memory bounded; the line is reported as too long
                pending = Arrays.copyOfRange(pending, pending.length - maxLine - 1, pending.length);
            }
            pos -= n;
        }
        v.line(pending, true, pending.length > maxLine);
    }

    /** Index of the last newline in {@code [0, end)}, or -1. */
    static long lastNewline(FileChannel ch, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = end;
        while (pos > 0) {
            int n = (int) Math.min(CHUNK, pos);
            buf.clear();
            buf.limit(n);
            readFully(ch, buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return pos - n + i;
                }
            }
            pos -= n;
        }
        return -1;
    }

    /** Number of newlines in {@code [0, end)}. */
    static long count(FileChannel ch, long end) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = 0;
        long lines = 0;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, end - pos));
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    lines++;
                }
            }
            pos += n;
        }
        return lines;
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("file shrank while being read");
            }
            p += n;
        }
    }

    private static byte[] concat(byte[] a, int from, int to, byte[] tail) {
        byte[] out = new byte[to - from + tail.length];
        System.arraycopy(a, from, out, 0, to - from);
        System.arraycopy(tail, 0, out, to - from, tail.length);
        return out;
    }
}
