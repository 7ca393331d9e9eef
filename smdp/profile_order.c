/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES2.EnableProfile, DisableProfile, DeleteProfile and SetFallBackAttribute (SGP.02 4.2;
 * procedures 7.3 to 7.5): the profile must be this SM-DP's and the calling MNO's, on the card
 * named; the order then calls the SM-SR's ES3 function (EnableProfile, DisableProfile,
 * DeleteISDP, SetFallbackAttribute) and ends with its result. The inventory follows the
 * SM-SR's notifications (handle_profile_notification.c).
 */
#include <string.h>

#include "order_engine.h"
#include "sm/ids.h"
#include "smdp.h"

const struct sm_json_field smdp_profile_order_body[] = {
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},
    {"smsrId", SM_JT_STRING, true, SM_ID_MAX, sm_oid_check, SM_SUBJ_SMSR, NULL, 0, 0},
    {"iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

/* The ES3 function each ES2 function becomes. */
static const char *es3_of(const char *es2)
{
    if (!strcmp(es2, "es2.enableProfile"))
        return "enableProfile";
    if (!strcmp(es2, "es2.disableProfile"))
        return "disableProfile";
    if (!strcmp(es2, "es2.deleteProfile"))
        return "deleteISDP";
    return "setFallbackAttribute";
}

static int step(struct smdp_run *x)
{
    json_t *data;

    if (!x->result) {
        if (smdp_run_expired_at_start(x))
            return SMDP_STEP_DONE;
        return smdp_run_call(x, es3_of(x->o->function), json_pack("{s:s}", "iccid", x->o->iccid));
    }
    /* the SM-SR's answer is the MNO's, the card's response data included */
    x->st = x->rs;
    data = json_object_get(x->result, "euiccResponseData");
    if (json_is_string(data))
        x->out = json_pack("{s:O}", "euiccResponseData", data);
    return SMDP_STEP_DONE;
}

#define FN(var, es2) const struct smdp_order_fn var = {.name = es2, .first = "call", .step = step}

FN(smdp_fn_enable_profile, "es2.enableProfile");
FN(smdp_fn_disable_profile, "es2.disableProfile");
FN(smdp_fn_delete_profile, "es2.deleteProfile");
FN(smdp_fn_set_fallback, "es2.setFallbackAttribute");

static int accept(struct sm_api_call *call, const struct smdp_order_fn *fn, struct sm_status *st)
{
    int rc = smdp_profile_check(call, st);

    if (rc)
        return rc == 1 ? SM_API_DONE : rc;
    return smdp_order_accept(call, fn, sm_json_str(call->request, "eid"),
                             sm_json_str(call->request, "smsrId"),
                             sm_json_str(call->request, "iccid"), json_object());
}

int smdp_es2_enable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return accept(call, &smdp_fn_enable_profile, st);
}

int smdp_es2_disable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return accept(call, &smdp_fn_disable_profile, st);
}

int smdp_es2_delete_profile(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return accept(call, &smdp_fn_delete_profile, st);
}

int smdp_es2_set_fallback(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    (void)out;
    return accept(call, &smdp_fn_set_fallback, st);
}
