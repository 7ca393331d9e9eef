/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "sm/log.h"

/* The columns smsr_ops.c reads into struct smdb_op, in this order. */
#define OP_COLS                                                                                    \
    "id, requester, call_id, function, eid, iccid, isdp_aid, params, state, attempts, "            \
    "created_ms, deadline_ms, next_ms, por_kvn, por_cntr, card_response, bearer, script"

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_BEGIN_READ] = "BEGIN DEFERRED",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_PING] = "SELECT count(*) FROM entity",
    [STMT_ENTITY_INSERT] = "INSERT INTO entity (id, name, role, callback_url, enabled, created_ms) "
                           "VALUES (:id, :name, :role, :callback_url, :enabled, :now)",
    [STMT_ENTITY_BY_ID_OR_NAME] =
        "SELECT id, name, role, callback_url, enabled FROM entity WHERE id = :key OR name = :key",
    [STMT_ENTITY_BY_CERT] =
        "SELECT e.id, e.name, e.role, e.callback_url, e.enabled FROM entity_cert c "
        "JOIN entity e ON e.id = c.entity_id WHERE c.fingerprint = :fp",
    [STMT_ENTITY_CERT_INSERT] =
        "INSERT INTO entity_cert (fingerprint, entity_id, subject, not_after, added_ms) "
        "VALUES (:fp, :entity_id, :subject, :not_after, :now)",
    [STMT_ENTITY_SET_ENABLED] = "UPDATE entity SET enabled = :enabled WHERE id = :id",
    [STMT_ENTITY_SET_CALLBACK] = "UPDATE entity SET callback_url = :url WHERE id = :id",
    [STMT_ENTITY_DELETE] = "DELETE FROM entity WHERE id = :id",
    [STMT_ENTITY_LIST] =
        "SELECT e.id, e.name, e.role, e.callback_url, e.enabled, "
        "(SELECT count(*) FROM entity_cert c WHERE c.entity_id = e.id) FROM entity e "
        "ORDER BY e.name",
    [STMT_CALL_INSERT] =
        "INSERT INTO api_call (requester, call_id, function, request_hash, state, received_ms, "
        "deadline_ms) VALUES (:requester, :call_id, :function, :hash, :state, :received, "
        ":deadline)",
    [STMT_CALL_GET] =
        "SELECT function, request_hash, state, http_status, response, received_ms, deadline_ms, "
        "finished_ms FROM api_call WHERE requester = :requester AND call_id = :call_id",
    [STMT_CALL_FINISH] =
        "UPDATE api_call SET state = 'done', http_status = :status, response = :response, "
        "finished_ms = :finished WHERE requester = :requester AND call_id = :call_id",
    [STMT_CALL_DELETE] = "DELETE FROM api_call WHERE requester = :requester AND call_id = :call_id",
    [STMT_CALL_UNFINISHED_DELETE] =
        "DELETE FROM api_call WHERE state <> 'done' AND function = :function",
    [STMT_SIM_INSERT] = "INSERT INTO card (eid, msisdn, state, notify_ms, created_ms, updated_ms) "
                        "VALUES (:eid, :msisdn, :state, :notify, :now, :now)",
    [STMT_SIM_UPDATE] = "UPDATE card SET state = :state, notify_ms = :notify, updated_ms = :now, "
                        "msisdn = coalesce(:msisdn, msisdn) WHERE eid = :eid",
    [STMT_SIM_DUE] = "SELECT eid FROM card WHERE notify_ms IS NOT NULL AND notify_ms <= :now "
                     "ORDER BY notify_ms LIMIT :limit",
    [STMT_SIM_GET] = "SELECT state FROM card WHERE eid = :eid",
    [STMT_SIM_BY_MSISDN] = "SELECT eid FROM card WHERE msisdn = :msisdn",
    [STMT_SIM_LIST] = "SELECT eid, msisdn FROM card WHERE eid > :after ORDER BY eid LIMIT :limit",
    [STMT_SIM_COUNT] = "SELECT count(*) FROM card",
    [STMT_SIM_META_GET] = "SELECT value FROM meta WHERE key = :key",
    [STMT_SIM_META_SET] = "INSERT INTO meta (key, value) VALUES (:key, :value) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [STMT_SR_EIS_INSERT] =
        "INSERT INTO eis (eid, eum_id, signed_info, eum_signature, isdr, remaining_memory, "
        "available_memory, http_support, cattp_support, state, registered_ms, updated_ms) VALUES "
        "(:eid, :eum, :si, :sig, :isdr, :rem, :avail, :http, :cattp, :state, :now, :now)",
    [STMT_SR_EIS_EXISTS] = "SELECT 1 FROM eis WHERE eid = :eid",
    [STMT_SR_PROFILE_INSERT] =
        "INSERT INTO eis_profile (eid, isdp_aid, iccid, mno_id, smdp_id, profile_type, state, "
        "fallback, allocated_memory, msisdn, imsi, pol2) VALUES (:eid, :aid, :iccid, :mno, :smdp, "
        ":type, :state, :fallback, :mem, :msisdn, :imsi, :pol2)",
    [STMT_SR_PROFILE_BY_ICCID] = "SELECT eid FROM eis_profile WHERE iccid = :iccid",
    [STMT_SR_KEYSET_INSERT] =
        "INSERT OR REPLACE INTO isdr_keyset (eid, type, kvn, nkeys, wrapped, counter) "
        "VALUES (:eid, :type, :kvn, :n, :w, :cntr)",
    [STMT_SR_AUDIT_INSERT] = "INSERT INTO eis_audit (eid, at_ms, actor, event, detail) "
                             "VALUES (:eid, :now, :actor, :event, :detail)",
    [STMT_SR_EIS_GET] = "SELECT eum_id, signed_info, eum_signature, isdr, remaining_memory, "
                        "available_memory, http_support, cattp_support, last_audit_ms, state, "
                        "registered_ms, updated_ms FROM eis WHERE eid = :eid",
    [STMT_SR_EIS_COUNT] = "SELECT count(*) FROM eis",
    [STMT_SR_PROFILES_OF] = "SELECT isdp_aid, iccid, mno_id, smdp_id, profile_type, state, "
                            "fallback, allocated_memory, msisdn, imsi, pol2 FROM eis_profile "
                            "WHERE eid = :eid ORDER BY isdp_aid",
    [STMT_SR_KEYSET_GET] = "SELECT nkeys, wrapped, counter FROM isdr_keyset "
                           "WHERE eid = :eid AND type = :type AND kvn = :kvn",
    [STMT_SR_AUDIT_LIST] = "SELECT at_ms, actor, event, detail FROM eis_audit WHERE eid = :eid "
                           "ORDER BY id LIMIT :max",
    [STMT_OP_INSERT] =
        "INSERT INTO operation (requester, call_id, function, eid, iccid, isdp_aid, params, "
        "created_ms, deadline_ms, next_ms) VALUES (:requester, :call_id, :function, :eid, :iccid, "
        ":aid, :params, :now, :deadline, :now)",
    /* a queued operation waits for every earlier unfinished one of its card (card.* steps
     * excepted: they run beside the operation that waits for them; so do the card commands the
     * new SM-SR asks for while the SMSRChange that waits for them holds the card). A card.*
     * step, first packet or repetition, does not cut into a sequence of scripts the card keeps
     * state across (a STORE DATA chain): not while an SM-SR change holds the card, nor while the
     * card's last ES3 relay asked for more (moreToDo) and is on its way or ended well within the
     * last minute */
    [STMT_OP_DUE] =
        "SELECT " OP_COLS " FROM operation o WHERE o.state <> 'done' AND "
        "o.next_ms <= :now AND ((o.function LIKE 'card.%' AND NOT EXISTS "
        "(SELECT 1 FROM operation h WHERE h.eid = o.eid AND h.state <> 'done' AND h.function = "
        "'es4.smsrChange') AND NOT EXISTS (SELECT 1 FROM operation r WHERE r.id = (SELECT "
        "max(q.id) FROM operation q WHERE q.eid = o.eid AND q.function IN ('es3.sendData', "
        "'es3.createISDP')) AND coalesce(json_extract(r.params, '$.moreToDo'), 0) AND (r.state "
        "<> 'done' OR (r.outcome IN ('Executed-Success', 'Executed-WithWarning') AND "
        "r.finished_ms > :now - 60000)))) OR o.function IN ('es7.authenticateSMSR', "
        "'es7.createAdditionalKeySet') OR "
        "(o.function NOT LIKE 'card.%' AND (o.state <> 'queued' OR NOT EXISTS (SELECT 1 FROM "
        "operation p WHERE p.eid = o.eid AND p.state <> 'done' AND p.id < o.id AND p.function "
        "NOT LIKE 'card.%')))) "
        "ORDER BY o.next_ms LIMIT 1",
    [STMT_OP_NEXT] = "SELECT min(next_ms) FROM operation WHERE state <> 'done'",
    [STMT_OP_UPDATE] =
        "UPDATE operation SET state = :state, attempts = :attempts, next_ms = "
        ":next, por_kvn = :kvn, por_cntr = :cntr, card_response = :resp, "
        "isdp_aid = :aid, bearer = :bearer, script = :script, params = :params WHERE id = :id",
    [STMT_OP_DONE] = "UPDATE operation SET state = 'done', outcome = :outcome, card_response = "
                     ":resp, finished_ms = :now WHERE id = :id AND state <> 'done'",
    [STMT_OP_BY_POR] = "SELECT " OP_COLS " FROM operation WHERE eid = :eid AND state = 'sent' "
                       "AND por_cntr = :cntr",
    [STMT_OP_AWAITING] = "SELECT " OP_COLS " FROM operation WHERE eid = :eid AND state = "
                         "'await-notification' ORDER BY id LIMIT 1",
    /* one statement, so that two sessions of the same card never take the same script */
    [STMT_OP_HTTPS_NEXT] = "UPDATE operation SET handed_ms = :now WHERE id = (SELECT id FROM "
                           "operation WHERE eid = :eid AND state = 'sent' AND bearer = 'https' "
                           "AND (handed_ms IS NULL OR handed_ms < :stale) ORDER BY id LIMIT 1) "
                           "RETURNING " OP_COLS,
    [STMT_OP_BY_ID] = "SELECT " OP_COLS " FROM operation WHERE id = :id",
    [STMT_OP_PENDING] = "SELECT count(*) FROM operation WHERE state <> 'done'",
    [STMT_OP_ORPHANS] = "DELETE FROM api_call WHERE state <> 'done' AND NOT EXISTS (SELECT 1 "
                        "FROM operation o WHERE o.requester = api_call.requester AND o.call_id "
                        "= api_call.call_id)",
    [STMT_KS_NEXT_CNTR] = "UPDATE isdr_keyset SET counter = counter + 1 WHERE eid = :eid AND "
                          "type = 'SCP80' AND kvn = :kvn RETURNING counter",
    [STMT_EID_BY_MSISDN] = "SELECT eid FROM eis_profile WHERE msisdn = :msisdn ORDER BY state "
                           "= 'Enabled' DESC LIMIT 1",
    [STMT_CARD_MSISDN] = "SELECT msisdn FROM eis_profile WHERE eid = :eid AND state = 'Enabled' "
                         "AND msisdn IS NOT NULL",
    [STMT_NOTIF_INSERT] = "INSERT INTO card_notification (eid, seq, type, isdp_aid, imei, "
                          "received_ms) VALUES (:eid, :seq, :type, :aid, :imei, :now)",
    [STMT_NOTIF_SINCE] = "SELECT type FROM card_notification WHERE eid = :eid AND received_ms "
                         ">= :since AND type IN (2, 3, 5) ORDER BY received_ms DESC LIMIT 1",
    [STMT_OP_LAST_CHANGE] =
        "SELECT outcome, created_ms, attempts FROM operation WHERE eid = :eid AND "
        "(function LIKE '%.enableProfile' OR function LIKE '%.disableProfile') "
        "ORDER BY id DESC LIMIT 1",
    [STMT_NOTIF_COUNT_SINCE] = "SELECT count(*) FROM card_notification WHERE eid = :eid AND "
                               "received_ms >= :since AND type IN (2, 3, 5) AND seq <> :seq",
    [STMT_NOTIF_REFUSED_GET] = "SELECT confirmed_ms FROM card_notification WHERE eid = :eid AND "
                               "seq = :seq",
    [STMT_NOTIF_CONFIRMED] = "UPDATE card_notification SET confirmed_ms = :now WHERE eid = :eid "
                             "AND seq = :seq",
    [STMT_PROFILE_UPDATE] = "UPDATE eis_profile SET state = coalesce(:state, state), fallback = "
                            "coalesce(:fallback, fallback) WHERE eid = :eid AND isdp_aid = :aid",
    [STMT_PROFILE_DISABLE_OTHERS] = "UPDATE eis_profile SET state = 'Disabled' WHERE eid = :eid "
                                    "AND isdp_aid <> :aid AND state = 'Enabled'",
    [STMT_PROFILE_SET] =
        "UPDATE eis_profile SET state = coalesce(:state, state), pol2 = coalesce(:pol2, pol2), "
        "imsi = coalesce(:imsi, imsi), msisdn = coalesce(:msisdn, msisdn), profile_type = "
        "coalesce(:type, profile_type) WHERE eid = :eid AND isdp_aid = :aid",
    [STMT_PROFILE_DELETE] = "DELETE FROM eis_profile WHERE eid = :eid AND isdp_aid = :aid",
    [STMT_EIS_AUDITED] = "UPDATE eis SET remaining_memory = :rem, last_audit_ms = :now, "
                         "updated_ms = :now WHERE eid = :eid",
    [STMT_OUTBOX_INSERT] = "INSERT INTO outbox (target, path, body, eid, created_ms, next_ms) "
                           "VALUES (:target, :path, :body, :eid, :now, :now)",
    [STMT_OUTBOX_DUE] = "SELECT id, eid FROM outbox WHERE delivered_ms IS NULL AND next_ms <= :now "
                        "ORDER BY next_ms, id LIMIT :limit",
    [STMT_OUTBOX_GET] = "SELECT target, path, body, attempts FROM outbox WHERE id = :id AND "
                        "delivered_ms IS NULL",
    [STMT_OUTBOX_RESULT] = "UPDATE outbox SET attempts = attempts + 1, delivered_ms = CASE WHEN "
                           ":error IS NULL THEN :now END, last_error = :error, next_ms = :next "
                           "WHERE id = :id",
    [STMT_OUTBOX_PENDING] = "SELECT count(*) FROM outbox WHERE delivered_ms IS NULL",
    [STMT_OP_ACTIVE_FN] = "SELECT " OP_COLS " FROM operation WHERE eid = :eid AND function = "
                          "'es4.smsrChange' AND state <> 'done' ORDER BY id LIMIT 1",
    /* the other SM-SR says its part ended: look at the waiting operation now */
    [STMT_OP_PEER_WAKE] =
        "UPDATE operation SET next_ms = :now WHERE state <> 'done' AND state = 'await-peer' AND "
        "json_extract(params, '$.peer') = :peer AND (:call IS NULL OR "
        "json_extract(params, '$.peerCall') = :call) AND (:eid IS NULL OR eid "
        "= :eid)",
    /* is a chain of ES8 scripts open on the card (the requester's last relay asked for more and
     * did not fail)? */
    [STMT_OP_LAST_RELAY] = "SELECT coalesce(json_extract(params, '$.moreToDo'), 0) AND (state <> "
                           "'done' OR outcome IN ('Executed-Success', 'Executed-WithWarning')) "
                           "FROM operation WHERE eid = :eid AND requester = :req AND function IN "
                           "('es3.sendData', 'es3.createISDP') ORDER BY id DESC LIMIT 1",
    [STMT_SR_EIS_SET_STATE] = "UPDATE eis SET state = :state, updated_ms = :now WHERE eid = :eid",
    [STMT_SR_EIS_SET_ISDR] = "UPDATE eis SET isdr = :isdr, updated_ms = :now WHERE eid = :eid",
    [STMT_SR_EIS_DELETE] = "DELETE FROM eis WHERE eid = :eid",
    [STMT_SR_KEYSET_DELETE] = "DELETE FROM isdr_keyset WHERE eid = :eid AND type = :type AND "
                              "kvn = :kvn",
    [STMT_HO_PUT] = "INSERT OR REPLACE INTO handover (eid, from_smsr, mno_id, prepared_ms, "
                    "expires_ms) VALUES (:eid, :from, :mno, :now, :expires)",
    [STMT_HO_GET] = "SELECT from_smsr, mno_id, prepared_ms, expires_ms, completed_ms FROM handover "
                    "WHERE eid = :eid",
    [STMT_HO_COMPLETE] = "UPDATE handover SET completed_ms = :now WHERE eid = :eid",
    [STMT_DP_TYPE_PUT] =
        "INSERT INTO profile_type (mno_id, name, template, params, pol2, memory_required, "
        "on_delete, created_ms, updated_ms) VALUES (:mno, :name, :template, :params, :pol2, "
        ":memory, :on_delete, :now, :now) ON CONFLICT (mno_id, name) DO UPDATE SET template = "
        "excluded.template, params = excluded.params, pol2 = excluded.pol2, memory_required = "
        "excluded.memory_required, on_delete = excluded.on_delete, updated_ms = "
        "excluded.updated_ms",
    [STMT_DP_TYPE_GET] = "SELECT template, params, pol2, memory_required, on_delete, created_ms, "
                         "updated_ms FROM profile_type WHERE mno_id = :mno AND name = :name",
    [STMT_DP_SUB_INSERT] =
        "INSERT INTO subscription (iccid, mno_id, profile_type, imsi, msisdn, secrets, state, "
        "batch, created_ms, updated_ms) VALUES (:iccid, :mno, :type, :imsi, :msisdn, :secrets, "
        "'available', :batch, :now, :now)",
    [STMT_DP_SUB_GET] = "SELECT mno_id, profile_type, imsi, msisdn, secrets, state, eid, "
                        "order_ref, batch, created_ms, updated_ms, isdp_aid, token_key FROM "
                        "subscription WHERE iccid = :iccid",
    [STMT_DP_SUB_TOKEN] = "UPDATE subscription SET isdp_aid = :aid, token_key = :key, updated_ms "
                          "= :now WHERE iccid = :iccid",
    [STMT_DP_SUB_ALLOCATE] =
        "UPDATE subscription SET state = 'allocated', eid = :eid, order_ref = :order, "
        "updated_ms = :now WHERE iccid = (SELECT iccid FROM subscription WHERE mno_id = :mno "
        "AND profile_type = :type AND state = 'available' ORDER BY iccid LIMIT 1) RETURNING iccid",
    [STMT_DP_SUB_STATE] = "UPDATE subscription SET state = :to, updated_ms = :now WHERE iccid = "
                          ":iccid AND (:from IS NULL OR state = :from)",
    [STMT_DP_SUB_RELEASE] =
        "UPDATE subscription SET state = CASE (SELECT on_delete FROM profile_type t WHERE "
        "t.mno_id = subscription.mno_id AND t.name = subscription.profile_type) WHEN 'retire' "
        "THEN 'retired' ELSE 'available' END, eid = NULL, order_ref = NULL, updated_ms = :now "
        "WHERE iccid = :iccid AND state NOT IN ('available', 'retired') RETURNING state",
    [STMT_DP_SUB_ADDRESS] = "UPDATE subscription SET imsi = coalesce(:imsi, imsi), msisdn = "
                            "coalesce(:msisdn, msisdn), updated_ms = :now WHERE iccid = :iccid",
    [STMT_DP_COUNTS] = "SELECT mno_id, profile_type, state, count(*) FROM subscription WHERE "
                       "(:mno IS NULL OR mno_id = :mno) GROUP BY mno_id, profile_type, state "
                       "ORDER BY mno_id, profile_type, state",
    [STMT_DP_SUB_TAKE] = "UPDATE subscription SET state = 'allocated', eid = :eid, order_ref = "
                         ":order, updated_ms = :now WHERE iccid = :iccid AND mno_id = :mno AND "
                         "state = 'available'",
