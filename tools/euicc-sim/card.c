/* SPDX-License-Identifier: Apache-2.0 */
/* The card model: helpers, notifications and the state serialisation the store persists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "fs.h"
#include "install.h"
#include "sm/secret.h"
#include "sm/tlv.h"

/* SGP.02 well-known AIDs (sgp02-architecture spec 1) */
const uint8_t sim_aid_isdr[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                           0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00};
const uint8_t sim_aid_ecasd[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                            0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x02, 0x00};
const uint8_t sim_aid_isdp_elf[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                               0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x0D, 0x00};
const uint8_t sim_aid_isdp_module[SIM_AID_LEN] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                                  0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x0E, 0x00};

void sim_policy_default(struct sim_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->pol1_disable_not_allowed = 0x01;
    p->pol1_delete_not_allowed = 0x02;
    p->pol1_delete_when_disabled = 0x04;
    p->notif_aid_tag = 0x4F;
    p->disable_notif = SIM_NOTIF_FALLBACK;
    p->default_quota = 64 * 1024;
    p->volatile_free = 15 * 1024;
    p->accept_isdp_scp80 = true;
}

void sim_card_init(struct sim_card *c)
{
    memset(c, 0, sizeof(*c));
    c->curve = SM_CURVE_P256;
    c->ecasd_cert.secure = false;
    c->store.secure = true;
    c->store.limit = SIM_STORE_LIMIT;
    for (unsigned i = 0; i < SIM_MAX_ISDP; i++)
        c->isdp[i].package.secure = true;
}

int sim_isdp_set_aka(struct sim_isdp *p, const struct sim_aka *aka, unsigned n)
{
    if (!p->aka) {
        p->aka = calloc(SIM_MAX_NAA, sizeof(*p->aka));
        if (!p->aka)
            return -ENOMEM;
    }
    if (n > SIM_MAX_NAA)
        n = SIM_MAX_NAA;
    memcpy(p->aka, aka, n * sizeof(*aka));
    p->naka = n;
    return 0;
}

static void isdp_release(struct sim_isdp *p)
{
    sim_fs_free(p->fs);
    sim_install_free(p->inst);
    if (p->s03) {
        sm_scp03_clear(p->s03);
        free(p->s03);
    }
    if (p->aka) {
        sm_wipe(p->aka, SIM_MAX_NAA * sizeof(*p->aka));
        free(p->aka);
    }
    sm_buf_clear_free(&p->package);
    sm_wipe(p, sizeof(*p));
    p->package.secure = true;
}

void sim_card_free(struct sim_card *c)
{
    for (unsigned i = 0; i < SIM_MAX_ISDP; i++)
        isdp_release(&c->isdp[i]);
    sm_buf_free(&c->ecasd_cert);
    sm_buf_clear_free(&c->store);
    sm_wipe(c, sizeof(*c));
}

struct sim_isdp *sim_card_isdp(struct sim_card *c, const uint8_t *aid, size_t len)
{
    if (len != SIM_AID_LEN)
        return NULL;
    for (unsigned i = 0; i < c->nisdp; i++)
        if (!memcmp(c->isdp[i].aid, aid, SIM_AID_LEN))
            return &c->isdp[i];
    return NULL;
}

struct sim_isdp *sim_card_enabled(struct sim_card *c)
{
    for (unsigned i = 0; i < c->nisdp; i++)
        if (c->isdp[i].lcs == SIM_LCS_ENABLED)
            return &c->isdp[i];
    return NULL;
}

struct sim_isdp *sim_card_fallback(struct sim_card *c)
{
    for (unsigned i = 0; i < c->nisdp; i++)
        if (c->isdp[i].fallback)
            return &c->isdp[i];
    return NULL;
}

void sim_card_remove_isdp(struct sim_card *c, struct sim_isdp *p)
{
    unsigned i = (unsigned)(p - c->isdp);

    if (i >= c->nisdp)
        return;
    isdp_release(p);
    /* keep the array dense: move the last one into the hole */
    if (i != c->nisdp - 1) {
        c->isdp[i] = c->isdp[c->nisdp - 1];
        memset(&c->isdp[c->nisdp - 1], 0, sizeof(c->isdp[0]));
        c->isdp[c->nisdp - 1].package.secure = true;
    }
    c->nisdp--;
    c->dirty = true;
}

uint32_t sim_card_mem_used(const struct sim_card *c)
{
    uint32_t used = 0;

    for (unsigned i = 0; i < c->nisdp; i++)
        used += c->isdp[i].quota;
    return used;
}

