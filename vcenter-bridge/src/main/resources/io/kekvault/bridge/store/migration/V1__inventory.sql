-- The bridge's inventory and task records. About keys it holds key identifiers only: per
-- encrypted VM component (component, provider, KEK id). Never key material, never wrapped keys.

CREATE TABLE key_provider (
    name        TEXT PRIMARY KEY,
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    trust       TEXT NOT NULL CHECK (trust IN ('none', 'csr-pending', 'trusted')),
    client_cn   TEXT,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX key_provider_one_default ON key_provider (is_default) WHERE is_default = 1;

CREATE TABLE kms_endpoint (
    provider  TEXT NOT NULL REFERENCES key_provider (name) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kmip      TEXT NOT NULL,
    https     TEXT NOT NULL,
    PRIMARY KEY (provider, position)
);

CREATE TABLE datacenter (
    name        TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);

CREATE TABLE cluster (
    name        TEXT PRIMARY KEY,
    datacenter  TEXT NOT NULL REFERENCES datacenter (name),
    created_at  TEXT NOT NULL
);

CREATE TABLE host (
    id         TEXT PRIMARY KEY,
    cluster    TEXT NOT NULL REFERENCES cluster (name),
    url        TEXT NOT NULL UNIQUE,
    identity   TEXT NOT NULL,
    datastore  TEXT NOT NULL,
    added_at   TEXT NOT NULL
);

CREATE TABLE storage_policy (
    name         TEXT PRIMARY KEY,
    description  TEXT NOT NULL,
    encryption   INTEGER NOT NULL CHECK (encryption IN (0, 1))
);
INSERT INTO storage_policy (name, description, encryption)
VALUES ('vm-encryption', 'VM Encryption Policy: the VM home and disks are encrypted under a KEK of the default key provider', 1);
INSERT INTO storage_policy (name, description, encryption)
VALUES ('datastore-default', 'Datastore Default: no encryption', 0);

CREATE TABLE vm (
    name        TEXT PRIMARY KEY,
    uuid        TEXT NOT NULL,
    cluster     TEXT NOT NULL REFERENCES cluster (name),
    host        TEXT NOT NULL REFERENCES host (id),
    power       TEXT NOT NULL CHECK (power IN ('on', 'off')),
    created_at  TEXT NOT NULL
);

-- One row per VM component: 'home' (position 0) and each disk. provider and kek_id are both set
-- exactly when the component is encrypted.
CREATE TABLE vm_component (
    vm          TEXT NOT NULL REFERENCES vm (name) ON DELETE CASCADE,
    component   TEXT NOT NULL,
    position    INTEGER NOT NULL,
    size_bytes  INTEGER,
    policy      TEXT NOT NULL REFERENCES storage_policy (name),
    provider    TEXT REFERENCES key_provider (name),
    kek_id      TEXT,
    PRIMARY KEY (vm, component),
    CHECK ((provider IS NULL) = (kek_id IS NULL))
);
CREATE INDEX vm_component_kek ON vm_component (provider, kek_id);

CREATE TABLE task (
    id            TEXT PRIMARY KEY,
    seq           INTEGER NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    target        TEXT NOT NULL,
    cluster       TEXT,
    username      TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'refused')),
    progress      REAL NOT NULL DEFAULT 0,
    params        TEXT NOT NULL,
    checkpoint    TEXT NOT NULL DEFAULT '{}',
    error_code    TEXT,
    error_detail  TEXT,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
-- One unfinished task per target (a VM, a host): a second one is refused.
CREATE UNIQUE INDEX task_one_active_per_target ON task (target) WHERE state IN ('queued', 'running');
CREATE INDEX task_state ON task (state);

-- '{kek}' in a message stands for kek_id, shown only to users who may see key identifiers.
CREATE TABLE task_log (
    task_id  TEXT NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    at       TEXT NOT NULL,
    level    TEXT NOT NULL,
    message  TEXT NOT NULL,
    kek_id   TEXT,
    PRIMARY KEY (task_id, seq)
);
