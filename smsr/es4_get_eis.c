/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES4.GetEIS (SGP.02; sgp02-architecture 4.2): the MNO reads a card's EIS, filtered:
 * the profiles this MNO owns, and never an ISD-R key value.
 */
#include "eis_lookup.h"
#include "handlers.h"

int smsr_es4_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st)
{
    return smsr_get_eis_answer(call, out, st, SMSR_VIEW_MNO);
}
