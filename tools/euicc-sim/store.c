/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The card store: every card's state is one blob in SQLite, wrapped by the keystore with the
 * EID as authenticated label (a state copied to another card does not unwrap). Cards in use are
 * kept in memory (a download's SCP03t session, STORE DATA blocks and key establishment span
 * several messages) and saved after every change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_app.h"
#include "sm/hash.h"
#include "sm/hex.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "smdb/simstore.h"

int64_t sim_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sim_app_open(struct sim_app *a, bool create_kek, char *why, size_t whylen)
{
    struct smdb_config dc = {.path = a->cfg.db_path,
                             .schema = SMDB_SCHEMA_SIM,
                             .migrations = smdb_sim_migrations,
                             .pool_size = 1,
                             .synchronous = "normal"};
    struct sm_secret *kek = NULL;
    int rc;

    pthread_mutex_init(&a->mu, NULL);
    sim_config_policy(&a->cfg, &a->pol);
    rc = sm_keystore_load_kek(a->cfg.kek_file, &kek);
    if (rc == -ENOENT && create_kek) {
        rc = sm_keystore_create_kek(a->cfg.kek_file);
        if (!rc)
            rc = sm_keystore_load_kek(a->cfg.kek_file, &kek);
    }
    if (rc) {
        snprintf(why, whylen, "%s: %s", a->cfg.kek_file, strerror(-rc));
        return rc;
    }
    rc = sm_keystore_new(kek, 1, &a->ks);
    sm_secret_free(kek);
    if (rc) {
        snprintf(why, whylen, "keystore: %s", strerror(-rc));
        return rc;
    }
    rc = smdb_open(&dc, &a->db, why, whylen);
    if (rc) {
        sm_keystore_free(a->ks);
        a->ks = NULL;
    }
    return rc;
}

void sim_app_close(struct sim_app *a)
{
    for (size_t i = 0; i < sizeof(a->cache) / sizeof(a->cache[0]); i++) {
        while (a->cache[i]) {
            struct sim_cached *e = a->cache[i];

            a->cache[i] = e->next;
            sim_card_free(&e->card);
            free(e);
        }
    }
    smdb_close(a->db);
    sm_keystore_free(a->ks);
    a->db = NULL;
    a->ks = NULL;
    pthread_mutex_destroy(&a->mu);
}

static unsigned bucket(const char *eid)
{
    return sm_fnv1a(eid, strlen(eid)) % 1024;
}

static void label(const char *eid, char *out, size_t n)
{
    snprintf(out, n, "euicc-sim:card:%s", eid);
}

static int wrap_state(struct sim_app *a, const struct sim_card *c, struct sm_buf *out)
{
    struct sm_buf plain = {.secure = true};
    struct sm_secret *s;
    char lbl[64];
    int rc = sim_card_serialise(c, &plain);

    if (rc)
        return rc;
    s = sm_secret_from(plain.data, plain.len);
    sm_buf_clear_free(&plain);
    if (!s)
        return -ENOMEM;
    label(c->eid, lbl, sizeof(lbl));
    rc = sm_keystore_wrap(a->ks, &sm_rng_system, lbl, s, out);
    sm_secret_free(s);
    return rc;
}

int sim_app_store_new(struct sim_app *a, struct sim_card *const *cards, size_t n, int64_t now_ms)
{
    struct smdb_sim_card *rows = calloc(n ? n : 1, sizeof(*rows));
    struct sm_buf *blobs = calloc(n ? n : 1, sizeof(*blobs));
    int rc = rows && blobs ? 0 : -ENOMEM;

    for (size_t i = 0; i < n && !rc; i++) {
        rc = wrap_state(a, cards[i], &blobs[i]);
        rows[i].eid = cards[i]->eid;
        rows[i].msisdn = cards[i]->msisdn[0] == '+' ? cards[i]->msisdn + 1 : cards[i]->msisdn;
        rows[i].state = blobs[i].data;
        rows[i].state_len = blobs[i].len;
        rows[i].notify_ms = sim_card_notify_due(cards[i]);
    }
    if (!rc)
        rc = smdb_sim_insert(a->db, rows, n, now_ms);
    for (size_t i = 0; blobs && i < n; i++)
        sm_buf_free(&blobs[i]);
    free(rows);
    free(blobs);
    return rc;
}

