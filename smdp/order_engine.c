/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The order engine (order_engine.h). Durability (architecture 6): an order is a row before the
 * MNO hears 202; the members of each ES3 call are stored before they leave and are sent again,
 * unchanged and under the same functionCallIdentifier, until an answer is stored; an order's
 * end, its journaled answer and its result for the MNO are one transaction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "es8_download.h"
#include "order_engine.h"
#include "sm/api_header.h"
#include "sm/err.h"
#include "sm/log.h"
#include "sm/secret.h"
#include "smdb/outbox.h"
#include "smdb/peer.h"

#define SMDP_MAX_WORKERS 64
/* steps one run may take before the order goes back to the queue (fairness between cards) */
#define SMDP_STEPS_PER_RUN 16

struct session_node {
    int64_t order_id;
    struct smdp_session s;
    struct session_node *next;
};

struct smdp_engine {
    struct smdp_app *a;
    pthread_t threads[SMDP_MAX_WORKERS];
    unsigned started;
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint wakes; /* counts wake-ups: a worker that saw it change does not sleep */
    /* the orders being run (with mu): a card's next order waits for them */
    struct smdb_due inflight[SMDP_MAX_WORKERS];
    unsigned ninflight;
    struct smdb_outbox_pool *outbox;
    pthread_mutex_t smu;
    struct session_node *sessions;
};

/* ---- ES8 sessions ---- */

struct smdp_session *smdp_session_get(struct smdp_app *a, int64_t order_id, bool create)
{
    struct smdp_engine *g = a->engine;
    struct session_node *s;

    pthread_mutex_lock(&g->smu);
    for (s = g->sessions; s && s->order_id != order_id; s = s->next)
        ;
    if (!s && create && (s = calloc(1, sizeof(*s)))) {
        s->order_id = order_id;
        s->s.pkg.secure = true;
        s->next = g->sessions;
        g->sessions = s;
    }
    pthread_mutex_unlock(&g->smu);
    return s ? &s->s : NULL;
}

void smdp_session_drop(struct smdp_app *a, int64_t order_id)
{
    struct smdp_engine *g = a->engine;
    struct session_node **pp, *s = NULL;

    pthread_mutex_lock(&g->smu);
    for (pp = &g->sessions; *pp; pp = &(*pp)->next)
        if ((*pp)->order_id == order_id) {
            s = *pp;
            *pp = s->next;
            break;
        }
    pthread_mutex_unlock(&g->smu);
    if (s) {
        smdp_es8_clear(&s->s.es8);
        sm_scp03_clear(&s->s.scp);
        sm_buf_free(&s->s.pkg);
        sm_wipe(s, sizeof(*s));
        free(s);
    }
}

/* ---- helpers for the steps ---- */

static int64_t backoff_ms(unsigned attempts)
{
    int64_t d = 1000;

    while (attempts-- && d < 60000)
        d *= 2;
    return d > 60000 ? 60000 : d;
}

static int save(struct smdp_run *x)
{
    char *text = json_dumps(x->params, JSON_COMPACT);
    int rc;

    if (!text)
        return -ENOMEM;
    free(x->o->params);
    x->o->params = text;
    rc = smdb_order_update(x->a->db, x->o);
    if (rc)
        SM_LOGE(SM_LOG_DB, x->o->eid, "order %lld: not stored: %s", (long long)x->o->id,
                sm_strerror(rc));
    return rc;
}