#define ORD_COLS                                                                                   \
    "id, requester, call_id, function, eid, smsr_id, iccid, params, step, state, smsr_call, "      \
    "smsr_result, attempts, created_ms, deadline_ms, next_ms"
    [STMT_ORD_INSERT] =
        "INSERT INTO dp_order (requester, call_id, function, eid, smsr_id, iccid, params, step, "
        "created_ms, deadline_ms, next_ms) VALUES (:requester, :call_id, :function, :eid, :smsr, "
        ":iccid, :params, :step, :now, :deadline, :now)",
    /* due, and the first unfinished order of its card */
    [STMT_ORD_DUE] = "SELECT id, eid FROM dp_order o WHERE state <> 'done' AND next_ms <= :now "
                     "AND NOT EXISTS (SELECT 1 FROM dp_order p WHERE p.eid = o.eid AND p.state <> "
                     "'done' AND p.id < o.id) ORDER BY next_ms, id LIMIT :limit",
    /* when the next order will be due: the first unfinished order of each card (a later one
     * waits for it, however due it is) */
    [STMT_ORD_NEXT] = "SELECT min(next_ms) FROM dp_order o WHERE state <> 'done' AND NOT EXISTS "
                      "(SELECT 1 FROM dp_order p WHERE p.eid = o.eid AND p.state <> 'done' AND "
                      "p.id < o.id)",
    [STMT_ORD_GET] = "SELECT " ORD_COLS " FROM dp_order WHERE id = :id",
    /* a result the SM-SR delivered for the call still awaited is kept, and keeps it due */
    [STMT_ORD_UPDATE] =
        "UPDATE dp_order SET step = :step, state = :state, iccid = :iccid, params = :params, "
        "smsr_call = :call, smsr_result = CASE WHEN :state = 'await-smsr' AND smsr_call IS :call "
        "THEN coalesce(smsr_result, :result) ELSE :result END, attempts = :attempts, next_ms = "
        "CASE WHEN :state = 'await-smsr' AND smsr_call IS :call AND smsr_result IS NOT NULL THEN "
        "next_ms ELSE :next END WHERE id = :id AND state <> 'done'",
    [STMT_ORD_SMSR_RESULT] = "UPDATE dp_order SET smsr_result = :result, next_ms = :now WHERE "
                             "state = 'await-smsr' AND smsr_call = :call AND smsr_id = :smsr",
    [STMT_ORD_DONE] = "UPDATE dp_order SET state = 'done', outcome = :outcome, step = :step, "
                      "params = :params, iccid = :iccid, finished_ms = :now WHERE id = :id",
    [STMT_ORD_PENDING] = "SELECT count(*) FROM dp_order WHERE state <> 'done'",
    [STMT_ORD_ORPHANS] = "DELETE FROM api_call WHERE state <> 'done' AND NOT EXISTS (SELECT 1 "
                         "FROM dp_order o WHERE o.requester = api_call.requester AND o.call_id "
                         "= api_call.call_id)",
    /* a subscriber loaded again keeps the SEQ it reached (never a sequence number twice) */
    [STMT_AUC_PUT] =
        "INSERT INTO subscriber (imsi, iccid, keys, amf, seq, created_ms, updated_ms) VALUES "
        "(:imsi, :iccid, :keys, :amf, :seq, :now, :now) ON CONFLICT (imsi) DO UPDATE SET iccid = "
        "excluded.iccid, keys = excluded.keys, amf = excluded.amf, seq = max(seq, excluded.seq), "
        "updated_ms = excluded.updated_ms",
    [STMT_AUC_GET] = "SELECT keys, amf, seq FROM subscriber WHERE imsi = :imsi",
    /* the next SEQ, committed before the vector that uses it leaves */
    [STMT_AUC_NEXT_SEQ] = "UPDATE subscriber SET seq = seq + :n, updated_ms = :now WHERE imsi = "
                          ":imsi RETURNING seq",
    [STMT_AUC_RESYNC] =
        "UPDATE subscriber SET seq = :seq, updated_ms = :now WHERE imsi = :imsi AND "
        "seq < :seq",
    [STMT_AUC_COUNT] = "SELECT count(*) FROM subscriber",
    [STMT_AUC_LIST] = "SELECT imsi, iccid, amf, seq, updated_ms FROM subscriber WHERE imsi > "
                      ":after ORDER BY imsi LIMIT 256",
    [STMT_AUC_DELETE] = "DELETE FROM subscriber WHERE imsi = :imsi",
};

