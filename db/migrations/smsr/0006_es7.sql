-- SM-SR database, migration 6: SM-SR change (SGP.02 7.8; ES4 PrepareSMSRChange / SMSRChange,
-- ES7 between the two SM-SRs).
--
-- An operation may now wait for the other SM-SR ('await-peer'): the current SM-SR's SMSRChange
-- waits for the new SM-SR's HandoverEUICC to end; the new SM-SR's HandoverEUICC waits for the
-- current SM-SR's answers to AuthenticateSMSR and CreateAdditionalKeySet. SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt with the same columns and indexes.
CREATE TABLE operation_v6 (
    id                INTEGER PRIMARY KEY,
    requester         TEXT NOT NULL,
    call_id           TEXT NOT NULL,
    function          TEXT NOT NULL,
    eid               TEXT NOT NULL,
    iccid             TEXT,
    isdp_aid          TEXT,
    params            TEXT NOT NULL DEFAULT '{}',
    state             TEXT NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'sent', 'await-notification', 'await-peer',
                                       'done')),
    outcome           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    deadline_ms       INTEGER NOT NULL,
    next_ms           INTEGER NOT NULL,
    por_kvn           INTEGER,
    por_cntr          INTEGER,
    card_response     TEXT,
    finished_ms       INTEGER,
    bearer            TEXT NOT NULL DEFAULT 'sms' CHECK (bearer IN ('sms', 'https')),
    script            BLOB,
    handed_ms         INTEGER,
    UNIQUE (requester, call_id)
);

INSERT INTO operation_v6 (id, requester, call_id, function, eid, iccid, isdp_aid, params, state,
                          outcome, attempts, created_ms, deadline_ms, next_ms, por_kvn, por_cntr,
                          card_response, finished_ms, bearer, script, handed_ms)
    SELECT id, requester, call_id, function, eid, iccid, isdp_aid, params, state, outcome,
           attempts, created_ms, deadline_ms, next_ms, por_kvn, por_cntr, card_response,
           finished_ms, bearer, script, handed_ms FROM operation;
DROP TABLE operation;
ALTER TABLE operation_v6 RENAME TO operation;
CREATE INDEX operation_active ON operation(eid, id) WHERE state <> 'done';
CREATE INDEX operation_due ON operation(next_ms) WHERE state <> 'done';
CREATE INDEX operation_https ON operation(eid, id) WHERE state = 'sent' AND bearer = 'https';

-- The new SM-SR's consent (ES4.PrepareSMSRChange): which card it agreed to take over from which
-- SM-SR, at whose request, until when. ES7.HandoverEUICC is accepted only against it.
CREATE TABLE handover (
    eid               TEXT PRIMARY KEY CHECK (length(eid) = 32),
    from_smsr         TEXT NOT NULL,
    mno_id            TEXT NOT NULL,
    prepared_ms       INTEGER NOT NULL,
    expires_ms        INTEGER NOT NULL
) WITHOUT ROWID;
