-- euicc-sim database, migration 1: the simulated cards. The whole state of a card (keys,
-- ISD-Ps, installed packages, counters, notifications) is one blob wrapped by the keystore
-- (AES-256-GCM under the simulator's KEK, the EID as authenticated label): no key is ever in a
-- column in clear. The MSISDN is kept apart to route SMS to the card.

CREATE TABLE card (
    eid        TEXT PRIMARY KEY CHECK (length(eid) = 32),
    msisdn     TEXT NOT NULL UNIQUE,
    state      BLOB NOT NULL,
    -- when the card has a notification to (re)send, the time it is due; NULL when none
    notify_ms  INTEGER,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);

CREATE INDEX card_notify ON card(notify_ms) WHERE notify_ms IS NOT NULL;

-- Small facts of the simulator: the serial numbers used for new cards.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