/* The schemas a statement is prepared in (bit 1 << enum smdb_schema). */
static unsigned stmt_schemas(int i)
{
    if (i <= STMT_ROLLBACK)
        return ~0u; /* transaction control */
    if (i >= STMT_AUC_PUT)
        return 1u << SMDB_SCHEMA_AUC;
    if (i >= STMT_OUTBOX_INSERT && i <= STMT_OUTBOX_PENDING)
        return 1u << SMDB_SCHEMA_SMSR | 1u << SMDB_SCHEMA_SMDP; /* both keep an outbox */
    if (i >= STMT_DP_TYPE_PUT)
        return 1u << SMDB_SCHEMA_SMDP;
    if (i >= STMT_SR_EIS_INSERT)
        return 1u << SMDB_SCHEMA_SMSR;
    if (i >= STMT_SIM_INSERT)
        return 1u << SMDB_SCHEMA_SIM;
    return 1u << SMDB_SCHEMA_DAEMON | 1u << SMDB_SCHEMA_SMSR | 1u << SMDB_SCHEMA_SMDP;
}

struct smdb_conn *smdb_tx_open(struct smdb *db, int *rc)
{
    struct smdb_conn *c = smdb_acquire(db);

    *rc = smdb_tx_begin(db, c);
    if (*rc) {
        smdb_release(db, c);
        return NULL;
    }
    return c;
}