uint32_t sim_card_mem_free(const struct sim_card *c)
{
    uint32_t used = sim_card_mem_used(c);

    return used >= c->mem_total ? 0 : c->mem_total - used;
}

struct sim_ks80 *sim_card_ks80(struct sim_card *c, uint8_t kvn)
{
    for (unsigned i = 0; i < c->nks80; i++)
        if (c->ks80[i].kvn == kvn)
            return &c->ks80[i];
    return NULL;
}

void sim_card_chain_end(struct sim_card *c)
{
    if (c->chain_open)
        return;
    for (unsigned i = 0; i < c->nisdp; i++) {
        struct sim_isdp *p = &c->isdp[i];

        if (p->s03_open && p->s03_tlv) {
            sm_scp03_clear(p->s03);
            p->s03_open = false;
            p->s03_tlv = false;
        }
    }
}

struct sim_notif *sim_card_notify(struct sim_card *c, uint8_t type, const uint8_t aid[SIM_AID_LEN],
                                  int64_t now_ms)
{
    struct sim_notif *n;

    if (c->nnotif == SIM_MAX_NOTIF) {
        /* the oldest unconfirmed one gives way: the card keeps the newest state changes */
        memmove(&c->notif[0], &c->notif[1], (SIM_MAX_NOTIF - 1) * sizeof(c->notif[0]));
        c->nnotif--;
    }
    n = &c->notif[c->nnotif++];
    memset(n, 0, sizeof(*n));
    n->seq = ++c->notif_seq;
    n->type = type;
    memcpy(n->aid, aid, SIM_AID_LEN);
    n->next_ms = now_ms;
    c->dirty = true;
    return n;
}

int64_t sim_card_notify_due(const struct sim_card *c)
{
    int64_t due = 0;

    for (unsigned i = 0; i < c->nnotif; i++)
        if (!due || c->notif[i].next_ms < due)
            due = c->notif[i].next_ms ? c->notif[i].next_ms : 1;
    return due;
}

/* IMEI as TS 24.008 mobile identity: first digit << 4 | odd flag 8 | type 2, then swapped BCD. */
static int put_imei(struct sm_buf *out, const char *imei)
{
    uint8_t v[8];
    size_t n = strlen(imei);

    if (n != 15)
        return 0;
    memset(v, 0xFF, sizeof(v));
    v[0] = (uint8_t)((imei[0] - '0') << 4 | 0x08 | 0x02);
    for (size_t i = 1; i < n; i++) {
        uint8_t d = (uint8_t)(imei[i] - '0');
        size_t byte = (i + 1) / 2;

        if (i % 2)
            v[byte] = (uint8_t)((v[byte] & 0xF0) | d);
        else
            v[byte] = (uint8_t)((v[byte] & 0x0F) | d << 4);
    }
    return sm_tlv_put(out, 0x14, v, sizeof(v));
}

int sim_notif_encode(const struct sim_card *c, const struct sim_policy *pol,
                     const struct sim_notif *n, struct sm_buf *out)
{
    size_t mark = out->len;
    uint8_t eid[16], seq[2] = {(uint8_t)(n->seq >> 8), (uint8_t)n->seq};
    int rc = sm_eid_to_bytes(c->eid, eid);

    if (!rc)
        rc = sm_tlv_put(out, 0x4C, eid, sizeof(eid));
    if (!rc)
        rc = sm_tlv_put_u8(out, 0x4D, n->type);
    if (!rc)
        rc = sm_tlv_put(out, 0x4E, seq, sizeof(seq));
    if (!rc)
        rc = sm_tlv_put(out, pol->notif_aid_tag, n->aid, SIM_AID_LEN);
    if (!rc && c->imei[0])
        rc = put_imei(out, c->imei);
    if (!rc)
        rc = sm_tlv_wrap(out, mark, 0xE1);
    if (rc)
        out->len = mark;
    return rc;
}

/* ---- serialisation: private-class tags, version 1 ---- */

enum {
    T_VERSION = 0xDF01,
    T_EID = 0xC1,
    T_MSISDN = 0xC2,
    T_IMEI = 0xC3,
    T_CURVE = 0xC4,
    T_ECASD_SK = 0xC5,
    T_ECASD_PK = 0xC6,
    T_ECASD_CERT = 0xC7,
    T_CI_PK = 0xC8,
    T_MEM_TOTAL = 0xC9,
    T_NOTIF_SEQ = 0xCA,
    T_SMSR_ADDR = 0xCB,
    T_KS80 = 0xE1,
    T_PSK = 0xE2,
    T_ISDP = 0xE3,
    T_AKA = 0xE4,
    T_NOTIF = 0xE5,
};

