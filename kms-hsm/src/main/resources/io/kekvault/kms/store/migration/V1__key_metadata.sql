-- Key metadata, version 1. Written in the common subset of SQLite and PostgreSQL: the embedded
-- and the PostgreSQL stores run these same files. No key material is ever stored here.
-- Dates are BIGINT milliseconds since the epoch (UTC); JSON columns are described in StoreJson.

CREATE TABLE kms_key (
    id                          VARCHAR(128)  NOT NULL PRIMARY KEY,
    object_type                 VARCHAR(64)   NOT NULL,
    algorithm                   VARCHAR(64),
    length_bits                 INTEGER,
    usage_mask                  INTEGER       NOT NULL,
    state                       VARCHAR(32)   NOT NULL,
    owner_identity              VARCHAR(255)  NOT NULL,
    extractable                 BOOLEAN       NOT NULL,
    hsm_label                   VARCHAR(255),
    initial_date                BIGINT,
    activation_date             BIGINT,
    deactivation_date           BIGINT,
    compromise_date             BIGINT,
    compromise_occurrence_date  BIGINT,
    destroy_date                BIGINT,
    last_change_date            BIGINT,
    revocation_reason           VARCHAR(64),
    revocation_message          TEXT,
    names_json                  TEXT          NOT NULL,
    links_json                  TEXT          NOT NULL,
    attributes_json             TEXT          NOT NULL,
    version                     BIGINT        NOT NULL
);

CREATE INDEX kms_key_owner_idx ON kms_key (owner_identity);
CREATE INDEX kms_key_state_idx ON kms_key (state);

-- One row per name: the primary key makes names unique across the store.
CREATE TABLE kms_key_name (
    name     VARCHAR(512)  NOT NULL PRIMARY KEY,
    key_id   VARCHAR(128)  NOT NULL REFERENCES kms_key (id),
    ordinal  INTEGER       NOT NULL
);

CREATE INDEX kms_key_name_key_idx ON kms_key_name (key_id);

-- One row per attribute instance, for Locate by attribute value. The value itself is in
-- kms_key.attributes_json; value_digest is SHA-256 over its type and canonical JSON.
CREATE TABLE kms_key_attribute (
    key_id        VARCHAR(128)  NOT NULL REFERENCES kms_key (id),
    ordinal       INTEGER       NOT NULL,
    name          VARCHAR(255)  NOT NULL,
    value_digest  CHAR(64)      NOT NULL,
    PRIMARY KEY (key_id, ordinal)
);

CREATE INDEX kms_key_attribute_match_idx ON kms_key_attribute (name, value_digest);

-- Permissions of identities other than the owner; permissions is a comma-separated list of
-- Permission names.
CREATE TABLE kms_grant (
    key_id       VARCHAR(128)  NOT NULL REFERENCES kms_key (id),
    grantee      VARCHAR(255)  NOT NULL,
    permissions  VARCHAR(512)  NOT NULL,
    PRIMARY KEY (key_id, grantee)
);

CREATE INDEX kms_grant_grantee_idx ON kms_grant (grantee);
