package io.kekvault.esxi.host;

/**
 * Observes the durable steps of host jobs. A test seam only: the {@code host} command always runs
 * with {@link #NONE}; crash tests pass a probe that stops the process at a chosen step to prove
 * that a kill there loses nothing. Called on the job's threads; must not throw.
 */
public interface JobProbe {

    /** Steps of a job, in the order a disk transform passes them. */
    enum Step {
        /** The new DEKs are wrapped by the KMS (nothing written yet). */
        KEYS_WRAPPED,
        /** The .vmx with the VM home's new key state is durable. */
        HOME_WRITTEN,
        /** The disk descriptor records the pending target form and its wrapped DEK. */
        PENDING_WRITTEN,
        /** DiskTransformer: the empty temporary file exists. */
        TEMP_CREATED,
        /** DiskTransformer: the journal is durable. */
        JOURNAL_WRITTEN,
        /** DiskTransformer: the new flat file is complete and fsynced under its temporary name. */
        DATA_SYNCED,
        /** DiskTransformer: the new flat file replaced the old one. */
        RENAMED,
        /** The descriptor names the new form (journal still present). */
        DESCRIPTOR_UPDATED,
        /** The journal is gone: this disk is done. */
        FINISHED,
        /** Shallow rekey: one component's new keySafe is durable. */
        KEY_SAFE_WRITTEN
    }

    void step(String jobKind, String vm, String component, Step step);

    /** {@code done} of {@code total} bytes of {@code component}'s new flat file are written. */
    void progress(String jobKind, String vm, String component, long done, long total);

    JobProbe NONE = new JobProbe() {
        @Override
        public void step(String jobKind, String vm, String component, Step step) {
        }

        @Override
        public void progress(String jobKind, String vm, String component, long done, long total) {
        }
    };
}
