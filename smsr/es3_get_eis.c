/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES3.GetEIS (SGP.02; sgp02-architecture 4.3): the SM-DP reads a card's EIS, filtered:
 * the profiles this SM-DP created, and never an ISD-R key value.
 */
#include "eis_lookup.h"
#include "handlers.h"

int smsr_es3_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    return smsr_get_eis_answer(call, out, st, SMSR_VIEW_SMDP);
}
