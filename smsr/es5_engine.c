/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ES5 engine (es5_engine.h): operations from accepted calls to the card and back.
 *
 * Durability (architecture 6): an operation is a row before the caller hears 202; the SCP80
 * counter of a packet is committed before the packet is built, so a restart never reuses one;
 * a packet whose PoR did not come (or a restart while it was out) is sent again with a new
 * counter; an operation's end, its journaled answer and its callback are one transaction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "eis_codec.h"
#include "eis_lookup.h"
#include "es5_engine.h"
#include "es5_https.h"
#include "es5_transport.h"
#include "sm/err.h"
#include "sm/hex.h"
#include "sm/http_client.h"
#include "sm/log.h"
#include "sm/scp80.h"
#include "smdb/db.h"

struct smsr_engine {
    struct smsr_app *a;
    pthread_t card_thread;
    bool card_started;
    struct smdb_outbox_pool *outbox; /* delivers results and notifications */
    atomic_bool stop;
    struct smsr_sms *sms;
    struct smsr_https *https; /* NULL when es5.bearer is sms */
    struct sm_http_client *http;
    /* one actor per operation at a time: the card thread, or an admin session's request */
    pthread_mutex_t op_mu;
    int wake_fd; /* eventfd: a new operation for the card thread */
};

void smsr_engine_wake(struct smsr_engine *g)
{
    uint64_t one = 1;

    if (g && g->wake_fd >= 0 && write(g->wake_fd, &one, sizeof(one)) < 0)
        return; /* the counter is full: the thread is woken anyway */
}

/* ---- helpers shared by the function files ---- */

const struct smdb_profile *smsr_profile_by_iccid(const struct smdb_eis *e, const char *iccid)
{
    for (size_t i = 0; iccid && i < e->nprofiles; i++)
        if (!strcmp(e->profiles[i].iccid, iccid))
            return &e->profiles[i];
    return NULL;
}

bool smsr_may_act(const struct smdb_op *op, const struct smdb_profile *p)
{
    if (!strncmp(op->function, "es4.", 4))
        return !strcmp(p->mno_id, op->requester);
    if (!strncmp(op->function, "es3.", 4))
        return p->smdp_id[0] && !strcmp(p->smdp_id, op->requester);
    return true; /* the SM-SR's own card work */
}

static bool pol2_has(const struct smdb_profile *p, const char *action, const char *qual)
{
    json_t *pol = p->pol2 ? json_loads(p->pol2, 0, NULL) : NULL;
    json_t *rules = json_is_array(pol) ? pol : json_object_get(pol, "rule"), *r;
    size_t i;
    bool hit = false;

    json_array_foreach(rules, i, r) {
        const char *s = sm_json_str(r, "subject"), *ac = sm_json_str(r, "action"),
                   *q = sm_json_str(r, "qualification");

        if (s && ac && q && !strcasecmp(s, "PROFILE") && !strcasecmp(ac, action) &&
            !strcasecmp(q, qual))
            hit = true;
    }
    json_decref(pol);
    return hit;
}

bool smsr_pol2_forbids(const struct smdb_profile *p, const char *action)
{
    return pol2_has(p, action, "Not-Allowed");
}

bool smsr_pol2_auto(const struct smdb_profile *p, const char *action)
{
    return pol2_has(p, action, "Auto-Delete");
}

int smsr_aid_bytes(const char *hex, uint8_t aid[SMSR_AID_LEN])
{
    return hex && strlen(hex) == 2 * SMSR_AID_LEN &&
                   sm_hex_decode(hex, aid, SMSR_AID_LEN) == SMSR_AID_LEN
               ? 0
               : -EINVAL;
}

int smsr_checked_at_acceptance(const struct smdb_op *op, const struct smdb_eis *e,
                               struct sm_status *st)
{
    (void)op;
    (void)e;
    (void)st;
    return 0;
}

void smsr_es5_response_data(struct smsr_es5_result *r, const struct smdb_op *op)
{
    if (op->card_response && op->card_response[0])
        json_object_set_new(r->out, "euiccResponseData", json_string(op->card_response));
}

