package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvItem;

import java.util.HashSet;
import java.util.Set;

/** Checks shared by the message parsers: no unknown or repeated fields in headers and batch items. */
final class MessageFields {
    private final String where;
    private final Set<Tag> allowed;
    private final Set<Tag> repeatable;
    private final Set<Tag> seen = new HashSet<>();

    MessageFields(String where, Set<Tag> allowed, Set<Tag> repeatable) {
        this.where = where;
        this.allowed = allowed;
        this.repeatable = repeatable;
    }

    void check(TtlvItem child) throws InvalidRequestException {
        Tag t = child.tag();
        if (!allowed.contains(t)) {
            throw invalid("unexpected " + t.name() + " in " + where);
        }
        if (!seen.add(t) && !repeatable.contains(t)) {
            throw invalid(t.name() + " occurs more than once in " + where);
        }
    }

    static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(ResultReason.INVALID_MESSAGE, message, null);
    }
}
