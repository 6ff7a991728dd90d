package io.kekvault.esxi.disk;

/**
 * Receives progress of a disk transform. Called from the transform's threads, one call at a
 * time and with {@code done} increasing; keep it short (it holds up writing).
 */
@FunctionalInterface
public interface DiskProgress {

    /** Steps of a transform, in order. */
    enum Phase {
        /** Any leftover of an interrupted run was handled; the empty temporary file exists. */
        TEMP_CREATED,
        /** The journal naming the source and target forms is durable. */
        JOURNAL_WRITTEN,
        /** The complete new file is written and fsynced under its temporary name. */
        DATA_SYNCED,
        /** The new file replaced the old one (atomic rename, directory fsynced). */
        RENAMED,
        /** The journal is gone (unless the caller asked to keep it); the transform is complete. */
        FINISHED
    }

    /** {@code done} of {@code total} bytes are written to the new file. */
    void progress(long done, long total);

    /** A step completed. Default: ignored. */
    default void phase(Phase phase) {
    }

    DiskProgress NONE = (done, total) -> { };
}
