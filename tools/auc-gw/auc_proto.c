/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostapd's external AuC protocol (its eap_sim_db interface, the text datagrams of hlr_auc_gw;
 * auc_gw.h), answered for the subscribers in the database:
 *   AKA-REQ-AUTH <IMSI>            -> AKA-RESP-AUTH <IMSI> <RAND> <AUTN> <IK> <CK> <RES>
 *   AKA-AUTS <IMSI> <AUTS> <RAND>  resynchronisation (TS 33.102 6.3.5): no answer
 *   SIM-REQ-AUTH <IMSI> <max>      -> SIM-RESP-AUTH <IMSI> Kc:SRES:RAND ... (at most 3; a USIM
 *                                     in a GSM context: conversion functions c2/c3, 6.8.1.2)
 * An unknown IMSI, a damaged key or a malformed request gets FAILURE (or, for AKA-AUTS, the
 * log line): never a crash. SQN = SEQ || IND (Annex C.3, IND of 5 bits: the one index this AuC's
 * service gets, C.3.4: --ind, 0 by default); every vector's
 * SEQ is committed before the vector leaves (reserved in blocks: auc_gw.h), so no two vectors
 * ever share one, across restarts and crashes too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auc_gw.h"
#include "sm/api.h"
#include "sm/hash.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/milenage.h"
#include "sm/rng.h"
#include "sm/secret.h"
#include "smdb/aucstore.h"

#define IND_BITS 5

/* K and OPc of imsi into m, its AMF and the SEQ its row holds. */
static int subscriber(struct auc_gw *g, const char *imsi, struct sm_milenage *m, uint8_t amf[2],
                      int64_t *seq)
{
    struct sm_buf w = SM_BUF_INIT;
    struct sm_secret *keys = NULL;
    char label[48], amf_hex[5];
    int rc = smdb_auc_get(g->db, imsi, &w, amf_hex, seq);

    auc_gw_label(imsi, label, sizeof(label));
    if (!rc)
        rc = sm_keystore_unwrap(g->ks, label, w.data, w.len, &keys);
    sm_buf_free(&w);
    if (!rc && (keys->len != 32 || sm_hex_decode(amf_hex, amf, 2) != 2))
        rc = -EBADMSG;
    if (!rc)
        rc = sm_milenage_init(m, keys->data, keys->data + 16);
    sm_secret_free(keys);
    return rc;
}

static unsigned slot_of(const char *imsi)
{
    return sm_fnv1a(imsi, strlen(imsi)) % AUC_SEQ_SLOTS;
}

/*
 * k consecutive new SEQs of imsi, *last the highest. row_seq is the SEQ its row held when read:
 * a cached block whose end is not that (another process or a resynchronisation moved it, or the
 * slot went to another IMSI) is dropped, and what was left of it is skipped.
 */
static int take_seq(struct auc_gw *g, const char *imsi, unsigned k, int64_t row_seq, int64_t *last)
{
    unsigned i;
    struct auc_seq_slot *sl;
    int rc = 0;

    if (!g->seq)
        return smdb_auc_next_seq(g->db, imsi, k, sm_wall_ms(), last);
    i = slot_of(imsi);
    sl = &g->seq[i];
    pthread_mutex_lock(&g->seq_mu[i % AUC_SEQ_STRIPES]);
    if (strcmp(sl->imsi, imsi) || sl->end != row_seq || sl->next + k - 1 > sl->end) {
        unsigned n = g->seq_block > k ? g->seq_block : k;
        int64_t end;

        /* the block's end is committed before any of its SEQs is used */
        rc = smdb_auc_next_seq(g->db, imsi, n, sm_wall_ms(), &end);
        if (rc) {
            sl->imsi[0] = 0;
        } else {
            snprintf(sl->imsi, sizeof(sl->imsi), "%s", imsi);
            sl->next = end - n + 1;
            sl->end = end;
        }
    }
    if (!rc) {
        *last = sl->next + k - 1;
        sl->next += k;
    }
    pthread_mutex_unlock(&g->seq_mu[i % AUC_SEQ_STRIPES]);
    return rc;
}

/* After a valid AUTS: the next SEQ handed out is past the card's (the rest of the block goes on
 * from there, or a new block is reserved). */
static void seq_resynced(struct auc_gw *g, const char *imsi, int64_t seq_ms)
{
    unsigned i;

    if (!g->seq)
        return;
    i = slot_of(imsi);
    pthread_mutex_lock(&g->seq_mu[i % AUC_SEQ_STRIPES]);
    if (!strcmp(g->seq[i].imsi, imsi) && g->seq[i].next <= seq_ms) {
        if (seq_ms < g->seq[i].end)
            g->seq[i].next = seq_ms + 1;
        else
            g->seq[i].imsi[0] = 0;
    }
    pthread_mutex_unlock(&g->seq_mu[i % AUC_SEQ_STRIPES]);
}

/* -ERANGE past the last SEQ that 48 bits of SQN hold: SQN must not wrap to 0, the card would
 * refuse every vector after (the subscriber needs new keys) */
static int sqn_of(int64_t seq, unsigned ind, uint8_t sqn[6])
{
    uint64_t v = (uint64_t)seq << IND_BITS | (ind & ((1u << IND_BITS) - 1));

    if (seq < 0 || seq >= INT64_C(1) << (48 - IND_BITS))
        return -ERANGE;
    for (int i = 5; i >= 0; i--, v >>= 8)
        sqn[i] = (uint8_t)v;
    return 0;
}