/* The function an operation runs, by the name after the interface. */
static const struct smsr_es5_fn *fn_of(const char *function)
{
    static const struct {
        const char *name;
        const struct smsr_es5_fn *fn;
    } map[] = {
        {"auditEIS", &smsr_fn_audit_eis},
        {"enableProfile", &smsr_fn_enable_profile},
        {"disableProfile", &smsr_fn_disable_profile},
        {"deleteProfile", &smsr_fn_delete_profile},
        {"deleteISDP", &smsr_fn_delete_profile},
        {"notificationConfirmation", &smsr_fn_notification_confirmation},
        {"createISDP", &smsr_fn_create_isdp},
        {"sendData", &smsr_fn_send_data},
        {"setFallbackAttribute", &smsr_fn_set_fallback},
        {"updateConnectivityParameters", &smsr_fn_update_connectivity},
        {"masterDelete", &smsr_fn_master_delete},
        {"smsrChange", &smsr_fn_smsr_change},
        {"handoverEUICC", &smsr_fn_handover_euicc},
        {"authenticateSMSR", &smsr_fn_authenticate_smsr},
        {"createAdditionalKeySet", &smsr_fn_create_additional_key_set},
    };
    const char *dot = strchr(function, '.');

    for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(dot + 1, map[i].name))
            return map[i].fn;
    return NULL;
}

void smsr_op_tar(const struct smdb_op *op, uint8_t tar[3])
{
    const struct smsr_es5_fn *fn = fn_of(op->function);

    if (!fn || !fn->target || fn->target(op, tar)) {
        tar[0] = 0x00;
        tar[1] = 0x00;
        tar[2] = 0x01;
    }
}

/* ---- acceptance ---- */

int smsr_es5_accept(struct sm_api_call *call, const struct smsr_es5_fn *fn, const char *eid,
                    const char *iccid, json_t *params, struct sm_status *st)
{
    struct smsr_app *a = call->app;
    struct smdb_op op;
    struct smdb_eis e;
    const struct smdb_profile *p;
    int rc = smsr_eis_lookup(a, eid, &e, st);

    if (rc) {
        json_decref(params);
        return rc > 0 ? SM_API_DONE : rc;
    }
    memset(&op, 0, sizeof(op));
    snprintf(op.requester, sizeof(op.requester), "%s", call->caller->id);
    snprintf(op.call_id, sizeof(op.call_id), "%s", call->header->call_id);
    snprintf(op.function, sizeof(op.function), "%s.%s", call->route->iface, call->route->function);
    snprintf(op.eid, sizeof(op.eid), "%s", eid);
    p = smsr_profile_by_iccid(&e, iccid);
    if (iccid)
        snprintf(op.iccid, sizeof(op.iccid), "%s", iccid);
    if (p)
        snprintf(op.isdp_aid, sizeof(op.isdp_aid), "%s", p->isdp_aid);
    op.created_ms = call->now_ms;
    op.deadline_ms = call->header->has_validity
                         ? call->now_ms + call->header->validity_period * 1000
                         : call->now_ms + (int64_t)a->cfg->es5_validity * 1000;
    op.params = params ? json_dumps(params, JSON_COMPACT) : NULL;
    json_decref(params);
    if (params && !op.params) {
        smdb_eis_free(&e);
        return -ENOMEM;
    }
    if (strcmp(e.state, fn->while_locked ? "locked" : "registered")) {
        sm_status_fail(st, 200, SM_SUBJ_EID, SM_RSN_REFUSED, eid,
                       "the card is %s: no operation is accepted for it", e.state);
        rc = 1;
    } else {
        rc = fn->check(&op, &e, st);
    }
    smdb_eis_free(&e);
    if (rc) {
        free(op.params);
        return rc > 0 ? SM_API_DONE : rc;
    }
    rc = smdb_op_insert(a->db, &op, NULL);
    free(op.params);
    if (rc)
        return rc == -EEXIST ? -EIO : rc;
    smsr_engine_wake(a->engine);
    SM_LOGI(SM_LOG_API, eid, "%s accepted (%s by %s), due within %llds", op.function,
            call->header->call_id, call->caller->name,
            (long long)((op.deadline_ms - op.created_ms) / 1000));
    return SM_API_ACCEPTED;
}

/* ---- ending an operation ---- */

static void finish(struct smsr_engine *g, struct smdb_op *op, struct smsr_es5_result *r)
{
    struct smsr_app *a = g->a;
    bool external = strncmp(op->function, "card.", 5) != 0;
    json_t *resp = r->out ? r->out : json_object(), *cb = NULL;
    char *text = NULL, *cbtext = NULL;
    int rc;

    r->out = NULL;
    if (!resp || sm_resp_set_header(resp, &r->st)) {
        json_decref(resp);
        return;
    }
    if (external) {
        text = json_dumps(resp, JSON_COMPACT);
        cb = json_pack("{s:s, s:s, s:s, s:O}", "functionCallIdentifier", op->call_id, "function",
                       op->function, "state", "done", "response", resp);
        cbtext = cb ? json_dumps(cb, JSON_COMPACT) : NULL;
    }
    rc = smdb_op_finish(a->db, op, sm_exec_status_name(r->st.status), r->st.http_status, text,
                        cbtext ? "operations" : NULL, cbtext, sm_wall_ms());
    if (rc)
        SM_LOGE(SM_LOG_DB, op->eid, "%s %s: the result could not be stored: %s", op->function,
                op->call_id, sm_strerror(rc));
    else
        SM_LOGI(SM_LOG_OTA, op->eid, "%s %s: %s%s%s", op->function, op->call_id,
                sm_exec_status_name(r->st.status), r->st.message[0] ? ": " : "", r->st.message);
    if (cbtext)
        smdb_outbox_pool_wake(g->outbox);
    /* the card's next operation may run now (an admin session's thread ends operations too) */
    smsr_engine_wake(g);
    free(text);
    free(cbtext);
    json_decref(cb);
    json_decref(resp);
}

