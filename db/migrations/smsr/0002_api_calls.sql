-- SM-SR database, migration 2: the journal of accepted function calls.
-- SGP.02 identifies a call by its requester and FunctionCallIdentifier; a repeated identifier
-- is a retry and gets the recorded answer. Asynchronous functions keep their row in 'accepted'
-- or 'in-progress' until their final response is known.

CREATE TABLE api_call (
    requester    TEXT NOT NULL,
    call_id      TEXT NOT NULL,
    function     TEXT NOT NULL,
    request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
    state        TEXT NOT NULL CHECK (state IN ('accepted', 'in-progress', 'done')),
    http_status  INTEGER,
    response     TEXT,
    received_ms  INTEGER NOT NULL,
    deadline_ms  INTEGER,
    finished_ms  INTEGER,
    PRIMARY KEY (requester, call_id)
) WITHOUT ROWID;

CREATE INDEX api_call_open ON api_call(state) WHERE state <> 'done';
