package io.kekvault.kms.store;

import java.util.List;

/**
 * One page of a keyset-paged listing.
 *
 * @param items      the records, in the listing's order
 * @param nextCursor opaque cursor for the next page, or null on the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean hasMore() {
        return nextCursor != null;
    }
}
