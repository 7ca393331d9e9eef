-- SM-SR database, migration 7: operations by card, finished ones included. The engine looks up
-- a card's operations by its EID (the PoR's operation by counter, the operation awaiting the
-- card's notification, the card's latest profile change, the last ES8 relay); without this index
-- each lookup scanned the whole table, which grows by every operation ever run (bench_smsr's
-- profile: two thirds of the SMS-path CPU).
CREATE INDEX operation_eid ON operation(eid, id);
