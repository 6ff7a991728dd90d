package io.kekvault.esxi.disk;

/**
 * What {@link DiskTransformer#recover} found next to a flat disk file.
 *
 * @param outcome   what happened to the last transform
 * @param formLabel the {@link DiskForm#label()} the file is in now, when the journal says so
 *                  ({@code null} when clean, or when a run died before writing its journal: the
 *                  file is then in the form it had before that run)
 * @param fromLabel the interrupted transform's source form, or {@code null}
 * @param toLabel   the interrupted transform's target form, or {@code null}
 */
public record Recovery(Outcome outcome, String formLabel, String fromLabel, String toLabel) {

    public enum Outcome {
        /** No leftover: no transform was interrupted. */
        CLEAN,
        /** A transform died before its rename: its temporary file was deleted; the file is unchanged. */
        ROLLED_BACK,
        /**
         * A transform completed its rename but its journal is still there (the run died just
         * after, or the caller asked to keep it): the file is in the target form. The journal
         * stays until {@link DiskTransformer#finish} so the caller can update its records first.
         */
        COMPLETED
    }

    static Recovery clean() {
        return new Recovery(Outcome.CLEAN, null, null, null);
    }
}