static int put_uint(struct sm_buf *b, uint32_t tag, uint64_t v, size_t n)
{
    uint8_t tmp[8];

    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return sm_tlv_put(b, tag, tmp, n);
}

static int get_uint(const struct sm_tlv *t, size_t n, uint64_t *v)
{
    if (t->len != n)
        return -EBADMSG;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v << 8 | t->value[i];
    return 0;
}

static int get_bytes(const struct sm_tlv *t, void *dst, size_t n)
{
    if (t->len != n)
        return -EBADMSG;
    memcpy(dst, t->value, n);
    return 0;
}

static int get_var(const struct sm_tlv *t, void *dst, size_t max, size_t *len)
{
    if (t->len > max)
        return -EBADMSG;
    memcpy(dst, t->value, t->len);
    *len = t->len;
    return 0;
}

static int get_text(const struct sm_tlv *t, char *dst, size_t size)
{
    if (t->len >= size || memchr(t->value, 0, t->len))
        return -EBADMSG;
    memcpy(dst, t->value, t->len);
    dst[t->len] = 0;
    return 0;
}

static int ser_aka(struct sm_buf *b, const struct sim_aka *a)
{
    size_t m = b->len;
    int rc = sm_tlv_put(b, 0xC1, a->adf_aid, a->adf_aid_len);

    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC2, a->algo);
    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC3, a->options);
    if (!rc)
        rc = sm_tlv_put(b, 0xC4, a->k, 16);
    if (!rc)
        rc = sm_tlv_put(b, 0xC5, a->opc, 16);
    if (!rc)
        rc = sm_tlv_put(b, 0xC6, a->rot, 5);
    if (!rc)
        rc = sm_tlv_put(b, 0xC7, a->xorc, 80);
    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC8, a->sqn_options);
    if (!rc)
        rc = sm_tlv_put(b, 0xC9, a->sqn_delta, 6);
    if (!rc)
        rc = sm_tlv_put(b, 0xCA, a->sqn_age_limit, 6);
    if (!rc)
        rc = sm_tlv_put(b, 0xCB, a->sqn, sizeof(a->sqn));
    if (!rc)
        rc = sm_tlv_put(b, 0xCC, a->map_aid, a->map_aid_len);
    return rc ? rc : sm_tlv_wrap(b, m, T_AKA);
}

static int ser_isdp(struct sm_buf *b, const struct sim_isdp *p)
{
    size_t m = b->len;
    int rc = sm_tlv_put(b, 0xC1, p->aid, SIM_AID_LEN);

    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC2, p->lcs);
    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC3, p->fallback);
    if (!rc)
        rc = put_uint(b, 0xC4, p->quota, 4);
    if (!rc && p->has_keys) {
        uint8_t k[49];

        k[0] = p->kvn;
        memcpy(k + 1, p->kenc, 16);
        memcpy(k + 17, p->kmac, 16);
        memcpy(k + 33, p->kdek, 16);
        rc = sm_tlv_put(b, 0xC5, k, sizeof(k));
        sm_wipe(k, sizeof(k));
    }
    if (!rc)
        rc = put_uint(b, 0xC6, p->seq, 4);
    if (!rc && p->has_token_key)
        rc = sm_tlv_put(b, 0xCD, p->token_key, 16);
    if (!rc)
        rc = sm_tlv_put(b, 0xC7, p->iccid, strlen(p->iccid));
    if (!rc)
        rc = sm_tlv_put_u8(b, 0xC8, p->pol1);
    if (!rc)
        rc = sm_tlv_put(b, 0xC9, p->package.data, p->package.len);
    if (!rc)
        rc = sm_tlv_put_u8(b, 0xCA, p->installed);
    if (!rc)
        rc = sm_tlv_put(b, 0xCB, p->conn, p->conn_len);
    for (unsigned i = 0; !rc && i < p->naka; i++)
        rc = ser_aka(b, &p->aka[i]);
    return rc ? rc : sm_tlv_wrap(b, m, T_ISDP);
}

