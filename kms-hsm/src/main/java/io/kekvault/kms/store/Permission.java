package io.kekvault.kms.store;

/**
 * What a grant lets an identity do with a key it does not own. The owner may do everything its
 * role allows; grants only ever add permissions for other identities.
 */
public enum Permission {
    WRAP,
    UNWRAP,
    ENCRYPT,
    DECRYPT,
    GET,
    GET_ATTRIBUTES,
    MODIFY_ATTRIBUTES,
    ACTIVATE,
    REVOKE,
    DESTROY,
    REKEY
}