int smdb_tx_end(struct smdb *db, struct smdb_conn *c, int rc)
{
    if (rc)
        smdb_tx_rollback(db, c);
    else
        rc = smdb_tx_commit(db, c);
    smdb_release(db, c);
    return rc;
}

int64_t smdb_next_wait(struct smdb *db, enum smdb_stmt stmt, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, stmt);
    int64_t wait = -1;

    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        wait = sqlite3_column_int64(s, 0) - now_ms;
        if (wait < 0)
            wait = 0;
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return wait;
}

int smdb_due_list(struct smdb *db, enum smdb_stmt stmt, const char *what, int64_t now_ms,
                  struct smdb_due *out, size_t max, size_t *n)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, stmt);
    int rc;

    *n = 0;
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":limit", (int64_t)max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
        out[*n].id = sqlite3_column_int64(s, 0);
        smdb_col_text(s, 1, out[*n].eid, sizeof(out[*n].eid));
        (*n)++;
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : smdb_fail(db, c, what, rc);
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_exec_changes(struct smdb *db, enum smdb_stmt stmt, const char *what, unsigned *n)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = smdb_exec_stmt(db, c, smdb_stmt(c, stmt), what);

    *n = rc ? 0 : (unsigned)sqlite3_changes(c->h);
    smdb_release(db, c);
    return rc;
}

