/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox and its delivery workers (smdb/outbox.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"
#include "sm/api.h"
#include "sm/err.h"
#include "sm/log.h"
#include "smdb/outbox.h"

int smdb_outbox_add(struct smdb *db, const char *target, const char *path, const char *body,
                    const char *eid, int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    int rc = smdb_outbox_put_on(db, c, target, path, body, eid, now_ms);

    smdb_release(db, c);
    return rc;
}

int smdb_outbox_due(struct smdb *db, int64_t now_ms, struct smdb_due *out, size_t max, size_t *n)
{
    return smdb_due_list(db, STMT_OUTBOX_DUE, "outbox due", now_ms, out, max, n);
}

int smdb_outbox_get(struct smdb *db, int64_t id, struct smdb_outbox_msg *out)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OUTBOX_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    smdb_bind_int64(s, ":id", id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 2);

        out->id = id;
        smdb_col_text(s, 0, out->target, sizeof(out->target));
        smdb_col_text(s, 1, out->path, sizeof(out->path));
        out->body = strdup(t ? (const char *)t : "");
        out->attempts = (unsigned)sqlite3_column_int(s, 3);
        rc = out->body ? 0 : -ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : smdb_fail(db, c, "outbox get", rc);
    }
    sqlite3_reset(s);
    smdb_release(db, c);
    return rc;
}

int smdb_outbox_result(struct smdb *db, int64_t id, const char *error, int64_t next_ms,
                       int64_t now_ms)
{
    struct smdb_conn *c = smdb_acquire(db);
    sqlite3_stmt *s = smdb_stmt(c, STMT_OUTBOX_RESULT);
    int rc;

    smdb_bind_opt(s, ":error", error);
    smdb_bind_int64(s, ":now", now_ms);
    smdb_bind_int64(s, ":next", next_ms);
    smdb_bind_int64(s, ":id", id);
    rc = smdb_exec_stmt(db, c, s, "outbox result");
    smdb_release(db, c);
    return rc;
}

int smdb_outbox_pending(struct smdb *db, int64_t *n)
{
    return smdb_scalar(db, STMT_OUTBOX_PENDING, "outbox pending", n);
}

/* ---- delivery ---- */

