-- SM-DP database, migration 4: orders and the outbox (SGP.02 ES2 functions that reach the card
-- through the SM-SR, architecture 6). An order is one accepted ES2 call, advanced step by step
-- by the order engine: queued (a step is due at next_ms) -> await-smsr (an ES3 call of the step
-- runs at the SM-SR; its result wakes the order) -> done. Per card one order at a time, in the
-- order they came. The answer goes to api_call, and the result to the MNO's outbox, in the
-- transaction that ends the order.
CREATE TABLE dp_order (
    id                INTEGER PRIMARY KEY,
    requester         TEXT NOT NULL,          -- the MNO's OID
    call_id           TEXT NOT NULL,
    function          TEXT NOT NULL,          -- es2.downloadProfile, es2.enableProfile, ...
    eid               TEXT NOT NULL,
    smsr_id           TEXT NOT NULL,
    iccid             TEXT,
    params            TEXT NOT NULL DEFAULT '{}', -- the request's members and the progress
    step              TEXT NOT NULL,          -- the function's own step names
    state             TEXT NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'await-smsr', 'done')),
    smsr_call         TEXT,                   -- functionCallIdentifier of the awaited ES3 call
    smsr_result       TEXT,                   -- its final response, once the SM-SR gave it
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    deadline_ms       INTEGER NOT NULL,
    next_ms           INTEGER NOT NULL,
    outcome           TEXT,                   -- Executed-Success | Executed-WithWarning | Failed | Expired
    finished_ms       INTEGER,
    UNIQUE (requester, call_id)
);

CREATE INDEX dp_order_active ON dp_order (eid, id) WHERE state <> 'done';
CREATE INDEX dp_order_due ON dp_order (next_ms) WHERE state <> 'done';
CREATE INDEX dp_order_smsr_call ON dp_order (smsr_call) WHERE state = 'await-smsr';

-- Messages to the MNOs (order results, progress, passed-on notifications): kept until the MNO
-- answered 2xx, retried with back-off (the same table as the SM-SR's).
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    target            TEXT NOT NULL,          -- entity OID
    path              TEXT NOT NULL,          -- appended to the entity's callback URL
    body              TEXT NOT NULL,
    eid               TEXT,                   -- the card it is about: its messages keep their order
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_ms        INTEGER NOT NULL,
    next_ms           INTEGER NOT NULL,
    delivered_ms      INTEGER,
    last_error        TEXT
);

CREATE INDEX outbox_due ON outbox (next_ms) WHERE delivered_ms IS NULL;
