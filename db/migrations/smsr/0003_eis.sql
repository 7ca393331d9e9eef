-- SM-SR database, migration 3: the eUICC registry (SGP.02 EIS, ES1 RegisterEIS).
-- One eis row per card; its profiles (ProfileInfo) and ISD-R key sets in their own tables so
-- that operations can lock, query and update them. Key values are never stored in clear: each
-- key set is one keystore blob wrapped under the SM-SR's KEK, labelled with EID, type and KVN.

CREATE TABLE eis (
    eid               TEXT PRIMARY KEY CHECK (length(eid) = 32),
    eum_id            TEXT NOT NULL,
    signed_info       TEXT NOT NULL,  -- eumSignedInfo as registered (canonical JSON)
    eum_signature     TEXT NOT NULL,  -- the EUM's detached JWS over it
    isdr              TEXT NOT NULL,  -- ISD-R SecurityDomain without key values (JSON)
    remaining_memory  INTEGER NOT NULL CHECK (remaining_memory >= 0),
    available_memory  INTEGER NOT NULL CHECK (available_memory >= 0),
    http_support      INTEGER NOT NULL DEFAULT 0,
    cattp_support     INTEGER NOT NULL DEFAULT 0,
    last_audit_ms     INTEGER,
    state             TEXT NOT NULL DEFAULT 'registered'
                      CHECK (state IN ('registered', 'locked', 'handed-over')),
    registered_ms     INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE eis_profile (
    eid               TEXT NOT NULL REFERENCES eis(eid) ON DELETE CASCADE,
    isdp_aid          TEXT NOT NULL CHECK (length(isdp_aid) = 32),
    iccid             TEXT NOT NULL UNIQUE,
    mno_id            TEXT NOT NULL,
    smdp_id           TEXT,           -- the SM-DP that created the ISD-P (none for factory profiles)
    profile_type      TEXT,
    state             TEXT NOT NULL CHECK (state IN ('Created', 'Disabled', 'Enabled')),
    fallback          INTEGER NOT NULL DEFAULT 0 CHECK (fallback IN (0, 1)),
    allocated_memory  INTEGER NOT NULL DEFAULT 0,
    msisdn            TEXT,
    imsi              TEXT,
    pol2              TEXT NOT NULL DEFAULT '[]',  -- PolicyRule list (JSON)
    PRIMARY KEY (eid, isdp_aid)
) WITHOUT ROWID;

CREATE INDEX eis_profile_msisdn ON eis_profile(msisdn) WHERE msisdn IS NOT NULL;

CREATE TABLE isdr_keyset (
    eid               TEXT NOT NULL REFERENCES eis(eid) ON DELETE CASCADE,
    type              TEXT NOT NULL CHECK (type IN ('SCP80', 'SCP81')),
    kvn               INTEGER NOT NULL CHECK (kvn BETWEEN 1 AND 127),
    nkeys             INTEGER NOT NULL,
    wrapped           BLOB NOT NULL,
    counter           INTEGER NOT NULL DEFAULT 0,  -- SCP80: the last counter used (allocated here)
    PRIMARY KEY (eid, type, kvn)
) WITHOUT ROWID;

-- What happened to each card, for the operator and the MNOs (who did what, when).
CREATE TABLE eis_audit (
    id                INTEGER PRIMARY KEY,
    eid               TEXT NOT NULL,
    at_ms             INTEGER NOT NULL,
    actor             TEXT NOT NULL,
    event             TEXT NOT NULL,
    detail            TEXT
);

CREATE INDEX eis_audit_eid ON eis_audit(eid, id);
