package io.kekvault.kms.op.kmip;

import io.kekvault.kmip.error.KmsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * State shared by the items of one request message, processed in order on one thread: the ID
 * Placeholder, and (for Batch Error Continuation Option Undo) how to take back what each item did.
 */
public final class KmipBatch {

    /** Takes back one item's effect; runs only if a later item of an Undo batch fails. */
    @FunctionalInterface
    public interface Undo {
        void run() throws KmsException;
    }

    /** An undo action registered by item {@code item} for key {@code keyId}. */
    public record UndoEntry(int item, String keyId, Undo action) {
    }

    private final boolean undoRequested;
    private final List<UndoEntry> undo = new ArrayList<>();
    private String idPlaceholder;
    private int item;

    public KmipBatch(boolean undoRequested) {
        this.undoRequested = undoRequested;
    }

    /** Marks the start of item {@code index}: undo actions registered now belong to it. */
    public void begin(int index) {
        item = index;
    }

    public Optional<String> idPlaceholder() {
        return Optional.ofNullable(idPlaceholder);
    }

    public void idPlaceholder(String uniqueIdentifier) {
        idPlaceholder = uniqueIdentifier;
    }

    public boolean undoRequested() {
        return undoRequested;
    }

    /** Registers how to undo the current item (only kept when the client asked for Undo). */
    public void onUndo(String keyId, Undo action) {
        if (undoRequested) {
            undo.add(new UndoEntry(item, keyId, action));
        }
    }

    /** The undo actions, most recent first. */
    public List<UndoEntry> undoLog() {
        return undo.reversed();
    }
}