/* Send the stored call (params.pending) to the SM-SR. */
static int post_pending(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdb_order *o = x->o;
    json_t *p = json_object_get(x->params, "pending"), *answer = NULL;
    const char *fn = sm_json_str(p, "function"), *call = sm_json_str(p, "call");
    struct sm_status st;
    int rc;

    if (!fn || !call)
        return -EINVAL;
    /* awaited before it leaves: the SM-SR's result may come back before its 202 does */
    snprintf(o->state, sizeof(o->state), "await-smsr");
    snprintf(o->smsr_call, sizeof(o->smsr_call), "%s", call);
    o->next_ms = sm_wall_ms() + (int64_t)a->cfg->orders_poll * 1000;
    rc = save(x);
    if (rc)
        return rc;
    sm_status_ok(&st);
    rc = smdp_es3_post(a, o->smsr_id, fn, call, json_integer_value(json_object_get(p, "validity")),
                       json_deep_copy(json_object_get(p, "members")), &answer, &st);
    if (rc == SMDB_PEER_ACCEPTED) {
        json_decref(answer);
        return SMDP_STEP_WAIT;
    }
    snprintf(o->state, sizeof(o->state), "queued");
    o->smsr_call[0] = '\0';
    if (rc == SMDB_PEER_DONE || rc == SMDB_PEER_REFUSED) {
        /* an answer at once (or a refusal of ours, such as an unknown SM-SR): the step's result */
        if (!answer && (answer = json_object()) && sm_resp_set_header(answer, &st)) {
            json_decref(answer);
            answer = NULL;
        }
        free(o->smsr_result);
        o->smsr_result = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
        json_decref(answer);
        return o->smsr_result ? SMDP_STEP_AGAIN : -ENOMEM;
    }
    if (rc == -EAGAIN) {
        int64_t now = sm_wall_ms(),
                end = o->deadline_ms +
                      (strcmp(o->step, "cleanup") ? 0 : a->cfg->orders_cleanup_validity * 1000);

        if (now <= end) {
            /* the SM-SR is not reachable now: the same call again later */
            o->next_ms = now + backoff_ms(o->attempts++);
            return SMDP_STEP_WAIT;
        }
        /* nor within the validity period: the step gets that as the call's answer */
        sm_status_set(&st, SM_EXEC_EXPIRED, 200, SM_SUBJ_SMSR, SM_RSN_INACCESSIBLE, o->smsr_id,
                      "the SM-SR could not be reached within the validity period");
        answer = json_object();
        if (!answer || sm_resp_set_header(answer, &st)) {
            json_decref(answer);
            return -ENOMEM;
        }
        free(o->smsr_result);
        o->smsr_result = json_dumps(answer, JSON_COMPACT);
        json_decref(answer);
        return o->smsr_result ? SMDP_STEP_AGAIN : -ENOMEM;
    }
    return rc;
}

int smdp_run_call(struct smdp_run *x, const char *function, json_t *members)
{
    json_int_t seq = json_integer_value(json_object_get(x->params, "seq"));
    char call[SM_ID_MAX + 1];
    int64_t validity;
    json_t *p;

    if (!members)
        return -ENOMEM;
    if (!json_object_get(members, "eid"))
        json_object_set_new(members, "eid", json_string(x->o->eid));
    /* unique at the SM-SR for this SM-DP: the order's creation time, its row and the call's
     * number within it */
    snprintf(call, sizeof(call), "dp-%lld-%lld.%lld", (long long)x->o->created_ms,
             (long long)x->o->id, (long long)seq);
    /* the SM-SR's operation may take what is left of the order's validity (a clean-up at least
     * orders.cleanup_validity) */
    validity = (x->o->deadline_ms - sm_wall_ms()) / 1000;
    if (!strcmp(x->o->step, "cleanup") && validity < x->a->cfg->orders_cleanup_validity)
        validity = x->a->cfg->orders_cleanup_validity;
    if (validity < 1)
        validity = 1;
    p = json_pack("{s:s, s:s, s:o, s:I}", "function", function, "call", call, "members", members,
                  "validity", (json_int_t)validity);
    if (!p || json_object_set_new(x->params, "pending", p))
        return -ENOMEM;
    /* stored before it leaves (post_pending): after a restart the same call goes again, never
     * a second one */
    return post_pending(x);
}

int smdp_run_goto(struct smdp_run *x, const char *step)
{
    snprintf(x->o->step, sizeof(x->o->step), "%s", step);
    return SMDP_STEP_AGAIN;
}

int smdp_run_fail_with_result(struct smdp_run *x)
{
    x->st = x->rs;
    if (x->st.status == SM_EXEC_SUCCESS)
        sm_status_fail(&x->st, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, NULL,
                       "the SM-SR's answer was not a failure");
    return SMDP_STEP_DONE;
}