int smdb_call_finish_on(struct smdb *db, struct smdb_conn *c, const char *requester,
                        const char *call_id, int http_status, const char *response, int64_t now_ms)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_CALL_FINISH);

    smdb_bind_int64(s, ":status", http_status);
    smdb_bind_text(s, ":response", response);
    smdb_bind_int64(s, ":finished", now_ms);
    smdb_bind_text(s, ":requester", requester);
    smdb_bind_text(s, ":call_id", call_id);
    return smdb_exec_stmt(db, c, s, "call finish");
}

int smdb_outbox_put_on(struct smdb *db, struct smdb_conn *c, const char *target, const char *path,
                       const char *body, const char *eid, int64_t now_ms)
{
    sqlite3_stmt *s = smdb_stmt(c, STMT_OUTBOX_INSERT);

    smdb_bind_text(s, ":target", target);
    smdb_bind_text(s, ":path", path);
    smdb_bind_text(s, ":body", body);
    smdb_bind_opt(s, ":eid", eid);
    smdb_bind_int64(s, ":now", now_ms);
    return smdb_exec_stmt(db, c, s, "outbox insert");
}

int smdb_scalar(struct smdb *db, enum smdb_stmt stmt, const char *what, int64_t *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, stmt);
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = 0;
    } else {
        rc = smdb_fail(db, c, what, rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_fail(struct smdb *db, struct smdb_conn *c, const char *what, int rc)
{
    atomic_fetch_add(&db->errors, 1);
    SM_LOGE(SM_LOG_DB, db->path, "%s: %s (%d)", what, c && c->h ? sqlite3_errmsg(c->h) : "", rc);
    return -EIO;
}

unsigned long smdb_error_count(struct smdb *db)
{
    return atomic_load(&db->errors);
}

int smdb_bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    return sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, name), v, -1, SQLITE_TRANSIENT);
}

