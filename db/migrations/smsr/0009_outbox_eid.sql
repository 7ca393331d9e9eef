-- SM-SR database, migration 9: the card an outbox message is about. Several workers deliver the
-- outbox at once; the messages of one card still leave in order (a worker skips a card whose
-- earlier message is being delivered). NULL: no card (no order to keep).
ALTER TABLE outbox ADD COLUMN eid TEXT;