int smdp_status_save(json_t *params, const char *name, const struct sm_status *st)
{
    json_t *h = json_object();

    if (!h || sm_resp_set_header(h, st)) {
        json_decref(h);
        return -ENOMEM;
    }
    return json_object_set_new(params, name, h) ? -ENOMEM : 0;
}

void smdp_status_load(const json_t *params, const char *name, struct sm_status *st)
{
    if (sm_resp_parse_status(json_object_get(params, name), st))
        sm_status_fail(st, 200, SM_SUBJ_PROVIDER, SM_RSN_EXECUTION_ERROR, NULL, "the order failed");
}

void smdp_run_progress(struct smdp_run *x, const char *what)
{
    struct smdp_app *a = x->a;
    int64_t now = sm_wall_ms();
    char ts[32], id[SM_ID_MAX + 1];
    char *text;
    json_t *m;

    if (!a->cfg->es2_progress)
        return;
    sm_rfc3339(now, ts);
    snprintf(id, sizeof(id), "%.80s-%s", x->o->call_id, what);
    m = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "header",
                  sm_req_header_build(a->cfg->base.id, id, 0), "functionCallIdentifier",
                  x->o->call_id, "eid", x->o->eid, "iccid", x->o->iccid, "progress", what,
                  "timestamp", ts);
    text = m ? json_dumps(m, JSON_COMPACT) : NULL;
    if (!text || smdb_outbox_add(a->db, x->o->requester, "es2/handleDownloadProgressNotification",
                                 text, x->o->eid, now))
        SM_LOGE(SM_LOG_DB, x->o->eid, "progress %s of %s not queued", what, x->o->call_id);
    else
        smdb_outbox_pool_wake(a->engine->outbox);
    free(text);
    json_decref(m);
}

/* ---- accepting ---- */

bool smdp_run_expired_at_start(struct smdp_run *x)
{
    if (x->expired)
        sm_status_set(&x->st, SM_EXEC_EXPIRED, 200, SM_SUBJ_FUNCTION, SM_RSN_TTL_EXPIRED, NULL,
                      "the order's validity period ended before it started");
    return x->expired;
}

int smdp_order_accept(struct sm_api_call *call, const struct smdp_order_fn *fn, const char *eid,
                      const char *smsr, const char *iccid, json_t *params)
{
    struct smdp_app *a = call->app;
    struct smdb_order o = {0};
    int64_t validity = call->header->has_validity ? call->header->validity_period
                                                  : (int64_t)a->cfg->orders_validity;
    int rc;

    o.params = params ? json_dumps(params, JSON_COMPACT) : NULL;
    json_decref(params);
    if (!o.params)
        return -ENOMEM;
    snprintf(o.requester, sizeof(o.requester), "%s", call->caller->id);
    snprintf(o.call_id, sizeof(o.call_id), "%s", call->header->call_id);
    snprintf(o.function, sizeof(o.function), "%s", fn->name);
    snprintf(o.eid, sizeof(o.eid), "%s", eid);
    snprintf(o.smsr_id, sizeof(o.smsr_id), "%s", smsr);
    snprintf(o.iccid, sizeof(o.iccid), "%s", iccid ? iccid : "");
    snprintf(o.step, sizeof(o.step), "%s", fn->first);
    o.created_ms = call->now_ms;
    o.deadline_ms = call->now_ms + validity * 1000;
    rc = smdb_order_insert(a->db, &o, NULL);
    free(o.params);
    if (rc)
        return rc == -EEXIST ? -EIO : rc;
    smdp_engine_wake(a);
    SM_LOGI(SM_LOG_API, eid, "%s accepted (%s by %s), due within %llds", fn->name,
            call->header->call_id, call->caller->name, (long long)validity);
    return SM_API_ACCEPTED;
}

/* ---- running an order ---- */

static const struct smdp_order_fn *const fns[] = {
    &smdp_fn_download_profile, &smdp_fn_enable_profile, &smdp_fn_disable_profile,
    &smdp_fn_delete_profile,   &smdp_fn_set_fallback,   &smdp_fn_audit_eis,
};

