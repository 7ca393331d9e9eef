/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_HANDLERS_H
#define SMSR_HANDLERS_H

/* The SM-SR's function handlers (one file each, named after the function) and their member
 * tables; routes.c maps them to the catalogue. */
#include "sm/api.h"
#include "sm/buf.h"
#include "smdb/smsr_ops.h"
#include "sm/es8.h"
#include "smsr.h"

extern const struct sm_json_field smsr_es1_register_eis_body[];
int smsr_es1_register_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);

extern const struct sm_json_field smsr_get_eis_body[];
int smsr_es3_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es4_get_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);

/* Functions that reach the card (the ES5 engine runs them; ES3 and ES4 share a handler). */
extern const struct sm_json_field smsr_profile_fn_body[];
extern const struct sm_json_field smsr_audit_eis_body[];
int smsr_audit_eis(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_enable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_disable_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_delete_profile(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_set_fallback_attribute(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smsr_master_delete_body[];
int smsr_es4_master_delete(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smsr_create_isdp_body[], smsr_send_data_body[];
int smsr_es3_create_isdp(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es3_send_data(struct sm_api_call *call, json_t *out, struct sm_status *st);
/* Script chaining of the ES8 relays (send_data.c): the chaining value for a relay with MoreToDo
 * more into params["chain"] (none when neither this relay nor the last one chains), and the 83
 * TLV it asks for put into the operation's script. */
int smsr_chain_param(struct sm_api_call *call, const char *eid, bool more, json_t *params);
int smsr_chain_apply(const struct smdb_op *op, struct sm_buf *script);
extern const struct sm_json_field smsr_update_connectivity_body[];
int smsr_es3_update_connectivity(struct sm_api_call *call, json_t *out, struct sm_status *st);

/* SM-SR change (sgp02-architecture 7.8): ES4 at the new and at the current SM-SR, ES7 between
 * them. */
extern const struct sm_json_field smsr_prepare_smsr_change_body[], smsr_smsr_change_body[],
    smsr_handover_euicc_body[], smsr_authenticate_smsr_body[],
    smsr_create_additional_key_set_body[];
int smsr_es4_prepare_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es4_smsr_change(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es7_handover_euicc(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es7_authenticate_smsr(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es7_create_additional_key_set(struct sm_api_call *call, json_t *out, struct sm_status *st);
extern const struct sm_json_field smsr_handle_smsr_change_notification_body[];
int smsr_es7_handle_smsr_change_notification(struct sm_api_call *call, json_t *out,
                                             struct sm_status *st);
/* Is caller the SM-SR an SMSRChange of card eid waits for? 0, or 1 with st set. */
int smsr_change_target_check(struct smsr_app *a, const char *eid, const char *caller,
                             struct sm_status *st);
/* The CRT of the SCP80 key set an SM-SR change creates (KVN 01-0F, five-byte counter). */
int smsr_es7_key_set_crt(unsigned kvn, uint64_t isc, unsigned scenario, struct sm_es8_crt *crt);

/* Data-only profile functions (es5_profile_data.c), answered at once. */
extern const struct sm_json_field smsr_update_policy_rules_body[],
    smsr_update_subscription_address_body[], smsr_profile_download_completed_body[];
int smsr_update_policy_rules(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_update_subscription_address(struct sm_api_call *call, json_t *out, struct sm_status *st);
int smsr_es3_profile_download_completed(struct sm_api_call *call, json_t *out,
                                        struct sm_status *st);

#endif
