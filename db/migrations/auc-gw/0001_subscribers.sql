-- auc-gw database, migration 1: the subscribers the AuC serves. K and OPc are one blob wrapped
-- by the keystore (AES-256-GCM, the IMSI in the label); never in clear in a column. The SEQ of
-- the last vector handed out is kept so that a restart never repeats a sequence number
-- (3GPP TS 33.102 Annex C.3: SQN = SEQ || IND, IND 5 bits).
CREATE TABLE subscriber (
    imsi       TEXT PRIMARY KEY CHECK (length(imsi) BETWEEN 6 AND 15),
    iccid      TEXT,
    keys       BLOB NOT NULL,
    amf        TEXT NOT NULL CHECK (length(amf) = 4),
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