struct smdb_outbox_pool {
    struct smdb_outbox_pool_cfg cfg;
    struct sm_http_client *http;
    pthread_t threads[SMDB_OUTBOX_MAX_WORKERS];
    unsigned started;
    /* the messages being delivered (with mu): a card's next message waits for them */
    struct smdb_due inflight[SMDB_OUTBOX_MAX_WORKERS];
    unsigned ninflight;
    bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static int64_t backoff_ms(unsigned attempts)
{
    int64_t d = 1000;

    while (attempts-- && d < 600000)
        d *= 2;
    return d > 600000 ? 600000 : d;
}

static void count(atomic_ulong *c)
{
    if (c)
        atomic_fetch_add(c, 1);
}

static void deliver(struct smdb_outbox_pool *p, struct smdb_outbox_msg *m)
{
    struct smdb *db = p->cfg.db;
    struct sm_entity ent;
    struct sm_http_result res = {0};
    char url[768], err[300] = "";
    int64_t now = sm_wall_ms();
    int rc = smdb_entity_get(db, m->target, &ent);

    if (rc || !ent.callback_url[0]) {
        /* nobody to tell: the caller reads GET /gsma/operations/<id> */
        smdb_outbox_result(db, m->id, NULL, now, now);
        SM_LOGI(SM_LOG_API, m->target, "%s not delivered: no callback URL registered", m->path);
        return;
    }
    snprintf(url, sizeof(url), "%s/%s", ent.callback_url, m->path);
    rc = sm_http_post(p->http, url, "application/json", (const uint8_t *)m->body, strlen(m->body),
                      &res);
    if (rc)
        snprintf(err, sizeof(err), "%s", res.error[0] ? res.error : sm_strerror(rc));
    else if (res.status < 200 || res.status > 299)
        snprintf(err, sizeof(err), "HTTP %ld", res.status);
    sm_http_result_free(&res);
    now = sm_wall_ms();
    count(err[0] ? p->cfg.errors : p->cfg.delivered);
    if (err[0])
        SM_LOGW(SM_LOG_API, m->target, "%s: %s (attempt %u)", url, err, m->attempts + 1);
    smdb_outbox_result(db, m->id, err[0] ? err : NULL, now + backoff_ms(m->attempts), now);
}

/* Is the message taken, or about a card whose earlier message is on its way? (with mu) */
static bool busy(const struct smdb_outbox_pool *p, const struct smdb_due *d)
{
    for (unsigned i = 0; i < p->ninflight; i++)
        if (p->inflight[i].id == d->id || (d->eid[0] && !strcmp(p->inflight[i].eid, d->eid)))
            return true;
    return false;
}

/* The oldest due message no other worker holds and whose card has none on its way (with mu).
 * Candidates come in delivery order, so a card's messages leave in order. */
static bool claim(struct smdb_outbox_pool *p, struct smdb_outbox_msg *m)
{
    struct smdb_due due[4 * SMDB_OUTBOX_MAX_WORKERS];
    size_t n = 0;
    int rc;

    /* each worker holds one message, so a window of four per worker finds a free one; the
     * database is read without mu (a worker waiting for a connection must not hold it) */
    pthread_mutex_unlock(&p->mu);
    rc = smdb_outbox_due(p->cfg.db, sm_wall_ms(), due, 4 * (size_t)p->cfg.workers, &n);
    pthread_mutex_lock(&p->mu);
    if (rc)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (busy(p, &due[i]))
            continue;
        if (smdb_outbox_get(p->cfg.db, due[i].id, m))
            return false;
        p->inflight[p->ninflight++] = due[i];
        return true;
    }
    return false;
}

static void release(struct smdb_outbox_pool *p, int64_t id)
{
    for (unsigned i = 0; i < p->ninflight; i++)
        if (p->inflight[i].id == id) {
            p->inflight[i] = p->inflight[--p->ninflight];
            break;
        }
}

static void *worker(void *arg)
{
    struct smdb_outbox_pool *p = arg;

    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct smdb_outbox_msg m;
        struct timespec ts;

        if (claim(p, &m)) {
            pthread_mutex_unlock(&p->mu);
            deliver(p, &m);
            free(m.body);
            pthread_mutex_lock(&p->mu);
            release(p, m.id);
            /* the card's next message may go now: one idle worker looks (this one looks too) */
            pthread_cond_signal(&p->cv);
            continue;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int smdb_outbox_pool_start(const struct smdb_outbox_pool_cfg *cfg, struct smdb_outbox_pool **out)
{
    struct smdb_outbox_pool *p;
    int rc;

    *out = NULL;
    if (!cfg->workers || cfg->workers > SMDB_OUTBOX_MAX_WORKERS)
        return -EINVAL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->cfg = *cfg;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    rc = sm_http_client_global_init() ? -EIO : sm_http_client_new(cfg->http, &p->http);
    for (unsigned i = 0; !rc && i < cfg->workers; i++)
        if (!(rc = -pthread_create(&p->threads[i], NULL, worker, p)))
            p->started++;
    if (rc) {
        smdb_outbox_pool_stop(p);
        return rc;
    }
    *out = p;
    return 0;
}

void smdb_outbox_pool_wake(struct smdb_outbox_pool *p)
{
    /* without the mutex: the caller may be inside a unit of work, and a worker holding the
     * mutex may be waiting for a database connection; a lost wake-up costs 200 ms at most */
    if (p)
        pthread_cond_signal(&p->cv);
}

void smdb_outbox_pool_stop(struct smdb_outbox_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    sm_http_client_free(p->http);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
