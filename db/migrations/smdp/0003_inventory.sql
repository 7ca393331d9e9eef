-- SM-DP database, migration 3: the profile inventory (SGP.02 3.1: the SM-DP prepares and keeps
-- the operator's profiles). A profile type is an MNO's product: a profile-package template with
-- the parameters every profile of the type shares (no secrets), its POL2 and the memory its
-- ISD-P needs. A subscription is one profile's identity: ICCID, IMSI and its secrets (K, OPc,
-- PINs, ADM), wrapped by the keystore, never in clear.
CREATE TABLE profile_type (
    mno_id            TEXT NOT NULL,
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    template          TEXT NOT NULL,          -- a shipped template's name, or its JSON
    params            TEXT NOT NULL,          -- JSON object: parameters shared by the type
    pol2              TEXT,                   -- JSON rules (ES2 pol2), NULL: none
    memory_required   INTEGER NOT NULL CHECK (memory_required >= 0),
    on_delete         TEXT NOT NULL CHECK (on_delete IN ('release', 'retire')),
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL,
    PRIMARY KEY (mno_id, name)
) WITHOUT ROWID;

CREATE TABLE subscription (
    iccid             TEXT PRIMARY KEY CHECK (length(iccid) BETWEEN 19 AND 20),
    mno_id            TEXT NOT NULL,
    profile_type      TEXT NOT NULL,
    imsi              TEXT NOT NULL UNIQUE CHECK (length(imsi) BETWEEN 6 AND 15),
    msisdn            TEXT,
    secrets           BLOB NOT NULL,          -- keystore-wrapped JSON object
    state             TEXT NOT NULL CHECK (state IN ('available', 'allocated', 'downloading',
                                         'installed', 'enabled', 'disabled', 'deleted',
                                         'retired')),
    eid               TEXT,
    order_ref         TEXT,                   -- the order holding it (requester/call identifier)
    batch             TEXT NOT NULL,          -- the load or generation that made it
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL,
    FOREIGN KEY (mno_id, profile_type) REFERENCES profile_type (mno_id, name)
);

-- allocation takes the lowest available ICCID of a type; a card's profiles by EID
CREATE INDEX subscription_available ON subscription (mno_id, profile_type, iccid)
    WHERE state = 'available';
CREATE INDEX subscription_eid ON subscription (eid) WHERE eid IS NOT NULL;
CREATE INDEX subscription_type_state ON subscription (mno_id, profile_type, state);
