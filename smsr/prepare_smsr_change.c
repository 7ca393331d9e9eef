/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES4.PrepareSMSRChange (SGP.02 5.x; sgp02-architecture 7.8 step 1) at the new SM-SR: the MNO
 * asks whether this SM-SR will take the card over from its current SM-SR. It agrees when it can
 * (it holds CERT.SR.ECDSA, works with that SM-SR, does not manage the card already) and records
 * its consent until the call's validity ends; ES7.HandoverEUICC from that SM-SR is accepted
 * only against it.
 */
#include <errno.h>
#include <string.h>

#include "es7_peer.h"
#include "handlers.h"
#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "sm/log.h"
#include "smdb/smsr_ops.h"
#include "smdb/smsr_store.h"

static int valid_oid(const char *s)
{
    return sm_oid_check(s);
}

const struct sm_json_field smsr_prepare_smsr_change_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"currentSmsrId", SM_JT_STRING, true, SM_ID_MAX, valid_oid, SM_SUBJ_SMSR, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_es4_prepare_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    struct smsr_app *a = call->app;
    const char *eid = sm_json_str(call->request, "eid"),
               *from = sm_json_str(call->request, "currentSmsrId");
    struct smdb_handover h;
    struct smdb_eis e;
    int rc;

    (void)out;
    if (smsr_cannot_take_over(a, st))
        return SM_API_DONE;
    if (!strcmp(from, a->cfg->base.id)) {
        sm_status_fail(st, 200, SM_SUBJ_SMSR, SM_RSN_INVALID, from,
                       "the card's current SM-SR is this one");
        return SM_API_DONE;
    }
    rc = smsr_peer_check(a, from, st);
    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    rc = smdb_eis_get(a->db, eid, &e);
    if (rc == 0) {
        smdb_eis_free(&e);
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_ALREADY_IN_USE, eid,
                       "this SM-SR manages the card already");
        return SM_API_DONE;
    }
    if (rc != -ENOENT)
        return rc;
    memset(&h, 0, sizeof(h));
    snprintf(h.eid, sizeof(h.eid), "%s", eid);
    snprintf(h.from_smsr, sizeof(h.from_smsr), "%s", from);
    snprintf(h.mno_id, sizeof(h.mno_id), "%s", call->caller->id);
    h.prepared_ms = call->now_ms;
    h.expires_ms =
        call->now_ms + 1000 * (call->header->has_validity ? call->header->validity_period
                                                          : (int64_t)a->cfg->es5_validity);
    rc = smdb_handover_put(a->db, &h);
    if (rc)
        return rc;
    smdb_eis_audit(a->db, eid, call->caller->id, "SM-SR change prepared", from, call->now_ms);
    SM_LOGI(SM_LOG_API, eid, "ready to take the card over from %s (asked by %s)", from,
            call->caller->name);
    return SM_API_DONE;
}