static const struct smdp_order_fn *fn_of(const char *name)
{
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (!strcmp(fns[i]->name, name))
            return fns[i];
    return NULL;
}

static void finish(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdb_order *o = x->o;
    json_t *resp = x->out ? x->out : json_object(), *cb = NULL;
    char *text = NULL, *cbtext = NULL;
    int rc = -ENOMEM;

    x->out = NULL;
    if (resp && !sm_resp_set_header(resp, &x->st)) {
        text = json_dumps(resp, JSON_COMPACT);
        cb = json_pack("{s:s, s:s, s:s, s:O}", "functionCallIdentifier", o->call_id, "function",
                       o->function, "state", "done", "response", resp);
        cbtext = cb ? json_dumps(cb, JSON_COMPACT) : NULL;
    }
    free(o->params);
    o->params = json_dumps(x->params, JSON_COMPACT);
    if (text && cbtext && o->params)
        rc = smdb_order_finish(a->db, o, sm_exec_status_name(x->st.status), x->st.http_status, text,
                               cbtext, sm_wall_ms());
    if (rc)
        SM_LOGE(SM_LOG_DB, o->eid, "%s %s: the result could not be stored: %s", o->function,
                o->call_id, sm_strerror(rc));
    else
        SM_LOGI(SM_LOG_API, o->eid, "%s %s: %s%s%s", o->function, o->call_id,
                sm_exec_status_name(x->st.status), x->st.message[0] ? ": " : "", x->st.message);
    smdp_session_drop(a, o->id);
    smdb_outbox_pool_wake(a->engine->outbox);
    free(text);
    free(cbtext);
    json_decref(cb);
    json_decref(resp);
}

/* An order waiting for the SM-SR without its result by now: ask for it. 0 when the result is
 * there or the call is to go again, 1 when the order waits on. */
static int poll_smsr(struct smdp_run *x)
{
    struct smdp_app *a = x->a;
    struct smdb_order *o = x->o;
    json_t *resp = NULL;
    char err[300] = "";
    int rc = smdb_peer_result(a->db, a->http, a->cfg->base.id, o->smsr_id, SM_ROLE_SMSR,
                              o->smsr_call, &resp, err, sizeof(err));

    if (!rc && resp) {
        o->smsr_result = json_dumps(resp, JSON_COMPACT);
        json_decref(resp);
        return o->smsr_result ? 0 : 1;
    }
    if (rc == -ENOENT) {
        /* the SM-SR does not know the call (it lost it): send it again */
        SM_LOGW(SM_LOG_API, o->eid, "%s: the SM-SR does not know it; sending it again",
                o->smsr_call);
        snprintf(o->state, sizeof(o->state), "queued");
        o->smsr_call[0] = '\0';
        return 0;
    }
    if (rc)
        SM_LOGW(SM_LOG_API, o->smsr_id, "%s", err);
    o->next_ms = sm_wall_ms() + (int64_t)a->cfg->orders_poll * 1000;
    return 1;
}

