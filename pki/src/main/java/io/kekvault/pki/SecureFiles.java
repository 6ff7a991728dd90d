package io.kekvault.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Files of a PKI directory: every file is created owner-only (0600) from the start, never
 * loosened afterwards, and replaced atomically (temporary file in the same directory, fsync,
 * rename, fsync of the directory), so a crash leaves either the old or the new content.
 */
final class SecureFiles {

    static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /** In-process side of the directory lock: a FileLock is per process, not per thread. */
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private SecureFiles() {
    }

    /** Creation attributes granting {@code permissions}, or none where the file system is not POSIX. */
    private static FileAttribute<?>[] createdWith(Path path, Set<PosixFilePermission> permissions) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
    }

    /** Creates {@code dir} (and parents) if missing; a directory this creates is 0700. */
    static void ensureDirectory(Path dir) throws PkiException {
        try {
            if (Files.isDirectory(dir)) {
                return;
            }
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.createDirectory(dir, createdWith(dir, OWNER_ONLY_DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new PkiException(PkiException.Reason.INVALID_INPUT, dir + ": exists and is not a directory");
            }
        } catch (IOException e) {
            throw ioFailure(dir, "cannot create directory", e);
        }
    }

    /** Writes {@code content} to {@code target} atomically, as a 0600 file. */
    static void writeAtomically(Path target, byte[] content) throws PkiException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", createdWith(dir, OWNER_READ_WRITE));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw ioFailure(target, "cannot write", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The rename failed already; that error is the one to report.
                }
            }
        }
    }

    static void deleteIfExists(Path file) throws PkiException {
        try {
            if (Files.deleteIfExists(file)) {
                syncDirectory(file.toAbsolutePath().getParent());
            }
        } catch (IOException e) {
            throw ioFailure(file, "cannot delete", e);
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename durable on Linux; some platforms cannot open a directory, which is fine.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Best effort only.
        }
    }

    /**
     * Serializes mutating operations on one PKI directory, across threads of this process and
     * across processes (an advisory lock on {@code .lock}), so concurrent issues cannot lose
     * updates of {@code roles.properties}.
     */
    static DirectoryLock lock(Path dir) throws PkiException {
        ensureDirectory(dir);
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw ioFailure(dir, "cannot resolve directory", e);
        }
        ReentrantLock local = LOCKS.computeIfAbsent(key, _ -> new ReentrantLock());
        local.lock();
        try {
            Path lockFile = key.resolve(".lock");
            if (!Files.exists(lockFile)) {
                try {
                    Files.createFile(lockFile, createdWith(key, OWNER_READ_WRITE));
                } catch (FileAlreadyExistsException ignored) {
                    // Another process made it first.
                }
            }
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            try {
                return new DirectoryLock(local, channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            local.unlock();
            if (e instanceof IOException io) {
                throw ioFailure(dir, "cannot lock directory", io);
            }
            throw (RuntimeException) e;
        }
    }

    record DirectoryLock(ReentrantLock local, FileChannel channel, FileLock fileLock) implements AutoCloseable {
        @Override
        public void close() throws PkiException {
            try {
                fileLock.release();
                channel.close();
            } catch (IOException e) {
                throw new PkiException(PkiException.Reason.IO_FAILURE, "cannot release directory lock", e);
            } finally {
                local.unlock();
            }
        }
    }

    static PkiException ioFailure(Path path, String what, IOException e) {
        return new PkiException(PkiException.Reason.IO_FAILURE,
                path + ": " + what + " (" + e.getClass().getSimpleName() + ")", e);
    }
}
