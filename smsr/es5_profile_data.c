/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data-only profile functions (sgp02-architecture 7.11, 7.2 step 6): they change the EIS
 * and never reach the card, so they are answered at once.
 *   UpdatePolicyRules (ES4 MNO, ES3 SM-DP): the profile's POL2, by its owner only.
 *   UpdateSubscriptionAddress (ES4, ES3): IMSI and MSISDN (the MSISDN is the card's SMS address
 *     while that profile is enabled).
 *   ProfileDownloadCompleted (ES3): the SM-DP that created the ISD-P ends the download: the
 *     profile goes from Created to Disabled with its type, address and POL2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eis_codec.h"
#include "eis_lookup.h"
#include "es5_profile_fn.h"
#include "handlers.h"
#include "sm/ids.h"

/* The call as the engine's checks see it (requester, interface). */
static void op_of(const struct sm_api_call *call, struct smdb_op *op)
{
    memset(op, 0, sizeof(*op));
    snprintf(op->requester, sizeof(op->requester), "%s", call->caller->id);
    snprintf(op->function, sizeof(op->function), "%s.%s", call->route->iface,
             call->route->function);
    snprintf(op->eid, sizeof(op->eid), "%s", sm_json_str(call->request, "eid"));
    snprintf(op->iccid, sizeof(op->iccid), "%s", sm_json_str(call->request, "iccid"));
}

/* Find the profile and apply ch when allowed (and, for a download, when Created). */
static int apply(struct sm_api_call *call, struct smdb_profile_change *ch, const char *event,
                 bool created_only, struct sm_status *st)
{
    const struct smsr_app *a = call->app;
    const struct smdb_profile *p;
    struct smdb_eis e;
    struct smdb_op op;
    int rc;

    op_of(call, &op);
    rc = smsr_eis_lookup(a, op.eid, &e, st);
    if (rc)
        return rc > 0 ? SM_API_DONE : rc;
    p = smsr_target_profile(&op, &e, st);
    if (p && created_only && strcmp(p->state, "Created")) {
        sm_status_fail(st, 200, SM_SUBJ_ICCID, SM_RSN_INVALID_TRANSITION, op.iccid,
                       "the profile is %s, not Created", p->state);
        p = NULL;
    }
    rc =
        p ? smdb_profile_set(a->db, op.eid, p->isdp_aid, ch, op.requester, event, call->now_ms) : 0;
    smdb_eis_free(&e);
    return rc ? rc : SM_API_DONE;
}

/* A request's pol2 as the EIS keeps it: its rule array ("[]": no rule); NULL without pol2. */
static char *pol2_rules(const json_t *request)
{
    const json_t *pol2 = json_object_get(request, "pol2"), *rule = json_object_get(pol2, "rule");

    if (!pol2)
        return NULL;
    return rule ? json_dumps(rule, JSON_COMPACT | JSON_SORT_KEYS) : strdup("[]");
}

int smsr_update_policy_rules(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    char *pol2 = pol2_rules(call->request);
    struct smdb_profile_change ch = {.pol2 = pol2};
    int rc = pol2 ? apply(call, &ch, "POL2 updated", false, st) : -ENOMEM;

    (void)out;
    free(pol2);
    return rc;
}

int smsr_update_subscription_address(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const json_t *addr = json_object_get(call->request, "newSubscriptionAddress");
    struct smdb_profile_change ch = {.imsi = sm_json_str(addr, "imsi"),
                                     .msisdn = sm_json_str(addr, "msisdn")};

    (void)out;
    return apply(call, &ch, "subscription address updated", false, st);
}

int smsr_es3_profile_download_completed(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    const json_t *addr = json_object_get(call->request, "subscriptionAddress");
    char *pol2 = pol2_rules(call->request);
    struct smdb_profile_change ch = {.state = "Disabled",
                                     .pol2 = pol2,
                                     .imsi = sm_json_str(addr, "imsi"),
                                     .msisdn = sm_json_str(addr, "msisdn"),
                                     .profile_type = sm_json_str(call->request, "profileType")};
    int rc = apply(call, &ch, "profile downloaded", true, st);

    (void)out;
    free(pol2);
    return rc;
}

#define EID_ICCID                                                                                  \
    {"eid", SM_JT_STRING, true, 32, sm_eid_check, SM_SUBJ_EID, NULL, 0, 0},                        \
    {                                                                                              \
        "iccid", SM_JT_STRING, true, 20, sm_iccid_check, SM_SUBJ_ICCID, NULL, 0, 0                 \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0                                       \
    }

const struct sm_json_field smsr_update_policy_rules_body[] = {
    EID_ICCID,
    {"pol2", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_POL2, sm_pol2_fields, 0, 0},
    END,
};

const struct sm_json_field smsr_update_subscription_address_body[] = {
    EID_ICCID,
    {"newSubscriptionAddress", SM_JT_OBJECT, true, 0, NULL, SM_SUBJ_SUBSCRIPTION_ADDRESS,
     sm_subscription_address_fields, 0, 0},
    END,
};

const struct sm_json_field smsr_profile_download_completed_body[] = {
    EID_ICCID,
    {"profileType", SM_JT_STRING, false, 100, NULL, SM_SUBJ_PROFILE_TYPE, NULL, 0, 0},
    {"subscriptionAddress", SM_JT_OBJECT, false, 0, NULL, SM_SUBJ_SUBSCRIPTION_ADDRESS,
     sm_subscription_address_fields, 0, 0},
    {"pol2", SM_JT_OBJECT, false, 0, NULL, SM_SUBJ_POL2, sm_pol2_fields, 0, 0},
    END,
};
