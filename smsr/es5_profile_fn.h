/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES5_PROFILE_FN_H
#define SMSR_ES5_PROFILE_FN_H

/* What EnableProfile, DisableProfile and DeleteProfile share: finding the target profile and the
 * refusals of SGP.02 for it, and the meaning of the ISD-R's status words. */
#include "es5_engine.h"

/* The request members of the profile functions: eid and iccid. */
extern const struct sm_json_field smsr_profile_fn_body[];

/* The operation's profile on e, allowed to its requester. Returns it, or NULL with st set:
 * unknown ICCID on this card (8.2.1 / 3.9) or not the requester's (8.2.1 / 1.2). */
const struct smdb_profile *smsr_target_profile(const struct smdb_op *op, const struct smdb_eis *e,
                                               struct sm_status *st);
/* An ISD-R status word other than 9000 as SGP.02 reports it, with the card's answer attached:
 * 69E1 POL1 (8.2.2 / 3.8), 6985 state (8.2.1 / 3.5), 6A88 unknown ISD-P (8.3 / 3.9),
 * 6A84 memory (8.1 / 4.8), anything else (8.1 / 4.2). */
void smsr_sw_refusal(const struct smdb_op *op, uint16_t sw, struct smsr_es5_result *r);

/* STORE DATA dgi {4F ISD-P AID} for the operation's ISD-P (enable, disable). */
int smsr_profile_store_data(const struct smdb_op *op, uint16_t dgi, struct sm_buf *out);
/* The answer of a profile change: 9000 means accepted, the card's notification ends it. */
int smsr_answer_then_notification(struct smsr_app *a, const struct smdb_op *op,
                                  const struct smsr_es5_answer *ans, struct smsr_es5_result *r);

/* A relayed script's answer (SendData, UpdateConnectivityParameters): the card's response
 * script in euiccResponseData; Failed on an R-APDU error status or an SCP03t error TLV. */
int smsr_relay_answer(struct smsr_app *a, const struct smdb_op *op,
                      const struct smsr_es5_answer *ans, struct smsr_es5_result *r);

/* The relay script (AA L {...}) of the TLVs the operation's parameter member holds in hex. */
int smsr_relay_param(const struct smdb_op *op, const char *member, struct sm_buf *out);

/* What any deletion needs (DeleteProfile, master delete): the profile is not the enabled one
 * (8.2.1 / 3.5) and does not hold the fall-back attribute (8.2.1 / 3.8). 0, or 1 with st. */
int smsr_deletable(const struct smdb_op *op, const struct smdb_profile *p, struct sm_status *st);

/* The card's answer to a DELETE of the operation's ISD-P (delete_profile.c): on 9000 the
 * profile leaves the EIS and its owners are told. */
int smsr_deleted_answer(struct smsr_app *a, const struct smdb_op *op,
                        const struct smsr_es5_answer *ans, struct smsr_es5_result *r);

/* The ISD-R's answer to an EstablishISDRKeySet block (SM-SR change): 0 with k filled, or 1 with
 * r set: 6982 / 6A80 as the card refusing what (8.5.3 / 6.1), other status words as
 * smsr_sw_refusal, an answer without 85 or 86 as an execution error. */
int smsr_key_establishment_result(const struct smdb_op *op, const struct smsr_es5_answer *ans,
                                  const char *what, struct smsr_es5_result *r,
                                  struct smsr_key_establishment_answer *k);

#endif
