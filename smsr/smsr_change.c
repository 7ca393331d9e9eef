/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES4.SMSRChange (SGP.02 5.x; sgp02-architecture 7.8 steps 2 and 7) at the current SM-SR: the
 * MNO moves the card to another SM-SR. When the operation's turn comes (nothing else runs on
 * the card) the card is locked: no new operation is accepted for it. The EIS, without key
 * values, goes to the new SM-SR in ES7.HandoverEUICC; while that runs, the new SM-SR has the
 * card establish its key set through us (authenticate_smsr.c, create_additional_key_set.c).
 * When the new SM-SR reports the handover done, this SM-SR forgets the card and its keys; when
 * it reports a failure, the card is unlocked and stays here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "eis_codec.h"
#include "es5_engine.h"
#include "es7_peer.h"
#include "handlers.h"
#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/log.h"
#include "smdb/smsr_store.h"

static int check(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL);
    const char *target = sm_json_str(p, "target");
    bool owner = false;
    int rc = 0;

    /* the MNO of a profile on the card may move it (sgp02 7.8) */
    for (size_t i = 0; i < e->nprofiles; i++)
        owner |= !strcmp(e->profiles[i].mno_id, op->requester);
    if (!owner) {
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_NOT_ALLOWED, op->eid,
                       "the requester has no profile on this card");
        rc = 1;
    } else if (!target) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INVALID, target, "no target SM-SR");
        rc = 1;
    }
    json_decref(p);
    return rc;
}

/* Give up: the card stays here and takes operations again. */
static void unlock(struct smsr_app *a, const struct smdb_op *op, const char *why)
{
    smdb_eis_set_state(a->db, op->eid, "registered", a->cfg->base.id, "SM-SR change ended", why,
                       sm_wall_ms());
}

static int set_params(struct smdb_op *op, json_t *p)
{
    char *text = json_dumps(p, JSON_COMPACT);

    if (!text)
        return -ENOMEM;
    free(op->params);
    op->params = text;
    return 0;
}

/* Step 7: the card is the new SM-SR's; its keys here are of no use to anyone. */
static int handed_over(struct smsr_app *a, const struct smdb_op *op, const char *target,
                       struct smsr_es5_result *r)
{
    int rc = smdb_eis_forget(a->db, op->eid, op->requester, "handed over to another SM-SR", target,
                             sm_wall_ms());

    if (rc)
        return rc;
    SM_LOGI(SM_LOG_API, op->eid, "the card is managed by %s now; its keys are deleted here",
            target);
    if (r->st.status == SM_EXEC_SUCCESS)
        sm_status_ok(&r->st);
    return 0;
}

/* Send the EIS to the new SM-SR (step 2). */
static int hand_over(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op, json_t *p,
                     struct smsr_es5_result *r)
{
    const char *target = sm_json_str(p, "target");
    char call_id[SM_ID_MAX + 1], err[300] = "";
    struct smdb_eis e;
    json_t *view, *answer = NULL;
    int rc;

    rc = smdb_eis_get(a->db, op->eid, &e);
    if (rc)
        return rc;
    if (!strcmp(e.state, "registered"))
        rc = smdb_eis_set_state(a->db, op->eid, "locked", op->requester, "locked for SM-SR change",
                                target, sm_wall_ms());
    view = rc ? NULL : smsr_eis_view(&e, SMSR_VIEW_FULL, op->requester, a->cfg->base.id);
    smdb_eis_free(&e);
    if (rc || !view) {
        json_decref(view);
        return rc ? rc : -ENOMEM;
    }
    /* the call's identity is stored before it goes: a retry after a restart repeats it */
    snprintf(call_id, sizeof(call_id), "handover-%lld-%s", (long long)op->id, op->eid);
    json_object_set_new(p, "peer", json_string(target));
    json_object_set_new(p, "peerCall", json_string(call_id));
    rc = set_params(op, p);
    if (!rc)
        rc = smdb_op_update(a->db, op);
    if (rc) {
        json_decref(view);
        return rc;
    }
    rc = smsr_peer_call(a, http, target, "handoverEUICC", call_id, json_pack("{s:o}", "eis", view),
                        &answer, &r->st, err, sizeof(err));
    if (!rc && answer) {
        /* answered at once: the new SM-SR had taken the card over before (7.8 retry, a warning)
         * or this call had been made and done before */
        json_decref(answer);
        rc = handed_over(a, op, target, r);
        return rc ? rc : SMSR_STEP_DONE;
    }
    json_decref(answer);
    if (rc == 1) {
        char msg[sizeof(r->st.message)];

        /* refused at once: the card stays */
        snprintf(msg, sizeof(msg), "%s", r->st.message);
        SM_LOGW(SM_LOG_API, op->eid, "%s refused the handover: %s", target, msg);
        unlock(a, op, msg);
        sm_status_fail(&r->st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, target,
                       "the new SM-SR refused to take the card over: %s", msg);
        return SMSR_STEP_DONE;
    }
    if (rc < 0) {
        SM_LOGW(SM_LOG_API, op->eid, "handover to %s: %s", target, err);
        return rc;
    }
    SM_LOGI(SM_LOG_API, op->eid, "handed over to %s, waiting for its key establishment", target);
    op->next_ms = sm_wall_ms() + 5000;
    return SMSR_STEP_WAIT;
}

