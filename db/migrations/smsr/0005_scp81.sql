-- SM-SR database, migration 5: the HTTPS path of ES5 (SCP81 admin sessions). An operation
-- records the bearer its script goes by and the script itself, so that an admin session opened
-- by the card (after a trigger SMS) hands out exactly what was decided, and so that a session
-- that never comes falls back to SMS with the same script.
ALTER TABLE operation ADD COLUMN bearer TEXT NOT NULL DEFAULT 'sms'
    CHECK (bearer IN ('sms', 'https'));
ALTER TABLE operation ADD COLUMN script BLOB;
-- when an admin session took the script: one session per script (a card may open two)
ALTER TABLE operation ADD COLUMN handed_ms INTEGER;
CREATE INDEX operation_https ON operation(eid, id) WHERE state = 'sent' AND bearer = 'https';
