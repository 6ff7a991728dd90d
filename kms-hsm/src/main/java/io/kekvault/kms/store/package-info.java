/**
 * Key metadata store: everything about a managed object except its key material, which never
 * leaves the HSM. {@link io.kekvault.kms.store.MetadataStore} is the interface (transactions,
 * compare-and-set updates, unique identifiers and names, keyset paging, Locate, grants);
 * {@link io.kekvault.kms.store.SqliteMetadataStore} opens the embedded implementation for one
 * node, {@link io.kekvault.kms.store.PostgresMetadataStore} the shared one for several nodes.
 * Both run the same Flyway migrations from {@code io/kekvault/kms/store/migration}, SQL common to
 * SQLite and PostgreSQL; what differs is in {@code SqlDialect}.
 */
package io.kekvault.kms.store;