static int step(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op,
                struct smsr_es5_result *r)
{
    json_t *p = json_loads(op->params ? op->params : "{}", 0, NULL), *resp = NULL;
    const char *target = sm_json_str(p, "target"), *peer_call = sm_json_str(p, "peerCall");
    int64_t now = sm_wall_ms();
    char err[300] = "";
    int rc;

    if (!p)
        return -ENOMEM;
    if (!peer_call) {
        if (now >= op->deadline_ms) {
            sm_status_set(&r->st, SM_EXEC_EXPIRED, 200, SM_SUBJ_EUICC, SM_RSN_TTL_EXPIRED, op->eid,
                          "the validity period ended before the SM-SR change could start");
            rc = SMSR_STEP_DONE;
        } else {
            rc = hand_over(a, http, op, p, r);
        }
        json_decref(p);
        return rc;
    }
    rc = smsr_peer_result(a, http, target, peer_call, &resp, err, sizeof(err));
    if (rc == -ENOENT && now < op->deadline_ms) {
        /* the peer never got the call: send it again (same identity) */
        rc = hand_over(a, http, op, p, r);
        json_decref(p);
        return rc;
    }
    if (!rc && !resp && now < op->deadline_ms) {
        op->next_ms = now + 5000; /* its callback makes us look earlier */
        json_decref(p);
        return SMSR_STEP_WAIT;
    }
    if (!resp) {
        if (now < op->deadline_ms) {
            SM_LOGW(SM_LOG_API, op->eid, "result of the handover from %s: %s", target, err);
            json_decref(p);
            return rc ? rc : -EIO;
        }
        /* the new SM-SR did not say in time: the card stays here (if the other side finished
         * later, its key set is on the card and the MNO sees the conflict in both audits) */
        sm_status_set(&r->st, SM_EXEC_EXPIRED, 200, SM_SUBJ_SMSR, SM_RSN_TTL_EXPIRED, target,
                      "the new SM-SR did not complete the handover within the validity period%s%s",
                      err[0] ? ": " : "", err);
        unlock(a, op, "expired");
        json_decref(p);
        return SMSR_STEP_DONE;
    }
    smsr_peer_status(resp, &r->st);
    json_decref(resp);
    if (r->st.status == SM_EXEC_SUCCESS || r->st.status == SM_EXEC_WARNING) {
        rc = handed_over(a, op, target, r);
        if (rc) {
            json_decref(p);
            return rc;
        }
    } else {
        char msg[sizeof(r->st.message)];

        snprintf(msg, sizeof(msg), "%s", r->st.message);
        SM_LOGW(SM_LOG_API, op->eid, "handover to %s failed: %s", target, msg);
        unlock(a, op, msg);
        sm_status_fail(&r->st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, target,
                       "the new SM-SR could not take the card over: %s", msg);
    }
    json_decref(p);
    return SMSR_STEP_DONE;
}

const struct smsr_es5_fn smsr_fn_smsr_change = {.name = "smsrChange", .check = check, .step = step};

static int valid_oid(const char *s)
{
    return sm_oid_check(s);
}

const struct sm_json_field smsr_smsr_change_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"targetSmsrId", SM_JT_STRING, true, SM_ID_MAX, valid_oid, SM_SUBJ_SMSR, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es4_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    struct smsr_app *a = call->app;
    const char *target = sm_json_str(call->request, "targetSmsrId");
    int rc;

    (void)out;
    if (!strcmp(target, a->cfg->base.id)) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INVALID, target,
                       "the card is managed by this SM-SR already");
        return SM_API_DONE;
    }
    rc = smsr_peer_check(a, target, st);
    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    return smsr_es5_accept(call, &smsr_fn_smsr_change, sm_json_str(call->request, "eid"), NULL,
                           json_pack("{s:s}", "target", target), st);
}

int smsr_change_target_check(struct smsr_app *a, const char *eid, const char *caller,
                             struct sm_status *st)
{
    struct smdb_op op;
    json_t *p;
    bool ok;
    int rc = smdb_op_change_active(a->db, eid, &op);

    if (rc && rc != -ENOENT)
        return rc;
    p = rc ? NULL : json_loads(op.params ? op.params : "{}", 0, NULL);
    /* the handover call is stored before it goes (hand_over), so the new SM-SR may ask before
     * this operation has recorded that it waits */
    ok = !rc && sm_json_str(p, "peerCall") && sm_json_str(p, "target") &&
         !strcmp(sm_json_str(p, "target"), caller);
    json_decref(p);
    if (!rc)
        smdb_op_free(&op);
    if (!ok) {
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_NOT_ALLOWED, eid,
                       "no change of this card to the calling SM-SR is under way");
        return 1;
    }
    return 0;
}