int smdb_bind_blob(sqlite3_stmt *s, const char *name, const void *v, size_t n)
{
    return sqlite3_bind_blob(s, sqlite3_bind_parameter_index(s, name), v, (int)n, SQLITE_TRANSIENT);
}

int smdb_bind_int64(sqlite3_stmt *s, const char *name, int64_t v)
{
    return sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
}

int smdb_bind_null(sqlite3_stmt *s, const char *name)
{
    return sqlite3_bind_null(s, sqlite3_bind_parameter_index(s, name));
}

void smdb_bind_opt(sqlite3_stmt *s, const char *name, const char *v)
{
    if (v && v[0])
        smdb_bind_text(s, name, v);
    else
        smdb_bind_null(s, name);
}

void smdb_col_text(sqlite3_stmt *s, int col, char *out, size_t n)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    snprintf(out, n, "%s", t ? (const char *)t : "");
}

sqlite3_stmt *smdb_stmt(struct smdb_conn *c, enum smdb_stmt idx)
{
    sqlite3_stmt *s = c->stmt[idx];

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

int smdb_exec_stmt(struct smdb *db, struct smdb_conn *c, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    /* constraint failures are answers about the data, not storage errors */
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return -ENOENT;
    if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
        return -EINVAL;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return -EEXIST;
    return smdb_fail(db, c, what, rc);
}

/* The unit of work open on this thread (smdb_unit_begin): the smdb calls made meanwhile share
 * its connection and transaction; their own transactions become savepoints in it. */
static __thread struct {
    struct smdb *db;
    struct smdb_conn *c;
    unsigned depth;
} unit;

static bool in_unit(const struct smdb *db, const struct smdb_conn *c)
{
    return unit.c && unit.db == db && unit.c == c;
}

static int exec_sql(struct smdb *db, struct smdb_conn *c, const char *sql)
{
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : smdb_fail(db, c, sql, rc);
}

int smdb_tx_begin(struct smdb *db, struct smdb_conn *c)
{
    if (in_unit(db, c))
        return exec_sql(db, c, "SAVEPOINT smdb_tx");
    return smdb_exec_stmt(db, c, smdb_stmt(c, STMT_BEGIN), "begin");
}

int smdb_tx_begin_read(struct smdb *db, struct smdb_conn *c)
{
    if (in_unit(db, c))
        return exec_sql(db, c, "SAVEPOINT smdb_tx");
    return smdb_exec_stmt(db, c, smdb_stmt(c, STMT_BEGIN_READ), "begin read");
}

int smdb_tx_commit(struct smdb *db, struct smdb_conn *c)
{
    int rc;

    if (in_unit(db, c)) {
        rc = exec_sql(db, c, "RELEASE smdb_tx");
        if (rc)
            smdb_tx_rollback(db, c);
        return rc;
    }
    rc = smdb_exec_stmt(db, c, smdb_stmt(c, STMT_COMMIT), "commit");
    if (rc)
        smdb_tx_rollback(db, c);
    return rc;
}

void smdb_tx_rollback(struct smdb *db, struct smdb_conn *c)
{
    if (in_unit(db, c)) {
        /* undo the part, keep the unit */
        exec_sql(db, c, "ROLLBACK TO smdb_tx");
        exec_sql(db, c, "RELEASE smdb_tx");
        return;
    }
    if (!sqlite3_get_autocommit(c->h))
        smdb_exec_stmt(db, c, smdb_stmt(c, STMT_ROLLBACK), "rollback");
}

int smdb_unit_begin(struct smdb *db)
{
    struct smdb_conn *c;
    int rc;

    if (unit.c) {
        if (unit.db != db)
            return -EBUSY;
        unit.depth++;
        return 0;
    }
    c = smdb_acquire(db);
    rc = smdb_exec_stmt(db, c, smdb_stmt(c, STMT_BEGIN), "begin");
    if (rc) {
        smdb_release(db, c);
        return rc;
    }
    unit.db = db;
    unit.c = c;
    unit.depth = 1;
    return 0;
}

int smdb_unit_end(struct smdb *db, int rc)
{
    struct smdb_conn *c = unit.c;

    if (!c || unit.db != db)
        return rc ? rc : -EINVAL;
    if (--unit.depth)
        return rc;
    unit.db = NULL;
    unit.c = NULL;
    return smdb_tx_end(db, c, rc);
}

bool smdb_unit_active(const struct smdb *db)
{
    return unit.c && unit.db == db;
}

struct smdb_conn *smdb_acquire(struct smdb *db)
{
    struct smdb_conn *c = NULL;

    if (unit.c && unit.db == db)
        return unit.c;
    pthread_mutex_lock(&db->mu);
    for (;;) {
        for (unsigned i = 0; i < db->nconns; i++) {
            if (!db->conns[i].busy) {
                c = &db->conns[i];
                c->busy = true;
                c->changes_mark = sqlite3_total_changes64(c->h);
                break;
            }
        }
        if (c)
            break;
        pthread_cond_wait(&db->cv, &db->mu);
    }
    pthread_mutex_unlock(&db->mu);
    return c;
}

void smdb_release(struct smdb *db, struct smdb_conn *c)
{
    if (in_unit(db, c))
        return; /* the unit's end releases it */
    /* a statement left mid-transaction by an error path must not leak into the next user */
    if (!sqlite3_get_autocommit(c->h))
        sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
    /* something was written (and committed, or rolled back: a spare flush costs nothing) */
    if (sqlite3_total_changes64(c->h) != c->changes_mark)
        atomic_fetch_add(&db->commits, 1);
    pthread_mutex_lock(&db->mu);
    c->busy = false;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

int smdb_ping(struct smdb *db)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_PING);
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    rc = rc == SQLITE_ROW ? 0 : smdb_fail(db, c, "ping", rc);
    smdb_release(db, c);
    return rc;
}