int sim_card_serialise(const struct sim_card *c, struct sm_buf *out)
{
    size_t mark = out->len;
    int rc = sm_tlv_put_u8(out, T_VERSION, 1);

    if (!rc)
        rc = sm_tlv_put(out, T_EID, c->eid, strlen(c->eid));
    if (!rc)
        rc = sm_tlv_put(out, T_MSISDN, c->msisdn, strlen(c->msisdn));
    if (!rc)
        rc = sm_tlv_put(out, T_IMEI, c->imei, strlen(c->imei));
    if (!rc)
        rc = sm_tlv_put_u8(out, T_CURVE, (uint8_t)c->curve);
    if (!rc)
        rc = sm_tlv_put(out, T_ECASD_SK, c->ecasd_sk, sm_curve_field_size(c->curve));
    if (!rc)
        rc = sm_tlv_put(out, T_ECASD_PK, c->ecasd_pk, c->ecasd_pk_len);
    if (!rc)
        rc = sm_tlv_put(out, T_ECASD_CERT, c->ecasd_cert.data, c->ecasd_cert.len);
    if (!rc)
        rc = sm_tlv_put(out, T_CI_PK, c->ci_pk, c->ci_pk_len);
    if (!rc)
        rc = put_uint(out, T_MEM_TOTAL, c->mem_total, 4);
    if (!rc)
        rc = put_uint(out, T_NOTIF_SEQ, c->notif_seq, 2);
    if (!rc)
        rc = sm_tlv_put(out, T_SMSR_ADDR, c->smsr_addr, c->smsr_addr_len);
    for (unsigned i = 0; !rc && i < c->nks80; i++) {
        const struct sim_ks80 *k = &c->ks80[i];
        size_t m = out->len;

        rc = sm_tlv_put_u8(out, 0xC1, k->kvn);
        if (!rc)
            rc = sm_tlv_put(out, 0xC2, k->kic, 16);
        if (!rc)
            rc = sm_tlv_put(out, 0xC3, k->kid, 16);
        if (!rc)
            rc = sm_tlv_put(out, 0xC4, k->kik, 16);
        if (!rc)
            rc = put_uint(out, 0xC5, k->cntr, 8);
        if (!rc)
            rc = sm_tlv_wrap(out, m, T_KS80);
    }
    for (unsigned i = 0; !rc && i < c->npsk; i++) {
        size_t m = out->len;

        rc = sm_tlv_put_u8(out, 0xC1, c->psk[i].kvn);
        if (!rc)
            rc = sm_tlv_put(out, 0xC2, c->psk[i].psk, 16);
        if (!rc)
            rc = sm_tlv_put(out, 0xC3, c->psk[i].dek, 16);
        if (!rc)
            rc = sm_tlv_wrap(out, m, T_PSK);
    }
    for (unsigned i = 0; !rc && i < c->nisdp; i++)
        rc = ser_isdp(out, &c->isdp[i]);
    for (unsigned i = 0; !rc && i < c->nnotif; i++) {
        const struct sim_notif *n = &c->notif[i];
        size_t m = out->len;

        rc = put_uint(out, 0xC1, n->seq, 2);
        if (!rc)
            rc = sm_tlv_put_u8(out, 0xC2, n->type);
        if (!rc)
            rc = sm_tlv_put(out, 0xC3, n->aid, SIM_AID_LEN);
        if (!rc)
            rc = put_uint(out, 0xC4, n->tries, 4);
        if (!rc)
            rc = put_uint(out, 0xC5, (uint64_t)n->next_ms, 8);
        if (!rc)
            rc = sm_tlv_put(out, 0xC6, n->rollback_aid, SIM_AID_LEN);
        if (!rc)
            rc = sm_tlv_put_u8(out, 0xC7, n->can_roll_back);
        if (!rc)
            rc = sm_tlv_wrap(out, m, T_NOTIF);
    }
    if (rc)
        out->len = mark;
    return rc;
}

static int de_aka(const uint8_t *buf, size_t len, struct sim_aka *a)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    uint64_t v = 0;
    int rc;

    while ((rc = sm_tlv_next(buf, len, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case 0xC1:
            rc = get_var(&t, a->adf_aid, SIM_AID_LEN, &a->adf_aid_len);
            break;
        case 0xC2:
            rc = get_uint(&t, 1, &v), a->algo = (uint8_t)v;
            break;
        case 0xC3:
            rc = get_uint(&t, 1, &v), a->options = (uint8_t)v;
            break;
        case 0xC4:
            rc = get_bytes(&t, a->k, 16);
            break;
        case 0xC5:
            rc = get_bytes(&t, a->opc, 16);
            break;
        case 0xC6:
            rc = get_bytes(&t, a->rot, 5);
            break;
        case 0xC7:
            rc = get_bytes(&t, a->xorc, 80);
            break;
        case 0xC8:
            rc = get_uint(&t, 1, &v), a->sqn_options = (uint8_t)v;
            break;
        case 0xC9:
            rc = get_bytes(&t, a->sqn_delta, 6);
            break;
        case 0xCA:
            rc = get_bytes(&t, a->sqn_age_limit, 6);
            break;
        case 0xCB:
            rc = get_bytes(&t, a->sqn, sizeof(a->sqn));
            break;
        case 0xCC:
            rc = get_var(&t, a->map_aid, SIM_AID_LEN, &a->map_aid_len);
            break;
        default:
            rc = 0; /* a newer version's member */
        }
        if (rc)
            return -EBADMSG;
    }
    return rc == -ENODATA ? 0 : -EBADMSG;
}

