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

#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/err.h"
#include "sm/http_client.h"
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

/* The inventory after the change what (Enabled, Disabled, Deleted). */
static void follow(struct smdp_app *a, const char *iccid, const char *what, int64_t now)
{
    char state[16];
    int rc;

    if (!strcmp(what, "Deleted"))
        rc = smdb_subscription_release(a->db, iccid, now, state);
    else
        rc = smdb_subscription_set_state(a->db, iccid, NULL,
                                         !strcmp(what, "Enabled") ? "enabled" : "disabled", now);
    if (rc && rc != -ENOENT)
        SM_LOGE(SM_LOG_DB, iccid, "inventory not updated after profile %s: %d", what, rc);
}

/* POST it to the MNO as ES2. 0 delivered (or nobody to tell), else the SM-SR is to try again. */
static int pass_on(struct smdp_app *a, const struct sm_api_call *call, const char *mno,
                   const char *what, char *why, size_t whylen)
{
    struct sm_http_result res = {0};
    struct sm_entity e;
    char url[700];
    json_t *m, *answer = NULL;
    int rc = smdb_entity_get(a->db, mno, &e);

    if (rc || e.role != SM_ROLE_MNO || !e.callback_url[0]) {
        SM_LOGI(SM_LOG_API, mno, "profile %s notification not passed on: no callback URL", what);
        return 0;
    }
    snprintf(url, sizeof(url), "%s/es2/handleProfile%sNotification", e.callback_url, what);
    m = json_pack("{s:o, s:s, s:s, s:s}", "header",
                  sm_req_header_build(a->cfg->base.id, call->header->call_id, 0), "eid",
                  sm_json_str(call->request, "eid"), "iccid", sm_json_str(call->request, "iccid"),
                  "completionTimestamp", sm_json_str(call->request, "completionTimestamp"));
    rc = m ? sm_http_post_json(a->http, url, m, &res, &answer) : -ENOMEM;
    json_decref(answer);
    json_decref(m);
    if (!rc && (res.status < 200 || res.status > 299))
        rc = -EPROTO;
    if (rc)
        snprintf(why, whylen, "%s: %s", url,
                 res.error[0] ? res.error
                 : res.status ? "refused"
                              : sm_strerror(rc));
    sm_http_result_free(&res);
    return rc;
}

static int notified(struct sm_api_call *call, struct sm_status *st, const char *what)
{
    struct smdp_app *a = call->app;
    const char *iccid = sm_json_str(call->request, "iccid");
    struct smdb_subscription sub;
    char mno[SM_ID_MAX + 1], why[1200] = "";
    int rc = smdb_subscription_get(a->db, iccid, &sub);

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
    follow(a, iccid, what, call->now_ms);
    if (pass_on(a, call, mno, what, why, sizeof(why))) {
        SM_LOGW(SM_LOG_API, mno, "profile %s notification: %s; the SM-SR sends it again", what,
                why);
        sm_status_fail(st, 503, SM_SUBJ_PROFILE, SM_RSN_INACCESSIBLE, mno,
                       "the MNO could not be told yet: send the notification again later");
        /* not journaled: the SM-SR's next delivery (same call identifier) runs it again */
        return SM_API_RETRY;
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
