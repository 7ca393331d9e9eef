/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_EIS_LOOKUP_H
#define SMSR_EIS_LOOKUP_H

#include "eis_codec.h"
#include "sm/api.h"
#include "sm/status.h"
#include "smdb/smsr_store.h"
#include "smsr.h"

/* The registered card eid into e (smdb_eis_free it). Returns 0, 1 when it is unknown (st set:
 * Failed 8.1.1 / 3.9), or a negative errno (storage). */
int smsr_eis_lookup(const struct smsr_app *a, const char *eid, struct smdb_eis *e,
                    struct sm_status *st);

/* Store a new card (ES1 registration, ES7 handover): 0, 1 when the EID or an ICCID is in the
 * registry already (st set: 8.1.1 or 8.2.1 / 3.3), or a negative errno. */
int smsr_eis_store(const struct smsr_app *a, const struct smdb_eis *e, const struct smdb_keyset *ks,
                   size_t nks, const char *actor, int64_t now_ms, struct sm_status *st);

/* GetEIS (ES3 and ES4 alike): the card's EIS as the caller may see it into out["eis"]. */
int smsr_get_eis_answer(struct sm_api_call *call, json_t *out, struct sm_status *st,
                        enum smsr_view view);

#endif