static int aka(struct auc_gw *g, const char *imsi, char *out, size_t n)
{
    struct sm_milenage m = {0};
    struct sm_milenage_vector v;
    uint8_t amf[2], sqn[6];
    char r[33], a[33], ik[33], ck[33], res[17];
    int64_t row, seq;
    int rc = subscriber(g, imsi, &m, amf, &row);

    if (!rc)
        rc = take_seq(g, imsi, 1, row, &seq);
    if (!rc)
        rc = sqn_of(seq, g->ind, sqn);
    if (!rc)
        rc = sm_rng_bytes(&sm_rng_system, v.rand, 16);
    if (!rc)
        rc = sm_milenage_generate(&m, v.rand, sqn, amf, &v);
    sm_milenage_clear(&m);
    if (rc) {
        snprintf(out, n, "AKA-RESP-AUTH %s FAILURE", imsi);
        return rc;
    }
    sm_hex_encode(v.rand, 16, r);
    sm_hex_encode(v.autn, 16, a);
    sm_hex_encode(v.ik, 16, ik);
    sm_hex_encode(v.ck, 16, ck);
    sm_hex_encode(v.res, 8, res);
    snprintf(out, n, "AKA-RESP-AUTH %s %s %s %s %s %s", imsi, r, a, ik, ck, res);
    sm_wipe(&v, sizeof(v));
    sm_wipe(ik, sizeof(ik));
    sm_wipe(ck, sizeof(ck));
    return 0;
}

static int sim(struct auc_gw *g, const char *imsi, long max, char *out, size_t n)
{
    struct sm_milenage m = {0};
    uint8_t amf[2];
    int64_t row, seq;
    size_t used;
    int rc = subscriber(g, imsi, &m, amf, &row), k = max < 1 ? 1 : max > 3 ? 3 : (int)max;

    /* a triplet comes from a quintet: each takes a SEQ too */
    if (!rc)
        rc = take_seq(g, imsi, (unsigned)k, row, &seq);
    used = (size_t)snprintf(out, n, "SIM-RESP-AUTH %s", imsi);
    for (int i = 0; !rc && i < k; i++) {
        struct sm_milenage_vector v;
        uint8_t sqn[6], sres[4], kc[8];
        char hk[17], hs[9], hr[33];

        rc = sqn_of(seq - k + 1 + i, g->ind, sqn);
        if (!rc)
            rc = sm_rng_bytes(&sm_rng_system, v.rand, 16);
        if (!rc)
            rc = sm_milenage_generate(&m, v.rand, sqn, amf, &v);
        if (rc)
            break;
        sm_gsm_c2(v.res, sres);
        sm_gsm_c3(v.ck, v.ik, kc);
        sm_hex_encode(kc, 8, hk);
        sm_hex_encode(sres, 4, hs);
        sm_hex_encode(v.rand, 16, hr);
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, " %s:%s:%s", hk, hs, hr);
        sm_wipe(&v, sizeof(v));
        sm_wipe(kc, sizeof(kc));
        sm_wipe(hk, sizeof(hk));
    }
    sm_milenage_clear(&m);
    if (rc)
        snprintf(out, n, "SIM-RESP-AUTH %s FAILURE", imsi);
    return rc;
}

static int resync(struct auc_gw *g, const char *imsi, const char *auts_hex, const char *rand_hex)
{
    struct sm_milenage m = {0};
    uint8_t amf[2], auts[14], rand[16], sqn_ms[6];
    uint64_t v = 0;
    int64_t row;
    int rc = sm_hex_decode(auts_hex, auts, sizeof(auts)) == 14 &&
                     sm_hex_decode(rand_hex, rand, sizeof(rand)) == 16
                 ? subscriber(g, imsi, &m, amf, &row)
                 : -EINVAL;

    if (!rc)
        rc = sm_milenage_resync(&m, rand, auts, sqn_ms);
    sm_milenage_clear(&m);
    if (rc)
        return rc;
    for (int i = 0; i < 6; i++)
        v = v << 8 | sqn_ms[i];
    /* the next vector's SEQ is one past the card's */
    rc = smdb_auc_resync(g->db, imsi, (int64_t)(v >> IND_BITS), sm_wall_ms());
    if (!rc)
        seq_resynced(g, imsi, (int64_t)(v >> IND_BITS));
    return rc;
}

int auc_gw_answer(struct auc_gw *g, const char *req, char *out, size_t n)
{
    char cmd[24], imsi[24], a[64], b[64];
    int k = sscanf(req, "%23s %23s %63s %63s", cmd, imsi, a, b), rc;

    out[0] = 0;
    if (k < 2 || sm_imsi_check(imsi)) {
        SM_LOGW(SM_LOG_API, "auc", "malformed request ignored");
        return -EINVAL;
    }
    if (!strcmp(cmd, "AKA-REQ-AUTH") && k == 2) {
        rc = aka(g, imsi, out, n);
    } else if (!strcmp(cmd, "SIM-REQ-AUTH") && k == 3) {
        rc = sim(g, imsi, strtol(a, NULL, 10), out, n);
    } else if (!strcmp(cmd, "AKA-AUTS") && k == 4) {
        rc = resync(g, imsi, a, b);
        SM_LOGN(SM_LOG_API, imsi, "resynchronisation %s",
                rc ? "refused (unknown subscriber or MAC-S)" : "done");
        return rc;
    } else {
        SM_LOGW(SM_LOG_API, imsi, "%s: not a request of this interface", cmd);
        return -EINVAL;
    }
    if (rc)
        SM_LOGN(SM_LOG_API, imsi, "%s: FAILURE (%s)", cmd,
                rc == -ENOENT   ? "unknown subscriber"
                : rc == -ERANGE ? "SQN spent"
                                : "keys or storage");
    return rc;
}
