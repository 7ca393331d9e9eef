/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the card a function names (every ES3/ES4 function starts here). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "eis_lookup.h"
#include "handlers.h"
#include "sm/ids.h"

int smsr_eis_lookup(const struct smsr_app *a, const char *eid, struct smdb_eis *e,
                    struct sm_status *st)
{
    int rc = smdb_eis_get(a->db, eid, e);

    if (rc == -ENOENT) {
        /* SGP.02 unknown EID: Failed 8.1.1 / 3.9 */
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_UNKNOWN, eid, "unknown EID");
        return 1;
    }
    return rc;
}

int smsr_get_eis_answer(struct sm_api_call *call, json_t *out, struct sm_status *st,
                        enum smsr_view view)
{
    const struct smsr_app *a = call->app;
    struct smdb_eis e;
    json_t *v;
    int rc = smsr_eis_lookup(a, sm_json_str(call->request, "eid"), &e, st);

    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    v = smsr_eis_view(&e, view, call->caller->id, a->cfg->base.id);
    smdb_eis_free(&e);
    if (!v)
        return -ENOMEM;
    json_object_set_new(out, "eis", v);
    return SM_API_DONE;
}

const struct sm_json_field smsr_get_eis_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

int smsr_eis_store(const struct smsr_app *a, const struct smdb_eis *e, const struct smdb_keyset *ks,
                   size_t nks, const char *actor, int64_t now_ms, struct sm_status *st)
{
    char conflict[40];
    int rc = smdb_eis_register(a->db, e, ks, nks, actor, now_ms, conflict, sizeof(conflict));

    if (rc != -EEXIST)
        return rc;
    if (!strcmp(conflict, "eid"))
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_ALREADY_IN_USE, e->eid,
                       "this eUICC is already registered here");
    else
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_ALREADY_IN_USE, conflict,
                       "ICCID %s is already in the registry", conflict);
    return 1;
}
