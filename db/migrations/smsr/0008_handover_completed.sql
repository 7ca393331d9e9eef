-- SM-SR database, migration 8: the new SM-SR keeps its consent to an SM-SR change once the card's
-- receipt matched (sgp02 7.8 step 5), with the time. A HandoverEUICC the previous SM-SR sends
-- again after it timed out is then answered from it, steps 3-5 skipped (7.8 "Retry").
ALTER TABLE handover ADD COLUMN completed_ms INTEGER;
