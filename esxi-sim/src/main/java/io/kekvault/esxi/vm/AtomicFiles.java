package io.kekvault.esxi.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file replacement that a crash cannot tear: the new content is written to a temporary
 * sibling ({@code .<name>.kvwrite}), fsynced, renamed over the target and the directory fsynced.
 * After a crash the target holds either its old or its new content; a leftover temporary file is
 * garbage that {@link #cleanLeftovers} deletes.
 */
public final class AtomicFiles {
    static final String SUFFIX = ".kvwrite";

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content} atomically and durably. */
    public static void write(Path target, byte[] content) throws IOException {
        Path file = target.toAbsolutePath();
        Path temp = file.resolveSibling("." + file.getFileName() + SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException("the file system cannot rename atomically; refusing an unsafe update", e);
        }
        fsyncDirectory(file.getParent());
    }

    /** Deletes temporary files an interrupted {@link #write} left in {@code dir}; returns how many. */
    public static int cleanLeftovers(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "." + "*" + SUFFIX)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
                n++;
            }
        }
        if (n > 0) {
            fsyncDirectory(dir);
        }
        return n;
    }

    /** Makes creations, renames and deletions in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
