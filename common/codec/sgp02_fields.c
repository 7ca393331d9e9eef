/* SPDX-License-Identifier: Apache-2.0 */
/* Member tables of shared SGP.02 types (sm/sgp02_fields.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sm/ids.h"
#include "sm/sgp02_fields.h"
#include "sm/status.h"

static int valid_pol2_subject(const char *s)
{
    return strcmp(s, "PROFILE") ? -EINVAL : 0;
}

static int valid_pol2_action(const char *s)
{
    return !strcmp(s, "ENABLE") || !strcmp(s, "DISABLE") || !strcmp(s, "DELETE") ? 0 : -EINVAL;
}

static int valid_pol2_qualification(const char *s)
{
    return !strcmp(s, "Not-Allowed") || !strcmp(s, "Auto-Delete") ? 0 : -EINVAL;
}

static const struct sm_json_field pol2_rule[] = {
    {"subject", SM_JT_STRING, true, 16, valid_pol2_subject, SM_SUBJ_POL2, NULL, 0, 0},
    {"action", SM_JT_STRING, true, 16, valid_pol2_action, SM_SUBJ_POL2, NULL, 0, 0},
    {"qualification", SM_JT_STRING, true, 16, valid_pol2_qualification, SM_SUBJ_POL2, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

const struct sm_json_field sm_pol2_fields[] = {
    {"rule", SM_JT_ARRAY, false, 0, NULL, SM_SUBJ_EIS, pol2_rule, 0, 16},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};

const struct sm_json_field sm_subscription_address_fields[] = {
    {"imsi", SM_JT_STRING, false, 15, sm_imsi_check, SM_SUBJ_SUBSCRIPTION_ADDRESS, NULL, 0, 0},
    {"msisdn", SM_JT_STRING, false, 15, sm_msisdn_check, SM_SUBJ_SUBSCRIPTION_ADDRESS, NULL, 0, 0},
    {NULL, SM_JT_STRING, false, 0, NULL, NULL, NULL, 0, 0},
};
