/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMSR_ES5_ENGINE_H
#define SMSR_ES5_ENGINE_H

/*
 * The ES5 engine: functions that reach the card are accepted as operation rows (202), then
 * driven by one engine thread that owns the SMPP session: per card one operation at a time,
 * SCP80 counters allocated in the database before a packet leaves, PoRs matched to their
 * operation by (card, counter), card notifications recorded, confirmed and turned into the
 * operation's end and the ES3/ES4 notifications. A second thread delivers the outbox.
 */
#include <jansson.h>

#include "es5_commands.h"
#include "sm/api.h"
#include "sm/http_client.h"
#include "smdb/smsr_ops.h"
#include "smdb/smsr_store.h"
#include "smsr.h"

/* What the engine hands a function when the card answered or notified. */
struct smsr_es5_result {
    struct sm_status st;     /* the outcome to report (starts Executed-Success) */
    json_t *out;             /* response members besides the header */
    bool await_notification; /* the card accepted; its notification ends the operation */
};

/* One ES5 function as the engine runs it (a handler file defines it next to its handler). */
struct smsr_es5_fn {
    const char *name; /* es4.enableProfile */
    /*
     * Decide against the current EIS whether the operation may run (at acceptance and again
     * when its turn comes). Returns 0 (st untouched) or 1 with st set to the refusal.
     */
    int (*check)(const struct smdb_op *op, const struct smdb_eis *e, struct sm_status *st);
    /* The command script (may settle op->isdp_aid, which is stored with the operation). */
    int (*script)(struct smdb_op *op, const struct smdb_eis *e, struct sm_buf *out);
    /* The card's answer (R-APDUs) arrived: update the EIS, fill r. Returns 0 or -errno. */
    int (*answer)(struct smsr_app *a, const struct smdb_op *op, const struct smsr_es5_answer *ans,
                  struct smsr_es5_result *r);
    /* The security domain the script goes to (its TAR); NULL: the ISD-R (TAR 000001). */
    int (*target)(const struct smdb_op *op, uint8_t tar[3]);
    /*
     * Work that is not a card script (calls to the other SM-SR of an SM-SR change), NULL for
     * card-only functions. Called instead of check and script while the operation is queued or
     * awaits its peer, also past its deadline (the function decides how it ends then). Returns
     * an enum smsr_step, or -errno (looked at again a little later). It may change op->params
     * and op->next_ms; both are stored.
     */
    int (*step)(struct smsr_app *a, struct sm_http_client *http, struct smdb_op *op,
                struct smsr_es5_result *r);
    /* The operation's validity ended while its script was out: adjust st and clean up. */
    void (*expired)(struct smsr_app *a, const struct smdb_op *op, struct sm_status *st);
    /* Accepted and run while the card is locked for an SM-SR change (ES7 card commands). */
    bool while_locked;
};

enum smsr_step {
    SMSR_STEP_DONE,   /* finish the operation with r */
    SMSR_STEP_WAIT,   /* state await-peer until op->next_ms (or a callback wakes it) */
    SMSR_STEP_SCRIPT, /* op->script holds the card script to send now (by SMS) */
};

/* Function tables (handler files). */
extern const struct smsr_es5_fn smsr_fn_audit_eis, smsr_fn_enable_profile, smsr_fn_disable_profile,
    smsr_fn_delete_profile, smsr_fn_notification_confirmation, smsr_fn_create_isdp,
    smsr_fn_send_data, smsr_fn_set_fallback, smsr_fn_update_connectivity, smsr_fn_master_delete,
    smsr_fn_smsr_change, smsr_fn_handover_euicc, smsr_fn_authenticate_smsr,
    smsr_fn_create_additional_key_set;

/* A check for functions whose conditions were decided when the call was accepted (the ES7
 * functions: the card is locked for them). */
int smsr_checked_at_acceptance(const struct smdb_op *op, const struct smdb_eis *e,
                               struct sm_status *st);

/* The TAR op's script goes to (es5-secure-channels 1.5: an ISD-P's TAR is bytes 13-15 of its
 * AID; the ISD-R's is 000001). */
void smsr_op_tar(const struct smdb_op *op, uint8_t tar[3]);

int smsr_engine_start(struct smsr_app *a);
/* New work for the card thread (an accepted operation, a queued confirmation). */
void smsr_engine_wake(struct smsr_engine *g);
void smsr_engine_stop(struct smsr_app *a);
/* POST /gsma/operations: another SM-SR says a call we made to it ended (its result is read
 * with GET, es7_peer.h). Returns 0, or 1 with st set (the caller is not an SM-SR). */
int smsr_operation_callback(void *app, const struct sm_entity *who, const json_t *body,
                            struct sm_status *st);

/*
 * Accept a call for the engine: check it against the EIS now (refusals answered at once), then
 * persist the operation. Returns SM_API_ACCEPTED, SM_API_DONE (refused, st set) or -errno.
 */
int smsr_es5_accept(struct sm_api_call *call, const struct smsr_es5_fn *fn, const char *eid,
                    const char *iccid, json_t *params, struct sm_status *st);

/* The profile of e with this ICCID, or NULL. */
const struct smdb_profile *smsr_profile_by_iccid(const struct smdb_eis *e, const char *iccid);
/* May requester act on profile p through this interface (ES4: owning MNO; ES3: the SM-DP that
 * created it)? */
bool smsr_may_act(const struct smdb_op *op, const struct smdb_profile *p);
/* Does the profile's POL2 forbid action ("ENABLE", "DISABLE", "DELETE")? */
bool smsr_pol2_forbids(const struct smdb_profile *p, const char *action);
/* Does the POL2 rule set auto-delete on action? */
bool smsr_pol2_auto(const struct smdb_profile *p, const char *action);
/* 16-byte AID from 32 hex digits. */
int smsr_aid_bytes(const char *hex, uint8_t aid[SMSR_AID_LEN]);
/* Queue the notification what ("Enabled", "Disabled", "Deleted": HandleProfile<what>; or
 * "FallBackAttributeSet", "FallBackAttributeUnset") to the profile's MNO (ES4) and SM-DP (ES3). */
void smsr_notify_owner(struct smsr_app *a, const struct smdb_profile *p, const char *eid,
                       const char *what, int64_t now);
/* The card deleted ISD-P aid: it leaves the EIS, its owners are told. */
int smsr_profile_deleted(struct smsr_app *a, const char *eid, const char *aid, const char *actor);
/* euiccResponseData: the card's answer in hex into r->out. */
void smsr_es5_response_data(struct smsr_es5_result *r, const struct smdb_op *op);

#endif