static int load(struct sim_app *a, const char *eid, struct sim_card *c)
{
    struct sm_buf blob = SM_BUF_INIT;
    struct sm_secret *s = NULL;
    char lbl[64];
    int rc = smdb_sim_get(a->db, eid, &blob);

    if (rc) {
        sm_buf_free(&blob);
        return rc;
    }
    label(eid, lbl, sizeof(lbl));
    rc = sm_keystore_unwrap(a->ks, lbl, blob.data, blob.len, &s);
    sm_buf_free(&blob);
    if (rc) {
        SM_LOGE(SM_LOG_DB, eid, "card state does not unwrap: %s", strerror(-rc));
        return rc;
    }
    rc = sim_card_deserialise(s->data, s->len, c);
    sm_secret_free(s);
    if (!rc && strcmp(c->eid, eid)) {
        sim_card_free(c);
        rc = -EBADMSG;
    }
    return rc;
}

int sim_app_card_get(struct sim_app *a, const char *eid, struct sim_card **out)
{
    unsigned b = bucket(eid);
    struct sim_cached *e;
    int rc;

    pthread_mutex_lock(&a->mu);
    for (e = a->cache[b]; e; e = e->next)
        if (!strcmp(e->card.eid, eid))
            break;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e) {
            pthread_mutex_unlock(&a->mu);
            return -ENOMEM;
        }
        rc = load(a, eid, &e->card);
        if (rc) {
            free(e);
            pthread_mutex_unlock(&a->mu);
            return rc;
        }
        e->next = a->cache[b];
        a->cache[b] = e;
        a->ncached++;
    }
    e->refs++;
    *out = &e->card;
    return 0; /* the lock is held until sim_app_card_put */
}

int sim_app_card_put(struct sim_app *a, struct sim_card *c, int64_t now_ms)
{
    struct sim_cached *e = (struct sim_cached *)((char *)c - offsetof(struct sim_cached, card));
    int rc = 0;

    if (c->dirty) {
        struct sm_buf blob = SM_BUF_INIT;

        const char *number = c->msisdn[0] == '+' ? c->msisdn + 1 : c->msisdn;

        rc = wrap_state(a, c, &blob);
        if (!rc)
            rc = smdb_sim_update(a->db, c->eid, number, blob.data, blob.len, sim_card_notify_due(c),
                                 now_ms);
        if (rc == -EEXIST) {
            /* another card answers to that number: this one keeps its own for SMS */
            SM_LOGW(SM_LOG_DB, c->eid, "number %s is another card's: SMS keep the old one", number);
            rc = smdb_sim_update(a->db, c->eid, NULL, blob.data, blob.len, sim_card_notify_due(c),
                                 now_ms);
        }
        sm_buf_free(&blob);
        if (!rc)
            c->dirty = false;
        else
            SM_LOGE(SM_LOG_DB, c->eid, "card state not saved: %s", strerror(-rc));
    }
    e->used_ms = now_ms;
    e->refs--;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

int sim_app_card_by_msisdn(struct sim_app *a, const char *msisdn, char eid[33])
{
    return smdb_sim_by_msisdn(a->db, msisdn[0] == '+' ? msisdn + 1 : msisdn, eid);
}

void sim_app_cache_trim(struct sim_app *a, int64_t now_ms, int64_t idle_ms)
{
    pthread_mutex_lock(&a->mu);
    for (size_t i = 0; i < sizeof(a->cache) / sizeof(a->cache[0]); i++) {
        struct sim_cached **pp = &a->cache[i];

        while (*pp) {
            struct sim_cached *e = *pp;

            if (!e->refs && !e->card.dirty && now_ms - e->used_ms > idle_ms) {
                *pp = e->next;
                sim_card_free(&e->card);
                free(e);
                a->ncached--;
            } else {
                pp = &e->next;
            }
        }
    }
    pthread_mutex_unlock(&a->mu);
}
