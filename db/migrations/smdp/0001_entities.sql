-- SM-DP database, migration 1: the parties that may call this SM-DP and their certificates.
-- An entity is an MNO, SM-DP, EUM, SM-SR or administrator, identified by its OID (SGP.02
-- Mno-id / Smdp-id / Eum-id / Smsr-id). Each may hold several client certificates (renewal);
-- a certificate is known by the SHA-256 of its DER encoding.

CREATE TABLE entity (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('mno', 'smdp', 'eum', 'smsr', 'admin')),
    callback_url TEXT NOT NULL DEFAULT '',
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_ms   INTEGER NOT NULL
);

CREATE TABLE entity_cert (
    fingerprint BLOB PRIMARY KEY CHECK (length(fingerprint) = 32),
    entity_id   TEXT NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
    subject     TEXT NOT NULL,
    not_after   INTEGER NOT NULL,
    added_ms    INTEGER NOT NULL
);

CREATE INDEX entity_cert_by_entity ON entity_cert(entity_id);