int smdb_version(struct smdb *db)
{
    return db->version;
}

/* ---- migrations ---- */

static int migration_number(const char *name)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return name[4] == '_' ? v : -1;
}

int smdb_migrations_latest(const struct sm_embedded_file *set)
{
    int n = 0;

    for (; set[n].name; n++)
        if (migration_number(set[n].name) != n + 1)
            return -EINVAL;
    return n;
}

static int user_version(sqlite3 *h, int *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL);

    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

static int migrate(sqlite3 *h, const struct smdb_config *cfg, int *version, char *why,
                   size_t whylen)
{
    int latest = smdb_migrations_latest(cfg->migrations), cur = 0, target;
    char *err = NULL, sql[64];

    if (latest < 0) {
        snprintf(why, whylen, "migration files are not numbered 0001..N");
        return -EINVAL;
    }
    target = cfg->max_version > 0 && cfg->max_version < latest ? cfg->max_version : latest;
    if (user_version(h, &cur) != SQLITE_OK) {
        snprintf(why, whylen, "cannot read schema version: %s", sqlite3_errmsg(h));
        return -EIO;
    }
    if (cur > latest) {
        snprintf(why, whylen, "database schema version %d is newer than this program (%d)", cur,
                 latest);
        return -EINVAL;
    }
    if (cur > 0 && cur < target && !cfg->no_backup) {
        char *bak = sqlite3_mprintf("VACUUM INTO '%q.pre-v%d'", cfg->path, target);
        int rc = sqlite3_exec(h, bak, NULL, NULL, &err);

        sqlite3_free(bak);
        if (rc != SQLITE_OK) {
            snprintf(why, whylen, "cannot back up before upgrading: %s", err ? err : "");
            sqlite3_free(err);
            return -EIO;
        }
        SM_LOGN(SM_LOG_DB, cfg->path, "backed up schema version %d to %s.pre-v%d", cur, cfg->path,
                target);
    }
    for (int v = cur + 1; v <= target; v++) {
        const struct sm_embedded_file *m = &cfg->migrations[v - 1];

        /* one transaction per migration: a failed one leaves the previous version intact */
        if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(h, m->text, NULL, NULL, &err) != SQLITE_OK) {
            snprintf(why, whylen, "migration %s failed: %s", m->name, err ? err : "");
            sqlite3_free(err);
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
            return -EIO;
        }
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
        if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(h, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            snprintf(why, whylen, "migration %s failed: %s", m->name, err ? err : "");
            sqlite3_free(err);
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
            return -EIO;
        }
        SM_LOGN(SM_LOG_DB, cfg->path, "applied migration %s", m->name);
    }
    *version = target;
    return 0;
}

static int prepare_all(struct smdb_conn *c, enum smdb_schema schema, char *why, size_t whylen)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        if (!(stmt_schemas(i) & 1u << schema))
            continue; /* those tables are not in this database */
        if (sqlite3_prepare_v3(c->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[i],
                               NULL) != SQLITE_OK) {
            snprintf(why, whylen, "cannot prepare statement %d: %s", i, sqlite3_errmsg(c->h));
            return -EIO;
        }
    }
    return 0;
}

static int open_conn(const struct smdb_config *cfg, struct smdb_conn *c, bool prepare, char *why,
                     size_t whylen)
{
    char pragmas[160];
    char *err = NULL;
    int rc;

    rc = sqlite3_open_v2(cfg->path, &c->h,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, whylen, "cannot open %s: %s", cfg->path,
                 c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
        return -EIO;
    }
    sqlite3_extended_result_codes(c->h, 1);
    sqlite3_busy_timeout(c->h, cfg->busy_timeout_ms ? (int)cfg->busy_timeout_ms : 5000);
    /* synchronous=FULL: a COMMIT is on disk before the request is acknowledged; group: it is
     * written, and smdb_sync puts it on disk before anything reports it (sm/durable.h) */
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s; PRAGMA foreign_keys = ON;",
             cfg->synchronous &&
                     (!strcmp(cfg->synchronous, "normal") || !strcmp(cfg->synchronous, "group"))
                 ? "NORMAL"
                 : "FULL");
    if (sqlite3_exec(c->h, pragmas, NULL, NULL, &err) != SQLITE_OK) {
        snprintf(why, whylen, "cannot configure %s: %s", cfg->path, err ? err : "");
        sqlite3_free(err);
        return -EIO;
    }
    return prepare ? prepare_all(c, cfg->schema, why, whylen) : 0;
}

static void close_conn(struct smdb_conn *c)
{
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->h);
}

