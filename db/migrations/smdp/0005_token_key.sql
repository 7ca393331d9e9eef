-- SM-DP database, migration 5: what a master delete needs (SGP.02 v4 7.6). During a download the
-- SM-DP may load a token key (KVN 70) into the new ISD-P; it keeps that key, wrapped by the
-- keystore, and the ISD-P's AID, so that it can compute a delete token for the MNO later.
ALTER TABLE subscription ADD COLUMN isdp_aid TEXT;
ALTER TABLE subscription ADD COLUMN token_key BLOB;