static void run(struct smdp_engine *g, int64_t id)
{
    struct smdp_app *a = g->a;
    struct smdb_order o;
    struct smdp_run x = {.a = a, .o = &o};
    const struct smdp_order_fn *fn;
    int rc = smdb_order_get(a->db, id, &o);

    if (rc || !strcmp(o.state, "done")) {
        if (!rc)
            smdb_order_free(&o);
        return;
    }
    fn = fn_of(o.function);
    x.params = json_loads(o.params, 0, NULL);
    sm_status_ok(&x.st);
    if (!fn || !json_is_object(x.params)) {
        SM_LOGE(SM_LOG_API, o.eid, "order %lld: unknown function or damaged parameters",
                (long long)o.id);
        json_decref(x.params);
        x.params = json_object();
        sm_status_fail(&x.st, 500, SM_SUBJ_PROVIDER, SM_RSN_EXECUTION_ERROR, NULL,
                       "the order could not be read back");
        finish(&x);
        goto out;
    }
    if (!strcmp(o.state, "await-smsr") && !o.smsr_result && poll_smsr(&x)) {
        save(&x);
        goto out;
    }
    for (int i = 0; i < SMDP_STEPS_PER_RUN; i++) {
        if (o.smsr_result) {
            /* the awaited answer: the step's result; the call is settled */
            x.result = json_loads(o.smsr_result, 0, NULL);
            if (!x.result || sm_resp_parse_status(x.result, &x.rs))
                sm_status_fail(&x.rs, 200, SM_SUBJ_SMSR, SM_RSN_EXECUTION_ERROR, o.smsr_id,
                               "the SM-SR's answer has no functionExecutionStatus");
            free(o.smsr_result);
            o.smsr_result = NULL;
            o.smsr_call[0] = '\0';
            snprintf(o.state, sizeof(o.state), "queued");
            json_object_del(x.params, "pending");
            json_object_set_new(
                x.params, "seq",
                json_integer(json_integer_value(json_object_get(x.params, "seq")) + 1));
            o.attempts = 0;
        } else if (json_object_get(x.params, "pending")) {
            /* a call that has not been answered yet goes again, unchanged */
            rc = post_pending(&x);
            if (rc == SMDP_STEP_AGAIN)
                continue;
            goto stored;
        }
        x.expired = sm_wall_ms() > o.deadline_ms;
        rc = fn->step(&x);
        json_decref(x.result);
        x.result = NULL;
        if (rc == SMDP_STEP_DONE) {
            finish(&x);
            goto out;
        }
        if (rc != SMDP_STEP_AGAIN)
            goto stored;
        /* not stored between steps: the next call is stored before it leaves, and until then
         * a restart sends the last one again, whose answer the SM-SR's journal repeats */
    }
    o.next_ms = sm_wall_ms();
    rc = SMDP_STEP_WAIT;
stored:
    if (rc < 0) {
        SM_LOGW(SM_LOG_API, o.eid, "%s %s, step %s: %s (again later)", o.function, o.call_id,
                o.step, sm_strerror(rc));
        o.next_ms = sm_wall_ms() + backoff_ms(o.attempts++);
    }
    save(&x);
out:
    json_decref(x.params);
    json_decref(x.out);
    smdb_order_free(&o);
}

/* ---- workers ---- */

static bool busy(const struct smdp_engine *g, const struct smdb_due *d)
{
    for (unsigned i = 0; i < g->ninflight; i++)
        if (g->inflight[i].id == d->id || !strcmp(g->inflight[i].eid, d->eid))
            return true;
    return false;
}

/* A due order no other worker holds, on a card no other worker is at: 1 with *id, 0 when
 * orders are due but all held (a release wakes the workers), -1 when none is due. Called with
 * mu, which it lets go of while it reads the database (a worker waiting for a connection must
 * not hold what a thread inside a unit of work may be waiting for). */
static int claim(struct smdp_engine *g, int64_t *id)
{
    struct smdb_due due[4 * SMDP_MAX_WORKERS];
    size_t n = 0;
    int rc;

    pthread_mutex_unlock(&g->mu);
    rc = smdb_order_due(g->a->db, sm_wall_ms(), due, 4 * (size_t)g->a->cfg->orders_workers, &n);
    pthread_mutex_lock(&g->mu);
    if (rc)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (busy(g, &due[i]))
            continue;
        g->inflight[g->ninflight++] = due[i];
        *id = due[i].id;
        return 1;
    }
    return n ? 0 : -1;
}

static void release(struct smdp_engine *g, int64_t id)
{
    for (unsigned i = 0; i < g->ninflight; i++)
        if (g->inflight[i].id == id) {
            g->inflight[i] = g->inflight[--g->ninflight];
            break;
        }
}