static int de_isdp(const uint8_t *buf, size_t len, struct sim_isdp *p)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    uint64_t v = 0;
    int rc;

    while ((rc = sm_tlv_next(buf, len, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case 0xC1:
            rc = get_bytes(&t, p->aid, SIM_AID_LEN);
            break;
        case 0xC2:
            rc = get_uint(&t, 1, &v), p->lcs = (uint8_t)v;
            break;
        case 0xC3:
            rc = get_uint(&t, 1, &v), p->fallback = v != 0;
            break;
        case 0xC4:
            rc = get_uint(&t, 4, &v), p->quota = (uint32_t)v;
            break;
        case 0xC5:
            if (t.len != 49) {
                rc = -EBADMSG;
                break;
            }
            p->has_keys = true;
            p->kvn = t.value[0];
            memcpy(p->kenc, t.value + 1, 16);
            memcpy(p->kmac, t.value + 17, 16);
            memcpy(p->kdek, t.value + 33, 16);
            break;
        case 0xC6:
            rc = get_uint(&t, 4, &v), p->seq = (uint32_t)v;
            break;
        case 0xC7:
            rc = get_text(&t, p->iccid, sizeof(p->iccid));
            break;
        case 0xC8:
            rc = get_uint(&t, 1, &v), p->pol1 = (uint8_t)v;
            break;
        case 0xC9:
            sm_buf_reset(&p->package);
            rc = sm_buf_append(&p->package, t.value, t.len);
            break;
        case 0xCA:
            rc = get_uint(&t, 1, &v), p->installed = v != 0;
            break;
        case 0xCB:
            rc = get_var(&t, p->conn, sizeof(p->conn), &p->conn_len);
            break;
        case 0xCD:
            rc = get_bytes(&t, p->token_key, 16);
            p->has_token_key = !rc;
            break;
        case T_AKA:
            if (p->naka == SIM_MAX_NAA)
                return -EBADMSG;
            if (!p->aka && !(p->aka = calloc(SIM_MAX_NAA, sizeof(*p->aka))))
                return -ENOMEM;
            rc = de_aka(t.value, t.len, &p->aka[p->naka++]);
            break;
        default:
            rc = 0;
        }
        if (rc)
            return rc == -ENOMEM ? rc : -EBADMSG;
    }
    return rc == -ENODATA ? 0 : -EBADMSG;
}

