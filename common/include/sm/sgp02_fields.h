/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_SGP02_FIELDS_H
#define SM_SGP02_FIELDS_H

/* Member tables of SGP.02 types that several interfaces carry (euicc.common.types.xsd), for
 * sm_json_check: the SM-SR's ES3/ES4 and the SM-DP's ES2 validate them alike. */
#include "sm/json.h"

/* POL2: {"rule": [{"subject": "PROFILE", "action": ENABLE|DISABLE|DELETE,
 * "qualification": Not-Allowed|Auto-Delete}] (0 to 16)}. */
extern const struct sm_json_field sm_pol2_fields[];
/* SubscriptionAddress: {"imsi", "msisdn"}, both optional. */
extern const struct sm_json_field sm_subscription_address_fields[];

#endif
