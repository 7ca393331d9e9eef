/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.HandleProfileEnabled/Disabled/DeletedNotification at the SM-DP (SGP.02; sgp02-architecture
 * 7.3-7.5): the SM-SR reports a change of a profile this SM-DP installed. The inventory follows
 * (enabled, disabled; deleted: the ICCID released or retired as its type says), and the
 * notification goes on to the MNO's callback URL as ES2 (<callback>/es2/handle...Notification:
 * eid, iccid, completionTimestamp; the SM-SR's call identifier kept, so that the MNO can tell a
 * repetition). The SM-SR hears success only once the MNO has it: otherwise HTTP 503, and the
 * SM-SR's outbox sends it again later. Delivery is thus at least once, end to end, without a
 * queue of the SM-DP's own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sm/entity.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "smdb/smdp_store.h"
#include "smdp.h"

static int valid_timestamp(const char *s)
{
    /* xs:dateTime as the SM-SR writes it: 2026-12-05T06:21:37Z (with optional fraction) */
    return strlen(s) >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' ? 0 : -1;
}

const struct sm_json_field smdp_profile_notification_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {"completionTimestamp", SM_JT_STRING, true, 40, valid_timestamp, SM_SUBJ_FORMAT, NULL, 0, 0},
    {"mnoId", SM_JT_STRING, false, SM_ID_MAX, sm_oid_check, SM_SUBJ_PROFILE, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

/* The inventory after the change what (Enabled, Disabled, Deleted). A profile an order is
 * downloading is the order's to settle (its clean-up deletes ISD-Ps too). */
static void follow(struct smdp_app *a, const struct smdb_subscription *sub, const char *what,
                   int64_t now)
{
    const char *iccid = sub->iccid;
    char state[16];
    int rc;

    if (!strcmp(sub->state, "allocated") || !strcmp(sub->state, "downloading"))
        return;
    if (!strcmp(what, "Deleted"))
        rc = smdb_subscription_release(a->db, iccid, now, state);
    else
        rc = smdb_subscription_set_state(a->db, iccid, NULL,
                                         !strcmp(what, "Enabled") ? "enabled" : "disabled", now);
    if (rc && rc != -ENOENT)
        SM_LOGE(SM_LOG_DB, iccid, "inventory not updated after profile %s: %d", what, rc);
}

static int notified(struct sm_api_call *call, struct sm_status *st, const char *what)
{
    struct smdp_app *a = call->app;
    const char *iccid = sm_json_str(call->request, "iccid");
    struct smdb_subscription sub;
    char mno[SM_ID_MAX + 1], why[1200] = "", path[96];
    json_t *m;
    int rc = smdb_subscription_get(a->db, iccid, &sub);

    if (!rc)
        follow(a, &sub, what, call->now_ms);
    smdb_subscription_free(&sub);
    if (rc == -ENOENT) {
        /* not one of this SM-DP's: nothing to follow, nobody known to tell */
        SM_LOGW(SM_LOG_API, iccid, "profile %s notification for an ICCID this SM-DP does not have",
                what);
        return SM_API_DONE;
    }
    if (rc)
        return rc;
    snprintf(mno, sizeof(mno), "%s", sub.mno_id);
    snprintf(path, sizeof(path), "es2/handleProfile%sNotification", what);
    m = json_pack("{s:s, s:s, s:s}", "eid", sm_json_str(call->request, "eid"), "iccid", iccid,
                  "completionTimestamp", sm_json_str(call->request, "completionTimestamp"));
    rc = m ? smdp_tell_mno(a, mno, path, call->header->call_id, m, why, sizeof(why)) : -ENOMEM;
    if (rc) {
        SM_LOGW(SM_LOG_API, mno, "profile %s notification: %s; the SM-SR sends it again", what,
                why);
        return smdp_tell_later(st, SM_SUBJ_PROFILE, mno);
    }
    return SM_API_DONE;
}

int smdp_es3_profile_enabled(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return notified(call, st, "Enabled");
}

int smdp_es3_profile_disabled(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return notified(call, st, "Disabled");
}

int smdp_es3_profile_deleted(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return notified(call, st, "Deleted");
}