int sim_card_deserialise(const uint8_t *buf, size_t len, struct sim_card *c)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0, n;
    uint64_t v = 0;
    int rc;

    sim_card_init(c);
    while ((rc = sm_tlv_next(buf, len, &pos, &t, &de)) == 0) {
        switch (t.tag) {
        case T_VERSION:
            rc = get_uint(&t, 1, &v) || v != 1 ? -EBADMSG : 0;
            break;
        case T_EID:
            rc = get_text(&t, c->eid, sizeof(c->eid));
            break;
        case T_MSISDN:
            rc = get_text(&t, c->msisdn, sizeof(c->msisdn));
            break;
        case T_IMEI:
            rc = get_text(&t, c->imei, sizeof(c->imei));
            break;
        case T_CURVE:
            rc = get_uint(&t, 1, &v);
            if (!rc)
                rc = sm_curve_from_ref((uint8_t)v, &c->curve) ? -EBADMSG : 0;
            break;
        case T_ECASD_SK:
            rc = get_var(&t, c->ecasd_sk, sizeof(c->ecasd_sk), &n);
            break;
        case T_ECASD_PK:
            rc = get_var(&t, c->ecasd_pk, sizeof(c->ecasd_pk), &c->ecasd_pk_len);
            break;
        case T_ECASD_CERT:
            rc = sm_buf_append(&c->ecasd_cert, t.value, t.len);
            break;
        case T_CI_PK:
            rc = get_var(&t, c->ci_pk, sizeof(c->ci_pk), &c->ci_pk_len);
            break;
        case T_MEM_TOTAL:
            rc = get_uint(&t, 4, &v), c->mem_total = (uint32_t)v;
            break;
        case T_NOTIF_SEQ:
            rc = get_uint(&t, 2, &v), c->notif_seq = (uint16_t)v;
            break;
        case T_SMSR_ADDR:
            rc = get_var(&t, c->smsr_addr, sizeof(c->smsr_addr), &c->smsr_addr_len);
            break;
        case T_KS80: {
            struct sim_ks80 *k = &c->ks80[c->nks80];
            struct sm_tlv f;
            size_t p = 0;

            if (c->nks80 == SIM_MAX_KS80)
                return -EBADMSG;
            while ((rc = sm_tlv_next(t.value, t.len, &p, &f, &de)) == 0) {
                switch (f.tag) {
                case 0xC1:
                    rc = get_uint(&f, 1, &v), k->kvn = (uint8_t)v;
                    break;
                case 0xC2:
                    rc = get_bytes(&f, k->kic, 16);
                    break;
                case 0xC3:
                    rc = get_bytes(&f, k->kid, 16);
                    break;
                case 0xC4:
                    rc = get_bytes(&f, k->kik, 16);
                    break;
                case 0xC5:
                    rc = get_uint(&f, 8, &k->cntr);
                    break;
                default:
                    rc = 0;
                }
                if (rc)
                    break;
            }
            rc = rc == -ENODATA ? 0 : -EBADMSG;
            c->nks80++;
            break;
        }
        case T_PSK: {
            struct sim_psk *k = &c->psk[c->npsk];
            struct sm_tlv f;
            size_t p = 0;

            if (c->npsk == SIM_MAX_PSK)
                return -EBADMSG;
            while ((rc = sm_tlv_next(t.value, t.len, &p, &f, &de)) == 0) {
                switch (f.tag) {
                case 0xC1:
                    rc = get_uint(&f, 1, &v), k->kvn = (uint8_t)v;
                    break;
                case 0xC2:
                    rc = get_bytes(&f, k->psk, 16);
                    break;
                case 0xC3:
                    rc = get_bytes(&f, k->dek, 16);
                    break;
                default:
                    rc = 0;
                }
                if (rc)
                    break;
            }
            rc = rc == -ENODATA ? 0 : -EBADMSG;
            c->npsk++;
            break;
        }
        case T_ISDP:
            if (c->nisdp == SIM_MAX_ISDP)
                return -EBADMSG;
            rc = de_isdp(t.value, t.len, &c->isdp[c->nisdp++]);
            break;
        case T_NOTIF: {
            struct sim_notif *nt = &c->notif[c->nnotif];
            struct sm_tlv f;
            size_t p = 0;

            if (c->nnotif == SIM_MAX_NOTIF)
                return -EBADMSG;
            while ((rc = sm_tlv_next(t.value, t.len, &p, &f, &de)) == 0) {
                switch (f.tag) {
                case 0xC1:
                    rc = get_uint(&f, 2, &v), nt->seq = (uint16_t)v;
                    break;
                case 0xC2:
                    rc = get_uint(&f, 1, &v), nt->type = (uint8_t)v;
                    break;
                case 0xC3:
                    rc = get_bytes(&f, nt->aid, SIM_AID_LEN);
                    break;
                case 0xC4:
                    rc = get_uint(&f, 4, &v), nt->tries = (unsigned)v;
                    break;
                case 0xC5:
                    rc = get_uint(&f, 8, &v), nt->next_ms = (int64_t)v;
                    break;
                case 0xC6:
                    rc = get_bytes(&f, nt->rollback_aid, SIM_AID_LEN);
                    break;
                case 0xC7:
                    rc = get_uint(&f, 1, &v), nt->can_roll_back = v != 0;
                    break;
                default:
                    rc = 0;
                }
                if (rc)
                    break;
            }
            rc = rc == -ENODATA ? 0 : -EBADMSG;
            c->nnotif++;
            break;
        }
        default:
            rc = 0; /* a member of a newer version */
        }
        if (rc) {
            sim_card_free(c);
            return rc == -ENOMEM ? rc : -EBADMSG;
        }
    }
    if (rc != -ENODATA || !c->eid[0]) {
        sim_card_free(c);
        return -EBADMSG;
    }
    return 0;
}