static void finish_status(struct smsr_engine *g, struct smdb_op *op, const struct sm_status *st)
{
    struct smsr_es5_result r = {.st = *st, .out = json_object()};

    finish(g, op, &r);
}

/* ---- the card thread ---- */

/* Hand the script to the card: over HTTPS (a trigger, then the card's admin session) when the
 * card can be reached so, else over SMS. */
static int deliver_script(struct smsr_engine *g, struct smdb_op *op, bool https)
{
    struct sm_buf trigger = SM_BUF_INIT;
    int rc;

    /* no admin agent (es5.bearer is sms now, after a restart): SMS */
    if (!https || !g->https)
        return smsr_sms_send(g->sms, op, op->script, op->script_len);
    rc = smsr_https_trigger(g->https, &trigger);
    if (!rc)
        rc = smsr_sms_send_trigger(g->sms, op, trigger.data, trigger.len);
    sm_buf_free(&trigger);
    return rc;
}

/* The operation's turn: check again (the EIS may have changed while it was queued), send. */
static void run_queued(struct smsr_engine *g, struct smdb_op *op, const struct smsr_es5_fn *fn)
{
    struct smsr_app *a = g->a;
    struct smdb_eis e;
    struct sm_status st;
    struct sm_buf script = SM_BUF_INIT;
    int64_t now = sm_wall_ms();
    bool https = false;
    int rc;

    sm_status_ok(&st);
    rc = smsr_eis_lookup(a, op->eid, &e, &st);
    if (rc > 0) {
        finish_status(g, op, &st);
        return;
    }
    if (rc)
        goto later;
    rc = fn->check(op, &e, &st);
    if (rc == 0)
        rc = fn->script(op, &e, &script);
    /* a confirmation answers an SMS the card just sent: one SMS back costs the card and us less
     * than a trigger and a TLS session */
    https = rc == 0 && strcmp(a->cfg->es5_bearer, "sms") &&
            strcmp(op->function, "card.notificationConfirmation") &&
            smsr_https_usable(g->https, &e);
    smdb_eis_free(&e);
    if (rc > 0) {
        finish_status(g, op, &st);
        sm_buf_free(&script);
        return;
    }
    if (rc)
        goto later;
    free(op->script);
    op->script = script.data;
    op->script_len = script.len;
    script.data = NULL;
    rc = deliver_script(g, op, https);
    if (rc == -ENOTCONN || rc == -EAGAIN)
        goto later;
    if (rc) {
        sm_status_fail(&st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the command could not be sent to the card: %s", sm_strerror(rc));
        finish_status(g, op, &st);
    }
    /* else stored as sent, with its counter and deadline */
    return;
later:
    op->next_ms = now + 1000;
    smdb_op_update(a->db, op);
}

/* A step of a function that talks to the other SM-SR (smsr_es5_fn.step). */
static void run_step(struct smsr_engine *g, struct smdb_op *op, const struct smsr_es5_fn *fn)
{
    struct smsr_es5_result r = {.out = json_object()};
    int64_t now = sm_wall_ms();
    struct sm_status st;
    int rc;

    sm_status_ok(&r.st);
    op->next_ms = 0;
    rc = fn->step(g->a, g->http, op, &r);
    if (rc == SMSR_STEP_DONE) {
        finish(g, op, &r);
        return;
    }
    json_decref(r.out);
    if (rc == SMSR_STEP_SCRIPT) {
        rc = smsr_sms_send(g->sms, op, op->script, op->script_len);
        if (rc == 0)
            return; /* stored as sent */
        if (rc != -ENOTCONN && rc != -EAGAIN) {
            sm_status_fail(&st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                           "the command could not be sent to the card: %s", sm_strerror(rc));
            if (fn->expired)
                fn->expired(g->a, op, &st);
            finish_status(g, op, &st);
            return;
        }
        /* the SMSC is away: the script is kept, the step gives it again */
    } else if (rc == SMSR_STEP_WAIT) {
        snprintf(op->state, sizeof(op->state), "await-peer");
    } else {
        SM_LOGW(SM_LOG_API, op->eid, "%s %s: %s, trying again", op->function, op->call_id,
                sm_strerror(rc));
    }
    if (op->next_ms <= now)
        op->next_ms = now + (rc < 0 ? 5000 : 1000);
    if (op->next_ms > op->deadline_ms && now < op->deadline_ms)
        op->next_ms = op->deadline_ms;
    smdb_op_update(g->a->db, op);
}

/* Triggers sent before an operation's script goes by SMS instead. */
#define SMSR_HTTPS_TRIGGERS 3

/* A sent script goes again: another trigger, or by SMS after the triggers the card did not
 * follow; else the same script with a new counter. */
static void resend(struct smsr_engine *g, struct smdb_op *op, const struct smsr_es5_fn *fn)
{
    struct sm_status st;
    int rc;

    if (!op->script_len) {
        run_queued(g, op, fn);
        return;
    }
    if (!strcmp(op->bearer, "https") && op->attempts < SMSR_HTTPS_TRIGGERS && g->https) {
        /* a card busy with another session may have let the trigger go: trigger again */
        SM_LOGI(SM_LOG_OTA, op->eid, "%s %s: no admin session yet, trigger %u", op->function,
                op->call_id, op->attempts + 1);
        rc = deliver_script(g, op, true);
        if (!rc)
            return;
    } else if (!strcmp(op->bearer, "https"))
        SM_LOGW(SM_LOG_OTA, op->eid, "%s %s: no admin session after %u triggers, by SMS now",
                op->function, op->call_id, op->attempts);
    else
        SM_LOGW(SM_LOG_OTA, op->eid, "%s %s: no PoR for counter %llu, sending again", op->function,
                op->call_id, (unsigned long long)op->por_cntr);
    rc = smsr_sms_send(g->sms, op, op->script, op->script_len);
    if (rc == -ENOTCONN || rc == -EAGAIN) {
        op->next_ms = sm_wall_ms() + 1000;
        smdb_op_update(g->a->db, op);
    } else if (rc) {
        sm_status_fail(&st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                       "the command could not be sent to the card: %s", sm_strerror(rc));
        finish_status(g, op, &st);
    }
}

static void run_due(struct smsr_engine *g, struct smdb_op *op)
{
    const struct smsr_es5_fn *fn = fn_of(op->function);
    int64_t now = sm_wall_ms();
    struct sm_status st;

    if (!fn) {
        sm_status_fail(&st, 200, SM_SUBJ_FUNCTION, SM_RSN_UNSUPPORTED, op->function,
                       "this server version cannot run %s", op->function);
        finish_status(g, op, &st);
        return;
    }
    if (fn->step && (!strcmp(op->state, "queued") || !strcmp(op->state, "await-peer"))) {
        run_step(g, op, fn);
        return;
    }
    if (now >= op->deadline_ms) {
        sm_status_set(&st, SM_EXEC_EXPIRED, 200, SM_SUBJ_EUICC, SM_RSN_TTL_EXPIRED, op->eid, "%s",
                      !strcmp(op->state, "queued")
                          ? "the validity period ended before the operation could run"
                      : !strcmp(op->state, "sent")
                          ? "the card did not answer within the validity period"
                          : "the card did not report the outcome within the validity period");
        if (fn->expired)
            fn->expired(g->a, op, &st);
        finish_status(g, op, &st);
        return;
    }
    if (!strcmp(op->state, "queued")) {
        run_queued(g, op, fn);
        return;
    }
    if (!strcmp(op->state, "sent")) {
        resend(g, op, fn);
        return;
    }
    /* await-notification: nothing to do before the deadline */
    op->next_ms = op->deadline_ms;
    smdb_op_update(g->a->db, op);
}

/* The card answered op (its PoR, or its admin session, carried the response script). */
static void answer_locked(struct smsr_engine *g, struct smdb_op *op, uint8_t por_status,
                          const uint8_t *data, size_t len)
{
    const struct smsr_es5_fn *fn = fn_of(op->function);
    struct smsr_es5_result r = {.out = json_object()};
    struct smsr_es5_answer ans;
    char *hex = malloc(2 * len + 1);
    int rc;

    sm_status_ok(&r.st);
    if (hex) {
        sm_hex_encode_upper(data, len, hex);
        free(op->card_response);
        op->card_response = hex;
    }
    if (por_status != SM_POR_OK) {
        sm_status_fail(&r.st, 200, SM_SUBJ_ISDR, SM_RSN_VERIFICATION_FAILED, op->eid,
                       "the card refused the secured packet: PoR status %02X (%s)", por_status,
                       sm_por_status_text(por_status));
        finish(g, op, &r);
        return;
    }
    rc = smsr_es5_answer_decode(data, len, &ans);
    if (rc || ans.bad_format) {
        if (ans.bad_format)
            sm_status_fail(&r.st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                           "the card found the script badly formatted (90 01 %02X)",
                           ans.bad_format_code);
        else
            sm_status_fail(&r.st, 200, SM_SUBJ_EUICC, SM_RSN_EXECUTION_ERROR, op->eid,
                           "the card's answer is not a response script");
        smsr_es5_response_data(&r, op);
        finish(g, op, &r);
        return;
    }
    rc = fn ? fn->answer(g->a, op, &ans, &r) : -ENOSYS;
    if (rc) {
        sm_status_fail(&r.st, 500, SM_SUBJ_PROVIDER, SM_RSN_EXECUTION_ERROR, NULL,
                       "the card's answer could not be processed: %s", sm_strerror(rc));
        finish(g, op, &r);
        return;
    }
    if (r.await_notification) {
        unsigned type;

        /* the card's notification may have overtaken its answer (it goes by SMS, the answer
         * by the admin session): it ends the operation now */
        if (smdb_card_notif_since(g->a->db, op->eid, op->created_ms, &type) == 0) {
            if (type == 0x03)
                sm_status_fail(&r.st, 200, SM_SUBJ_PROFILE, SM_RSN_EXECUTION_ERROR, op->iccid,
                               "the card could not complete the change and rolled back "
                               "(notification 03)");
            finish(g, op, &r);
            return;
        }
        snprintf(op->state, sizeof(op->state), "await-notification");
        op->next_ms = op->deadline_ms;
        smdb_op_update(g->a->db, op);
        json_decref(r.out);
        return;
    }
    finish(g, op, &r);
}

/* Run fn on the current row of the operation, if it is still sent, under op_mu. */
static void with_sent_op(struct smsr_engine *g, int64_t id,
                         void (*fn)(struct smsr_engine *g, struct smdb_op *op, const void *arg),
                         const void *arg)
{
    struct smdb_op op;

    pthread_mutex_lock(&g->op_mu);
    if (smdb_op_by_id(g->a->db, id, &op) == 0) {
        if (!strcmp(op.state, "sent"))
            fn(g, &op, arg);
        smdb_op_free(&op);
    }
    pthread_mutex_unlock(&g->op_mu);
}

struct answer_arg {
    uint8_t status;
    const uint8_t *data;
    size_t len;
    bool por;
};

static void answer_fn(struct smsr_engine *g, struct smdb_op *op, const void *arg)
{
    const struct answer_arg *x = arg;

    if (x->por && !strcmp(op->bearer, "https")) {
        /* the trigger's PoR comes only on error: the card will not open the session */
        if (x->status != SM_POR_OK) {
            SM_LOGW(SM_LOG_OTA, op->eid, "%s %s: HTTPS trigger refused (PoR %02X %s)", op->function,
                    op->call_id, x->status, sm_por_status_text(x->status));
            resend(g, op, fn_of(op->function));
        }
        return;
    }
    answer_locked(g, op, x->status, x->data, x->len);
}

void smsr_engine_answer(struct smsr_engine *g, struct smdb_op *op, uint8_t por_status,
                        const uint8_t *data, size_t len)
{
    struct answer_arg x = {por_status, data, len, false};

    with_sent_op(g, op->id, answer_fn, &x);
}

void smsr_engine_por(struct smsr_engine *g, struct smdb_op *op, uint8_t por_status,
                     const uint8_t *data, size_t len)
{
    struct answer_arg x = {por_status, data, len, true};

    with_sent_op(g, op->id, answer_fn, &x);
}

static void session_failed_fn(struct smsr_engine *g, struct smdb_op *op, const void *arg)
{
    const char *status = arg;
    struct sm_status st;

    if (!strcasecmp(status, "unknown-application") || !strcasecmp(status, "not-a-security-domain"))
        sm_status_fail(&st, 200, SM_SUBJ_SD_AID, SM_RSN_UNKNOWN, NULL,
                       "the card does not know the targeted application (%s)", status);
    else
        sm_status_fail(&st, 200, SM_SUBJ_ISDR, SM_RSN_VERIFICATION_FAILED, op->eid,
                       "the card's admin session reported %s", status);
    finish_status(g, op, &st);
}

void smsr_engine_session_failed(struct smsr_engine *g, const struct smdb_op *op, const char *status)
{
    with_sent_op(g, op->id, session_failed_fn, status);
}

/* Queue the confirmation of a card notification (a card.* step that runs beside the card's
 * operation). Repetitions of the notification find it queued already. */
static void queue_confirmation(struct smsr_engine *g, const struct smsr_notification *n)
{
    struct smdb_op op;
    char params[32];
    int rc;

    memset(&op, 0, sizeof(op));
    snprintf(op.requester, sizeof(op.requester), "%s", g->a->cfg->base.id);
    snprintf(op.call_id, sizeof(op.call_id), "confirm-%s-%u", n->eid, n->seq);
    snprintf(op.function, sizeof(op.function), "card.notificationConfirmation");
    snprintf(op.eid, sizeof(op.eid), "%s", n->eid);
    snprintf(params, sizeof(params), "{\"seq\":%u}", n->seq);
    op.params = params;
    op.created_ms = sm_wall_ms();
    op.deadline_ms = op.created_ms + (int64_t)g->a->cfg->es5_validity * 1000;
    rc = smdb_op_insert(g->a->db, &op, NULL);
    if (rc && rc != -EEXIST)
        SM_LOGE(SM_LOG_DB, n->eid, "confirmation of notification %u: %s", n->seq, sm_strerror(rc));
}

void smsr_notify_owner(struct smsr_app *a, const struct smdb_profile *p, const char *eid,
                       const char *what, int64_t now)
{
    char ts[32], id[160], path[96];
    json_t *m;
    char *text;

    sm_rfc3339(now, ts);
    for (int to_smdp = 0; to_smdp < 2; to_smdp++) {
        const char *target = to_smdp ? p->smdp_id : p->mno_id;

        if (!target[0])
            continue;
        snprintf(id, sizeof(id), "%s-%s-%s-%lld", what, eid, p->iccid, (long long)now);
        snprintf(path, sizeof(path), "%s/handle%s%sNotification", to_smdp ? "es3" : "es4",
                 strncmp(what, "FallBack", 8) ? "Profile" : "", what);
        m = json_pack("{s:o, s:s, s:s, s:s}", "header", sm_req_header_build(a->cfg->base.id, id, 0),
                      "eid", eid, "iccid", p->iccid, "completionTimestamp", ts);
        if (m && to_smdp)
            json_object_set_new(m, "mnoId", json_string(p->mno_id));
        text = m ? json_dumps(m, JSON_COMPACT) : NULL;
        if (!text || smdb_outbox_add(a->db, target, path, text, eid, now))
            SM_LOGE(SM_LOG_DB, eid, "notification %s for %s not queued", path, target);
        free(text);
        json_decref(m);
    }
}

int smsr_profile_deleted(struct smsr_app *a, const char *eid, const char *aid, const char *actor)
{
    struct smdb_eis e;
    int64_t now = sm_wall_ms();
    int rc = smdb_eis_get(a->db, eid, &e);

    if (rc)
        return rc == -ENOENT ? 0 : rc;
    for (size_t i = 0; !rc && i < e.nprofiles; i++)
        if (!strcasecmp(e.profiles[i].isdp_aid, aid)) {
            rc = smdb_profile_delete(a->db, eid, e.profiles[i].isdp_aid, actor, now);
            if (!rc)
                smsr_notify_owner(a, &e.profiles[i], eid, "Deleted", now);
        }
    smdb_eis_free(&e);
    return rc;
}

/* A delete the SM-SR itself asks for (POL2 Auto-Delete), checked and run like any DeleteProfile;
 * its end is told to the owners as every deletion is. */
static void queue_auto_delete(struct smsr_engine *g, const char *eid, const struct smdb_profile *p,
                              unsigned seq)
{
    struct smdb_op op;
    int rc;

    memset(&op, 0, sizeof(op));
    snprintf(op.requester, sizeof(op.requester), "%s", g->a->cfg->base.id);
    snprintf(op.call_id, sizeof(op.call_id), "autodelete-%s-%u", eid, seq);
    snprintf(op.function, sizeof(op.function), "card.deleteProfile");
    snprintf(op.eid, sizeof(op.eid), "%s", eid);
    snprintf(op.iccid, sizeof(op.iccid), "%s", p->iccid);
    snprintf(op.isdp_aid, sizeof(op.isdp_aid), "%s", p->isdp_aid);
    op.created_ms = sm_wall_ms();
    op.deadline_ms = op.created_ms + (int64_t)g->a->cfg->es5_validity * 1000;
    rc = smdb_op_insert(g->a->db, &op, NULL);
    if (rc && rc != -EEXIST)
        SM_LOGE(SM_LOG_DB, eid, "auto-delete of %s: %s", p->iccid, sm_strerror(rc));
    else
        SM_LOGI(SM_LOG_OTA, eid, "POL2 auto-delete of %s queued", p->iccid);
}

/* What the card's notification says happened (SGP.02 7.3, 7.4, 7.7, 7.10). */
static void notification_locked(struct smsr_engine *g, const struct smsr_notification *n)
{
    struct smsr_app *a = g->a;
    int64_t now = sm_wall_ms();
    char aid[2 * SMSR_AID_LEN + 1] = "";
    struct smdb_eis before;
    struct smdb_op op;
    int rc;

    if (n->has_aid)
        sm_hex_encode_upper(n->aid, SMSR_AID_LEN, aid);
    rc = smdb_card_notif_add(a->db, n->eid, n->seq, n->type, aid, n->imei, now);
    if (rc == -EEXIST) {
        int64_t confirmed = 0;

        /* the card did not get our confirmation yet: it is queued or on its way; unless the
         * notification was refused as late, and stays so */
        SM_LOGI(SM_LOG_OTA, n->eid, "notification %u repeated by the card", n->seq);
        if (smdb_card_notif_confirmed_ms(a->db, n->eid, n->seq, &confirmed) == 0 && confirmed >= 0)
            queue_confirmation(g, n);
        return;
    }
    if (!rc && (n->type == 0x02 || n->type == 0x05)) {
        bool late = false;

        /* SGP.02 7.3: a change reported after its operation's validity period is not
         * confirmed; the card rolls it back (and says so with 03) */
        if (smdb_card_notif_late(a->db, n->eid, n->seq, &late) == 0 && late) {
            SM_LOGW(SM_LOG_OTA, n->eid,
                    "notification %u type %02X came after its operation expired: not confirmed, "
                    "the card rolls the change back",
                    n->seq, n->type);
            smdb_card_notif_confirmed(a->db, n->eid, n->seq, -1);
            smdb_eis_audit(a->db, n->eid, "card", "late change refused", aid[0] ? aid : NULL, now);
            return;
        }
    }
    if (rc) {
        SM_LOGE(SM_LOG_DB, n->eid, "notification %u not recorded: %s", n->seq, sm_strerror(rc));
        return; /* not confirmed: the card sends it again */
    }
    atomic_fetch_add(&a->stats.notifications, 1);
    SM_LOGI(SM_LOG_OTA, n->eid, "notification %u type %02X%s%s", n->seq, n->type,
            aid[0] ? " ISD-P " : "", aid);
    if ((n->type == 0x02 || n->type == 0x05) && aid[0] &&
        smdb_eis_get(a->db, n->eid, &before) == 0) {
        const struct smdb_profile *on = NULL, *off = NULL;

        for (size_t i = 0; i < before.nprofiles; i++) {
            if (!strcasecmp(before.profiles[i].isdp_aid, aid))
                on = &before.profiles[i];
            else if (!strcmp(before.profiles[i].state, "Enabled"))
                off = &before.profiles[i];
        }
        if (on && strcmp(on->state, "Enabled")) {
            smdb_profile_switch(a->db, n->eid, on->isdp_aid, "card",
                                n->type == 0x05 ? "fall-back profile enabled" : "profile enabled",
                                now);
            smsr_notify_owner(a, on, n->eid, "Enabled", now);
            if (off)
                smsr_notify_owner(a, off, n->eid, "Disabled", now);
            /* POL2 DISABLE + Auto-Delete: the profile goes once disabled (sgp02 6) */
            if (off && smsr_pol2_auto(off, "DISABLE"))
                queue_auto_delete(g, n->eid, off, n->seq);
        }
        smdb_eis_free(&before);
    } else {
        smdb_eis_audit(a->db, n->eid, "card",
                       n->type == 0x01 ? "first network attachment" : "notification",
                       n->imei[0] ? n->imei : NULL, now);
    }
    if (smdb_op_awaiting(a->db, n->eid, &op) == 0) {
        struct smsr_es5_result r = {.out = json_object()};

        sm_status_ok(&r.st);
        if (n->type == 0x03)
            sm_status_fail(&r.st, 200, SM_SUBJ_PROFILE, SM_RSN_EXECUTION_ERROR, op.iccid,
                           "the card could not complete the change and rolled back "
                           "(notification 03)");
        if (n->type != 0x01)
            finish(g, &op, &r);
        else
            json_decref(r.out);
        smdb_op_free(&op);
    }
    queue_confirmation(g, n);
}

void smsr_engine_notification(struct smsr_engine *g, const struct smsr_notification *n)
{
    /* with the operations' lock: the card's answer to the same operation may be arriving
     * through an admin session at this moment; one of the two must see the other */
    pthread_mutex_lock(&g->op_mu);
    /* recorded, applied, answered, notified and its confirmation queued: one commit (a failed
     * commit leaves nothing, and the card, unconfirmed, sends it again) */
    if (smdb_unit_begin(g->a->db) == 0) {
        notification_locked(g, n);
        if (smdb_unit_end(g->a->db, 0))
            SM_LOGE(SM_LOG_DB, n->eid, "notification %u: not stored", n->seq);
    }
    pthread_mutex_unlock(&g->op_mu);
    /* what it queued for the outbox is visible now */
    smdb_outbox_pool_wake(g->outbox);
}

static void *card_thread(void *arg)
{
    struct smsr_engine *g = arg;
    unsigned ran = 1;

    while (!atomic_load(&g->stop)) {
        struct smdb_op op;
        int64_t wait = smdb_op_next_wait(g->a->db, sm_wall_ms());
        unsigned n = 0;

        if (wait < 0 || wait > 1000)
            wait = 1000; /* new operations wake the thread at once (wake_fd) */
        /* operations past their time that are not due (behind another of their card, or held
         * out of a script sequence) do not make the thread spin */
        if (!ran && wait < 20)
            wait = 20;
        if (smsr_sms_queued(g->sms) && wait > 100)
            wait = 100; /* SMS held back by the SMSC's pause go in the next rounds */
        smsr_sms_serve(g->sms, (int)wait, g->wake_fd);
        /* the operations' lock around reading and acting: an admin session's answer cannot
         * change the row in between */
        ran = 0;
        while (n++ < 64 && !atomic_load(&g->stop)) {
            pthread_mutex_lock(&g->op_mu);
            if (smdb_op_due(g->a->db, sm_wall_ms(), &op)) {
                pthread_mutex_unlock(&g->op_mu);
                break;
            }
            ran++;
            run_due(g, &op);
            pthread_mutex_unlock(&g->op_mu);
            smdb_op_free(&op);
        }
        /* the round's SMS, after one flush for all their counters */
        smsr_sms_flush(g->sms);
    }
    return NULL;
}

int smsr_operation_callback(void *app, const struct sm_entity *who, const json_t *body,
                            struct sm_status *st)
{
    struct smsr_app *a = app;
    const char *call = sm_json_str(body, "functionCallIdentifier");
    unsigned n = 0;

    if (who->role != SM_ROLE_SMSR) {
        sm_status_fail(st, 403, SM_SUBJ_REQUESTER, SM_RSN_NOT_ALLOWED, who->id,
                       "this SM-SR calls only other SM-SRs: no result is expected from %s",
                       who->name);
        return 1;
    }
    /* the answer itself is read back with GET (es7_peer.h): the callback only says "now" */
    if (smdb_op_peer_wake(a->db, who->id, call, NULL, sm_wall_ms(), &n) == 0 && n && a->engine)
        smsr_engine_wake(a->engine);
    SM_LOGI(SM_LOG_API, who->id, "result of %s announced%s", call,
            n ? "" : " (no operation waits for it)");
    return 0;
}

/* ---- start and stop ---- */

int smsr_engine_start(struct smsr_app *a)
{
    struct smsr_engine *g = calloc(1, sizeof(*g));
    struct sm_http_client_config hc;
    unsigned orphans = 0;
    int rc;

    if (!g)
        return -ENOMEM;
    g->a = a;
    g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    a->engine = g;
    pthread_mutex_init(&g->op_mu, NULL);
    rc = smdb_op_forget_orphans(a->db, &orphans);
    if (!rc && orphans)
        SM_LOGW(SM_LOG_DB, "es5",
                "%u accepted call%s without an operation forgotten (a retry "
                "runs them)",
                orphans, orphans == 1 ? "" : "s");
    sm_daemon_client_config(&a->cfg->base, &hc);
    if (!rc)
        rc = sm_http_client_global_init() ? -EIO : sm_http_client_new(&hc, &g->http);
    if (!rc)
        rc = smsr_sms_new(a, g, &g->sms);
    if (!rc && strcmp(a->cfg->es5_bearer, "sms"))
        rc = smsr_https_start(a, g, &g->https);
    if (!rc && !(rc = -pthread_create(&g->card_thread, NULL, card_thread, g)))
        g->card_started = true;
    if (!rc) {
        const struct smdb_outbox_pool_cfg oc = {.db = a->db,
                                                .http = &hc,
                                                .workers = (unsigned)a->cfg->es5_outbox_workers,
                                                .delivered = &a->stats.delivered,
                                                .errors = &a->stats.delivery_errors};

        rc = smdb_outbox_pool_start(&oc, &g->outbox);
    }
    if (rc) {
        smsr_engine_stop(a);
        return rc;
    }
    return 0;
}

void smsr_engine_stop(struct smsr_app *a)
{
    struct smsr_engine *g = a->engine;

    if (!g)
        return;
    atomic_store(&g->stop, true);
    smsr_engine_wake(g);
    if (g->card_started)
        pthread_join(g->card_thread, NULL);
    smdb_outbox_pool_stop(g->outbox);
    smsr_https_stop(g->https);
    smsr_sms_free(g->sms);
    sm_http_client_free(g->http);
    if (g->wake_fd >= 0)
        close(g->wake_fd);
    pthread_mutex_destroy(&g->op_mu);
    free(g);
    a->engine = NULL;
}
