/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDP_ORDER_ENGINE_H
#define SMDP_ORDER_ENGINE_H

/*
 * The order engine (order_engine.c): ES2 calls that reach the card through the SM-SR are
 * accepted as order rows (202), then advanced step by step by worker threads, per card one
 * order at a time. A step is at most one ES3 call: its members are stored with the order
 * before they leave, so a retry after a failure or a restart sends the same call with the same
 * functionCallIdentifier and the SM-SR's journal makes it count once. An asynchronous ES3 call
 * (202) parks the order until the SM-SR's result comes to POST /gsma/operations (or, when that
 * does not come, until the engine asks for it with GET).
 */
#include <jansson.h>
#include <stdbool.h>

#include "es8_download.h"
#include "sm/api.h"
#include "sm/status.h"
#include "smdb/smdp_orders.h"
#include "smdp.h"

/* What a step works with. */
struct smdp_run {
    struct smdp_app *a;
    struct smdb_order *o;
    json_t *params;      /* o->params parsed; stored back after the step */
    json_t *result;      /* the answer of the step's ES3 call, once there (else NULL) */
    struct sm_status rs; /* its status */
    bool expired;        /* the order's validity ended */
    /* the end of the order (SMDP_STEP_DONE) */
    struct sm_status st; /* starts Executed-Success */
    json_t *out;         /* response members besides the header */
};

enum smdp_step {
    SMDP_STEP_DONE,  /* finish the order with st and out */
    SMDP_STEP_AGAIN, /* stored; run the next step now */
    SMDP_STEP_WAIT,  /* stored; run again when the awaited result comes or at o->next_ms */
};

/* One ES2 function as the engine runs it (its handler file defines it). */
struct smdp_order_fn {
    const char *name;  /* es2.downloadProfile */
    const char *first; /* the first step */
    /* Advance the order: an enum smdp_step, or -errno (tried again a little later). */
    int (*step)(struct smdp_run *x);
};

extern const struct smdp_order_fn smdp_fn_download_profile, smdp_fn_enable_profile,
    smdp_fn_disable_profile, smdp_fn_delete_profile, smdp_fn_set_fallback, smdp_fn_audit_eis;

/*
 * Issue the step's ES3 call (members taken; eid added when missing): answered at once, it is
 * x->result for the step's next run (SMDP_STEP_AGAIN); accepted, the order waits
 * (SMDP_STEP_WAIT). Returns an enum smdp_step or -errno.
 */
int smdp_run_call(struct smdp_run *x, const char *function, json_t *members);
/* The order's validity ended before its first call: st becomes Expired (SGP.02 8.7). Returns
 * true then (the step ends the order). */
bool smdp_run_expired_at_start(struct smdp_run *x);
/* Go to step (and run it now). */
int smdp_run_goto(struct smdp_run *x, const char *step);
/* End with the SM-SR's status (x->rs) as the order's. */
int smdp_run_fail_with_result(struct smdp_run *x);
/* Queue a download progress notification for the MNO (es2.progress). */
void smdp_run_progress(struct smdp_run *x, const char *what);
/* A status in params (member name) and back, for an outcome decided before a clean-up. */
int smdp_status_save(json_t *params, const char *name, const struct sm_status *st);
void smdp_status_load(const json_t *params, const char *name, struct sm_status *st);

/*
 * Accept an ES2 call as an order of fn for card eid through SM-SR smsr (params taken): stored,
 * the engine woken. Returns SM_API_ACCEPTED or -errno.
 */
int smdp_order_accept(struct sm_api_call *call, const struct smdp_order_fn *fn, const char *eid,
                      const char *smsr, const char *iccid, json_t *params);

int smdp_engine_start(struct smdp_app *a);
void smdp_engine_stop(struct smdp_app *a);
void smdp_engine_wake(struct smdp_app *a);
/* POST /gsma/operations from an SM-SR: the result of one of our ES3 calls. */
int smdp_operation_callback(void *app, const struct sm_entity *who, const json_t *body,
                            struct sm_status *st);

/* The ES8 state of a download in progress: keys and SCP03t session, the personalised package
 * and how much of it went. In memory only: a restart loses it, and the download starts again
 * after cleaning up (the package holds K and OPc: wiped when dropped). */
struct smdp_session {
    struct smdp_es8 es8;
    struct sm_buf pkg;
    size_t off;
    /* loading the master-delete token key: SCP03 (APDU form) with the ISD-P's keys */
    struct sm_scp03_session scp;
    uint8_t host_challenge[8], token_key[16];
};
struct smdp_session *smdp_session_get(struct smdp_app *a, int64_t order_id, bool create);
void smdp_session_drop(struct smdp_app *a, int64_t order_id);

#endif
