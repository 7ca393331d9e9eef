-- SM-SR database, migration 4: the ES5 engine (SGP.02 ES4/ES3 functions that reach the card),
-- card notifications and the outbox of callbacks and notifications to MNOs and SM-DPs.

-- One row per platform operation, advanced by the engine: queued -> sent (a secured packet is
-- out, its PoR awaited) -> await-notification (the card accepted a profile change and will say
-- how it ended) -> done. Only one operation per card is past 'queued' at a time (card.* steps,
-- the engine's own confirmations, excepted). The answer goes to api_call in the transaction that
-- ends the operation.
CREATE TABLE operation (
    id                INTEGER PRIMARY KEY,
    requester         TEXT NOT NULL,          -- entity OID, or the SM-SR's own for card.* work
    call_id           TEXT NOT NULL,
    function          TEXT NOT NULL,          -- es4.enableProfile, card.notificationConfirmation
    eid               TEXT NOT NULL,
    iccid             TEXT,
    isdp_aid          TEXT,
    params            TEXT NOT NULL DEFAULT '{}',
    state             TEXT NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'sent', 'await-notification', 'done')),
    outcome           TEXT,                   -- Executed-Success | Executed-WithWarning | Failed | Expired
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    deadline_ms       INTEGER NOT NULL,
    next_ms           INTEGER NOT NULL,       -- when the engine looks at it again
    por_kvn           INTEGER,
    por_cntr          INTEGER,                -- counter of the packet whose PoR is awaited
    card_response     TEXT,                   -- hex of the card's last response script
    finished_ms       INTEGER,
    UNIQUE (requester, call_id)
);

CREATE INDEX operation_active ON operation(eid, id) WHERE state <> 'done';
CREATE INDEX operation_due ON operation(next_ms) WHERE state <> 'done';

-- Notifications the cards sent (SGP.02 7.10), deduplicated on (EID, sequence number).
CREATE TABLE card_notification (
    eid               TEXT NOT NULL,
    seq               INTEGER NOT NULL,
    type              INTEGER NOT NULL,
    isdp_aid          TEXT,
    imei              TEXT,
    received_ms       INTEGER NOT NULL,
    confirmed_ms      INTEGER,
    PRIMARY KEY (eid, seq)
) WITHOUT ROWID;

-- Messages to other entities (operation results, ES3/ES4 notifications): kept until the
-- receiver answered 2xx, retried with back-off; the receiver deduplicates on
-- functionCallIdentifier.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    target            TEXT NOT NULL,          -- entity OID
    path              TEXT NOT NULL,          -- appended to the entity's callback URL
    body              TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    next_ms           INTEGER NOT NULL,
    delivered_ms      INTEGER,
    last_error        TEXT
);

CREATE INDEX outbox_due ON outbox(next_ms) WHERE delivered_ms IS NULL;
