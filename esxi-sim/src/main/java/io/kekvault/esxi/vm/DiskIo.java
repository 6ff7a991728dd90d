package io.kekvault.esxi.vm;

import io.kekvault.esxi.disk.EncryptedDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Sector I/O on an open disk, encrypted ({@link EncryptedDisk}) or plaintext. */
public sealed interface DiskIo extends AutoCloseable permits DiskIo.Xts, DiskIo.Plain {
    long size();

    void read(long offset, ByteBuffer dst) throws IOException;

    void write(long offset, ByteBuffer src) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;

    /** XTS-AES-256: everything reaching the file is encrypted. */
    record Xts(EncryptedDisk disk) implements DiskIo {
        public long size() {
            return disk.size();
        }

        public void read(long offset, ByteBuffer dst) throws IOException {
            disk.read(offset, dst);
        }

        public void write(long offset, ByteBuffer src) throws IOException {
            disk.write(offset, src);
        }

        public void flush() throws IOException {
            disk.flush();
        }

        public void close() throws IOException {
            disk.close();
        }
    }

    /** A plaintext disk. */
    final class Plain implements DiskIo {
        private final FileChannel ch;
        private final long size;

        public Plain(Path flat) throws IOException {
            this.ch = FileChannel.open(flat, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.size = ch.size();
        }

        public long size() {
            return size;
        }

        private void check(long offset, long length) {
            if (offset < 0 || length < 0 || offset > size - length) {
                throw new IndexOutOfBoundsException("range [" + offset + ", +" + length + ") outside disk of " + size + " bytes");
            }
        }

        public void read(long offset, ByteBuffer dst) throws IOException {
            check(offset, dst.remaining());
            long p = offset;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, p);
                if (n < 0) {
                    throw new java.io.EOFException("disk file ended at " + p);
                }
                p += n;
            }
        }

        public void write(long offset, ByteBuffer src) throws IOException {
            check(offset, src.remaining());
            long p = offset;
            while (src.hasRemaining()) {
                p += ch.write(src, p);
            }
        }

        public void flush() throws IOException {
            ch.force(false);
        }

        public void close() throws IOException {
            ch.close();
        }
    }
}