static void *worker(void *arg)
{
    struct smdp_engine *g = arg;

    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        unsigned seen = atomic_load(&g->wakes);
        struct timespec ts;
        int64_t id, wait = 1000;
        int got = claim(g, &id);

        if (got > 0) {
            pthread_mutex_unlock(&g->mu);
            run(g, id);
            pthread_mutex_lock(&g->mu);
            release(g, id);
            /* the card's next order, or one another worker skipped, may run now */
            atomic_fetch_add(&g->wakes, 1);
            pthread_cond_signal(&g->cv);
            continue;
        }
        if (got < 0) {
            /* nothing due: sleep until the next order is (at most a second) */
            pthread_mutex_unlock(&g->mu);
            wait = smdb_order_next_in(g->a->db, sm_wall_ms());
            pthread_mutex_lock(&g->mu);
            if (wait < 0 || wait > 1000)
                wait = 1000;
        }
        /* a wake-up since this round began (new work, a release): look again at once */
        if (g->stop || atomic_load(&g->wakes) != seen || wait == 0)
            continue;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += wait * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

void smdp_engine_wake(struct smdp_app *a)
{
    /* without the mutex: callers may be inside a unit of work; the counter tells a worker
     * about to sleep that it should look again */
    if (a->engine) {
        atomic_fetch_add(&a->engine->wakes, 1);
        pthread_cond_signal(&a->engine->cv);
    }
}

int smdp_operation_callback(void *app, const struct sm_entity *who, const json_t *body,
                            struct sm_status *st)
{
    struct smdp_app *a = app;
    const char *call = sm_json_str(body, "functionCallIdentifier"),
               *state = sm_json_str(body, "state");
    json_t *resp = json_object_get(body, "response");
    char *text;
    int rc;

    if (who->role != SM_ROLE_SMSR) {
        sm_status_fail(st, 403, SM_SUBJ_REQUESTER, SM_RSN_NOT_ALLOWED, who->id,
                       "only an SM-SR reports results of the SM-DP's calls");
        return 1;
    }
    if (!call || !state || (!strcmp(state, "done") && !json_is_object(resp))) {
        sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL,
                       "a result needs functionCallIdentifier, state and, when done, response");
        return 1;
    }
    if (strcmp(state, "done"))
        return 0;
    text = json_dumps(resp, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    rc = smdb_order_smsr_result(a->db, who->id, call, text, sm_wall_ms());
    free(text);
    if (!rc)
        smdp_engine_wake(a);
    /* not awaited (a repetition, or an order already past it): nothing to do */
    return rc == -ENOENT ? 0 : rc;
}

int smdp_engine_start(struct smdp_app *a)
{
    struct smdp_engine *g = calloc(1, sizeof(*g));
    struct sm_http_client_config hc;
    unsigned orphans = 0;
    int rc;

    if (!g)
        return -ENOMEM;
    g->a = a;
    a->engine = g;
    pthread_mutex_init(&g->mu, NULL);
    pthread_mutex_init(&g->smu, NULL);
    pthread_cond_init(&g->cv, NULL);
    rc = smdb_order_forget_orphans(a->db, &orphans);
    if (!rc && orphans)
        SM_LOGW(SM_LOG_DB, "orders",
                "%u accepted call%s without an order forgotten (a retry runs "
                "them)",
                orphans, orphans == 1 ? "" : "s");
    sm_daemon_client_config(&a->cfg->base, &hc);
    if (!rc) {
        const struct smdb_outbox_pool_cfg oc = {.db = a->db,
                                                .http = &hc,
                                                .workers = (unsigned)a->cfg->outbox_workers,
                                                .delivered = &a->stats.delivered,
                                                .errors = &a->stats.delivery_errors};

        rc = smdb_outbox_pool_start(&oc, &g->outbox);
    }
    for (long i = 0; !rc && i < a->cfg->orders_workers; i++)
        if (!(rc = -pthread_create(&g->threads[i], NULL, worker, g)))
            g->started++;
    if (rc)
        smdp_engine_stop(a);
    return rc;
}

void smdp_engine_stop(struct smdp_app *a)
{
    struct smdp_engine *g = a->engine;

    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    for (unsigned i = 0; i < g->started; i++)
        pthread_join(g->threads[i], NULL);
    smdb_outbox_pool_stop(g->outbox);
    while (g->sessions)
        smdp_session_drop(a, g->sessions->order_id);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->smu);
    pthread_mutex_destroy(&g->mu);
    free(g);
    a->engine = NULL;
}
