package io.kekvault.kmip.ttlv;

/**
 * A Java enum that mirrors one KMIP enumeration (or one mask bit). The value is the wire value;
 * the canonical XML/JSON name comes from {@link KmipRegistry}, so the Java constants and the
 * tables of the codecs cannot drift apart (a test checks every constant against the table).
 */
public interface KmipEnum {
    /** The value on the wire. */
    int value();
}