int smdb_open(const struct smdb_config *cfg, struct smdb **out, char *why, size_t whylen)
{
    struct smdb *db = calloc(1, sizeof(*db));
    bool full;
    int rc;

    if (!db)
        return -ENOMEM;
    db->path = strdup(cfg->path);
    db->nconns = cfg->pool_size ? cfg->pool_size : 1;
    db->conns = calloc(db->nconns, sizeof(*db->conns));
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    pthread_mutex_init(&db->sync_mu, NULL);
    pthread_cond_init(&db->sync_cv, NULL);
    db->wal_fd = -1;
    db->group = cfg->synchronous && !strcmp(cfg->synchronous, "group");
    if (!db->path || !db->conns) {
        smdb_close(db);
        return -ENOMEM;
    }
    /* the first connection migrates; statements can only be prepared against the final schema */
    rc = open_conn(cfg, &db->conns[0], false, why, whylen);
    if (!rc)
        rc = migrate(db->conns[0].h, cfg, &db->version, why, whylen);
    if (rc) {
        smdb_close(db);
        return rc;
    }
    full = db->version == smdb_migrations_latest(cfg->migrations);
    if (!full) {
        /* a partially migrated database (tests of upgrades) is not for use */
        *out = db;
        return 0;
    }
    rc = prepare_all(&db->conns[0], cfg->schema, why, whylen);
    for (unsigned i = 1; i < db->nconns && !rc; i++)
        rc = open_conn(cfg, &db->conns[i], true, why, whylen);
    if (rc) {
        smdb_close(db);
        return rc;
    }
    SM_LOGI(SM_LOG_DB, cfg->path, "open, schema version %d, %u connections", db->version,
            db->nconns);
    *out = db;
    return 0;
}

void smdb_close(struct smdb *db)
{
    if (!db)
        return;
    for (unsigned i = 0; db->conns && i < db->nconns; i++)
        close_conn(&db->conns[i]);
    free(db->conns);
    if (db->wal_fd >= 0)
        close(db->wal_fd);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    pthread_mutex_destroy(&db->sync_mu);
    pthread_cond_destroy(&db->sync_cv);
    free(db->path);
    free(db);
}

/* One flush of the WAL for everything committed before it started. The WAL's pages are in the
 * page cache once COMMIT returns (synchronous = NORMAL); fdatasync of the file (the same inode
 * SQLite writes) puts them on disk. */
static int flush_wal(struct smdb *db)
{
    if (db->wal_fd < 0) {
        char wal[1100];

        snprintf(wal, sizeof(wal), "%s-wal", db->path);
        db->wal_fd = open(wal, O_RDONLY | O_CLOEXEC);
        if (db->wal_fd < 0)
            return errno == ENOENT ? 0 : -errno; /* nothing written yet */
    }
    atomic_fetch_add(&db->flushes, 1);
    return fdatasync(db->wal_fd) ? -errno : 0;
}

unsigned long smdb_flush_count(struct smdb *db)
{
    return atomic_load(&db->flushes);
}

unsigned long smdb_write_count(struct smdb *db)
{
    return atomic_load(&db->commits);
}

int smdb_sync(struct smdb *db)
{
    unsigned long want;
    int rc = 0;

    if (!db || !db->group)
        return 0;
    want = atomic_load(&db->commits);
    pthread_mutex_lock(&db->sync_mu);
    while (!rc && db->synced < want) {
        if (db->syncing) {
            /* a flush is running: it may not cover us (it started earlier); wait and look */
            pthread_cond_wait(&db->sync_cv, &db->sync_mu);
            continue;
        }
        unsigned long upto = atomic_load(&db->commits);

        db->syncing = true;
        pthread_mutex_unlock(&db->sync_mu);
        rc = flush_wal(db);
        pthread_mutex_lock(&db->sync_mu);
        db->syncing = false;
        if (!rc && upto > db->synced)
            db->synced = upto;
        pthread_cond_broadcast(&db->sync_cv);
    }
    pthread_mutex_unlock(&db->sync_mu);
    if (rc) {
        atomic_fetch_add(&db->errors, 1);
        SM_LOGE(SM_LOG_DB, db->path, "the write-ahead log could not be flushed: %s", strerror(-rc));
    }
    return rc;
}

int smdb_full_scans(struct smdb *db, char *out, size_t outlen)
{
    /* the tables that grow with use: a statement must reach their rows through an index */
    static const char *const growing[] = {
        "operation",   "card_notification", "outbox", "eis_audit", "api_call",
        "eis_profile", "isdr_keyset",       "eis",    "handover",  "card",
        "subscription"};
    struct smdb_conn *c = smdb_acquire(db);
    size_t used = 0;
    int found = 0;

    if (outlen)
        out[0] = 0;
    for (int i = 0; i < STMT_COUNT; i++) {
        sqlite3_stmt *q = NULL;
        char *sql;

        if (!c->stmt[i])
            continue; /* not in this database's schema */
        if (!strncmp(stmt_sql[i], "SELECT count(*)", 15))
            continue; /* a gauge for /metrics: counting is walking, by definition */
        sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", stmt_sql[i]);
        if (!sql || sqlite3_prepare_v2(c->h, sql, -1, &q, NULL) != SQLITE_OK) {
            sqlite3_free(sql);
            continue;
        }
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *d = (const char *)sqlite3_column_text(q, 3);

            if (!d || strncmp(d, "SCAN ", 5) || strstr(d, " USING "))
                continue;
            for (size_t t = 0; t < sizeof(growing) / sizeof(growing[0]); t++) {
                size_t n = strlen(growing[t]);

                if (!strncmp(d + 5, growing[t], n) && (d[5 + n] == 0 || d[5 + n] == ' ')) {
                    found++;
                    if (used < outlen)
                        used +=
                            (size_t)snprintf(out + used, outlen - used, "statement %d: %s\n", i, d);
                }
            }
        }
        sqlite3_finalize(q);
        sqlite3_free(sql);
    }
    smdb_release(db, c);
    return found;
}
