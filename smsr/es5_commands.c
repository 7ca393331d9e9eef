/* SPDX-License-Identifier: Apache-2.0 */
/* ES5 command scripts and card answers (es5_commands.h; es5-secure-channels 1.2-1.4). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "es5_commands.h"
#include "sm/apdu.h"
#include "sm/ids.h"
#include "sm/tlv.h"

/* One C-APDU in an expanded command script AA L {22 L apdu}. */
static int script_of(const struct sm_capdu *cmds, size_t n, struct sm_buf *out)
{
    struct sm_script_builder b;
    int rc = sm_script_begin(&b, out, false, false);

    for (size_t i = 0; !rc && i < n; i++)
        rc = sm_script_add_capdu(&b, &cmds[i]);
    return rc ? rc : sm_script_end(&b);
}

int smsr_es5_profile_command(uint16_t dgi, const uint8_t aid[SMSR_AID_LEN], struct sm_buf *out)
{
    uint8_t data[3 + 2 + SMSR_AID_LEN] = {(uint8_t)(dgi >> 8), (uint8_t)dgi, 2 + SMSR_AID_LEN, 0x4F,
                                          SMSR_AID_LEN};
    /* P1 88: last block, DGI format, no response data (1.1) */
    struct sm_capdu a = {
        .cla = 0x80, .ins = 0xE2, .p1 = 0x88, .p2 = 0x00, .data = data, .lc = sizeof(data)};

    memcpy(data + 5, aid, SMSR_AID_LEN);
    return script_of(&a, 1, out);
}

int smsr_es5_delete_command(const uint8_t aid[SMSR_AID_LEN], struct sm_buf *out)
{
    uint8_t data[2 + SMSR_AID_LEN] = {0x4F, SMSR_AID_LEN};
    /* P2 40: delete the object and its related objects (GP 11.2) */
    struct sm_capdu a = {.cla = 0x80,
                         .ins = 0xE4,
                         .p1 = 0x00,
                         .p2 = 0x40,
                         .data = data,
                         .lc = sizeof(data),
                         .has_le = true,
                         .le = 256};

    memcpy(data + 2, aid, SMSR_AID_LEN);
    return script_of(&a, 1, out);
}

int smsr_es5_confirm_command(uint16_t seq, struct sm_buf *out)
{
    uint8_t data[] = {0x3A, 0x08, 0x04, 0x4E, 0x02, (uint8_t)(seq >> 8), (uint8_t)seq};
    /* P1 89: last block, DGI format, response expected (the AIDs the card deleted) */
    struct sm_capdu a = {.cla = 0x80,
                         .ins = 0xE2,
                         .p1 = 0x89,
                         .p2 = 0x00,
                         .data = data,
                         .lc = sizeof(data),
                         .has_le = true,
                         .le = 256};

    return script_of(&a, 1, out);
}

int smsr_es5_audit_command(const uint8_t (*aids)[SMSR_AID_LEN], size_t naids, struct sm_buf *out)
{
    static const uint8_t taglist[] = {0x5C, 0x04, 0x4F, 0x9F, 0x70, 0x53};
    uint8_t data[SMSR_ES5_MAX_RAPDU - 1][2 + SMSR_AID_LEN + sizeof(taglist)];
    struct sm_capdu a[SMSR_ES5_MAX_RAPDU];

    if (naids > SMSR_ES5_MAX_RAPDU - 1)
        return -E2BIG;
    a[0] = (struct sm_capdu){
        .cla = 0x80, .ins = 0xCA, .p1 = 0xFF, .p2 = 0x21, .has_le = true, .le = 256};
    for (size_t i = 0; i < naids; i++) {
        data[i][0] = 0x4F;
        data[i][1] = SMSR_AID_LEN;
        memcpy(data[i] + 2, aids[i], SMSR_AID_LEN);
        memcpy(data[i] + 2 + SMSR_AID_LEN, taglist, sizeof(taglist));
        /* GET STATUS P1 40 (applications and security domains), P2 02 (TLV data) */
        a[1 + i] = (struct sm_capdu){.cla = 0x80,
                                     .ins = 0xF2,
                                     .p1 = 0x40,
                                     .p2 = 0x02,
                                     .data = data[i],
                                     .lc = sizeof(data[i]),
                                     .has_le = true,
                                     .le = 256};
    }
    return script_of(a, 1 + naids, out);
}

int smsr_es5_create_isdp_command(const uint8_t elf[SMSR_AID_LEN],
                                 const uint8_t module[SMSR_AID_LEN],
                                 const uint8_t aid[SMSR_AID_LEN], uint32_t quota,
                                 struct sm_buf *out)
{
    /* install parameters: C9 {81 02 03 70} = SCP03 with i = 70, then EF {83 quota} (2 or 4
     * bytes: GP Amd C cumulative granted non-volatile memory) */
    uint8_t params[16] = {0xC9, 0x04, 0x81, 0x02, 0x03, 0x70}, data[3 * 17 + 4 + 1 + 16 + 1];
    size_t np = 6, qlen = quota > 0xFFFF ? 4 : 2, n = 0;
    const uint8_t *aids[3] = {elf, module, aid};
    struct sm_capdu a = {
        .cla = 0x80, .ins = 0xE6, .p1 = 0x0C, .p2 = 0x00, .has_le = true, .le = 256};

    if (quota) {
        params[np++] = 0xEF;
        params[np++] = (uint8_t)(2 + qlen);
        params[np++] = 0x83;
        params[np++] = (uint8_t)qlen;
        for (size_t i = qlen; i-- > 0;)
            params[np++] = (uint8_t)(quota >> (8 * i));
    }
    for (int i = 0; i < 3; i++) {
        data[n++] = SMSR_AID_LEN;
        memcpy(data + n, aids[i], SMSR_AID_LEN);
        n += SMSR_AID_LEN;
    }
    /* privileges: security domain, trusted path, authorized management */
    memcpy(data + n, "\x03\x80\xC0\x00", 4);
    n += 4;
    data[n++] = (uint8_t)np;
    memcpy(data + n, params, np);
    n += np;
    data[n++] = 0x00; /* no token */
    a.data = data;
    a.lc = n;
    return script_of(&a, 1, out);
}

int smsr_es5_relay_script(const uint8_t *tlvs, size_t len, struct sm_buf *out)
{
    struct sm_script_builder b;
    struct sm_decode_err err;
    int rc;

    /* the caller's TLVs must at least be TLVs: the card would answer 90 01 otherwise */
    if (sm_tlv_check_list(tlvs, len, &err))
        return -EBADMSG;
    rc = sm_script_begin(&b, out, false, false);
    if (!rc)
        rc = sm_buf_append(out, tlvs, len);
    return rc ? rc : sm_script_end(&b);
}

int smsr_es5_answer_decode(const uint8_t *buf, size_t len, struct smsr_es5_answer *a)
{
    struct sm_script s;
    struct sm_decode_err err;
    int rc = sm_script_decode(buf, len, &s, &err);

    memset(a, 0, sizeof(*a));
    if (rc)
        return rc == -EMSGSIZE ? rc : -EBADMSG;
    if (!s.response)
        return -EBADMSG;
    for (unsigned i = 0; i < s.n; i++) {
        const struct sm_script_item *it = &s.item[i];

        if (it->tag == SM_SCRIPT_EXECUTED && it->len == 1) {
            a->executed = it->value[0];
        } else if (it->tag == SM_SCRIPT_R_APDU) {
            if (it->len < 2 || a->n == SMSR_ES5_MAX_RAPDU)
                return -EBADMSG;
            a->r[a->n].data = it->value;
            a->r[a->n].len = it->len - 2;
            a->r[a->n].sw = (uint16_t)(it->value[it->len - 2] << 8 | it->value[it->len - 1]);
            a->n++;
        } else if (it->tag == SM_SCRIPT_BAD_FORMAT && it->len == 1) {
            a->bad_format = true;
            a->bad_format_code = it->value[0];
        } else if ((it->tag == 0x9F44 || it->tag == 0x9F45 || it->tag == 0x9F46) && it->len >= 1 &&
                   !a->scp03t_error_tag) {
            a->scp03t_error_tag = it->tag;
            a->scp03t_error = it->value[it->len - 1];
        }
    }
    if (!a->executed)
        a->executed = a->n;
    return 0;
}

static uint64_t be_uint(const uint8_t *v, size_t n)
{
    uint64_t x = 0;

    for (size_t i = 0; i < n; i++)
        x = x << 8 | v[i];
    return x;
}

int smsr_es5_resources_decode(const uint8_t *buf, size_t len, struct smsr_card_resources *r)
{
    struct sm_tlv t, f;
    struct sm_decode_err err;
    size_t pos = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if (sm_tlv_parse_one(buf, len, &t, &err) || t.tag != 0xFF21)
        return -EBADMSG;
    /* integer lengths vary from card to card (1.2: 4 and 2 bytes seen) */
    while ((rc = sm_tlv_next(t.value, t.len, &pos, &f, &err)) == 0) {
        if (f.len > 8)
            return -EBADMSG;
        if (f.tag == 0x81)
            r->apps = (uint32_t)be_uint(f.value, f.len);
        else if (f.tag == 0x82)
            r->free_nvm = be_uint(f.value, f.len);
        else if (f.tag == 0x83)
            r->free_volatile = be_uint(f.value, f.len);
    }
    return rc == -ENODATA ? 0 : -EBADMSG;
}

int smsr_es5_status_decode(const uint8_t *buf, size_t len, struct smsr_isdp_status *out, size_t max,
                           size_t *n)
{
    struct sm_tlv e, f;
    struct sm_decode_err err;
    size_t pos = 0;
    int rc;

    *n = 0;
    while ((rc = sm_tlv_next(buf, len, &pos, &e, &err)) == 0) {
        struct smsr_isdp_status st = {.fallback = -1};
        size_t p2 = 0;
        bool aid = false;

        if (e.tag != 0xE3)
            continue;
        while ((rc = sm_tlv_next(e.value, e.len, &p2, &f, &err)) == 0) {
            if (f.tag == 0x4F && f.len == SMSR_AID_LEN) {
                memcpy(st.aid, f.value, SMSR_AID_LEN);
                aid = true;
            } else if (f.tag == 0x9F70 && f.len >= 1) {
                st.lcs = f.value[0];
            } else if (f.tag == 0x53 && f.len >= 1) {
                st.fallback = f.value[0] & 0x01;
            }
        }
        if (rc != -ENODATA || !aid)
            return -EBADMSG;
        if (*n < max)
            out[(*n)++] = st;
    }
    return rc == -ENODATA ? 0 : -EBADMSG;
}

const char *smsr_lcs_state(uint8_t lcs)
{
    if (lcs == 0x3F)
        return "Enabled";
    if (lcs == 0x1F)
        return "Disabled";
    if (lcs == 0x07 || lcs == 0x0F || lcs == 0x03)
        return "Created";
    return NULL;
}

/* TS 24.008 mobile identity (type 2, IMEI): 15 digits. */
static void imei_decode(const uint8_t *v, size_t len, char out[17])
{
    out[0] = 0;
    if (len != 8 || (v[0] & 0x07) != 0x02)
        return;
    out[0] = (char)('0' + (v[0] >> 4));
    for (size_t i = 1; i < 15; i++) {
        uint8_t b = v[(i + 1) / 2], d = i % 2 ? (b & 0x0F) : (b >> 4);

        if (d > 9) {
            out[0] = 0;
            return;
        }
        out[i] = (char)('0' + d);
    }
    out[15] = 0;
}

int smsr_es5_notification_decode(const uint8_t *buf, size_t len, struct smsr_notification *n)
{
    struct sm_tlv t, f;
    struct sm_decode_err err;
    size_t pos = 0;
    bool eid = false, type = false, seq = false;
    int rc;

    memset(n, 0, sizeof(*n));
    if (sm_tlv_parse_one(buf, len, &t, &err) || t.tag != 0xE1)
        return -EBADMSG;
    while ((rc = sm_tlv_next(t.value, t.len, &pos, &f, &err)) == 0) {
        switch (f.tag) {
        case 0x4C:
            eid = f.len == 16 && sm_eid_from_bytes(f.value, n->eid) == 0;
            break;
        case 0x4D:
            type = f.len == 1;
            n->type = type ? f.value[0] : 0;
            break;
        case 0x4E:
            seq = f.len == 2;
            n->seq = seq ? (uint16_t)(f.value[0] << 8 | f.value[1]) : 0;
            break;
        case 0x4F: /* the AID tag differs between implementations (1.3): accept all three */
        case 0x2F:
        case 0xAF:
            if (f.len == SMSR_AID_LEN) {
                memcpy(n->aid, f.value, SMSR_AID_LEN);
                n->has_aid = true;
            }
            break;
        case 0x14:
        case 0x94:
            imei_decode(f.value, f.len, n->imei);
            break;
        default:
            break;
        }
    }
    if (rc != -ENODATA || !eid || !type || !seq)
        return -EBADMSG;
    return 0;
}

int smsr_es5_key_establishment_command(bool block1, const uint8_t *data, size_t len,
                                       struct sm_buf *out)
{
    /* block 0: P1 09 (more blocks, DGI format, response), P2 block number 00; block 1: P1 89
     * (last block), P2 01 (es8 spec 1.1) */
    struct sm_capdu a = {.cla = 0x80,
                         .ins = 0xE2,
                         .p1 = block1 ? 0x89 : 0x09,
                         .p2 = block1 ? 0x01 : 0x00,
                         .data = data,
                         .lc = len,
                         .has_le = true,
                         .le = 256};

    if (!len || len > 255)
        return -EMSGSIZE;
    return script_of(&a, 1, out);
}

int smsr_es5_key_establishment_decode(const uint8_t *buf, size_t len,
                                      struct smsr_key_establishment_answer *out)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t pos = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    while ((rc = sm_tlv_next(buf, len, &pos, &t, &de)) == 0) {
        if (t.tag == 0x85 && !out->v85 && !out->receipt) {
            out->v85 = t.value;
            out->v85_len = t.len;
        } else if (t.tag == 0x86 && !out->receipt && t.len == 16) {
            out->receipt = t.value;
            out->receipt_len = t.len;
        } else {
            return -EBADMSG;
        }
    }
    return rc == -ENODATA && (out->v85 || out->receipt) ? 0 : -EBADMSG;
}

int smsr_es5_finalise_handover_command(const struct smsr_keyset_ref *sets, size_t n,
                                       const uint8_t *addr, size_t addr_len, const uint8_t *scp81,
                                       size_t scp81_len, struct sm_buf *out)
{
    uint8_t del[5 * 16], sd[64];
    struct sm_capdu a[3] = {
        {.cla = 0x80, .ins = 0xE4, .p1 = 0x00, .p2 = 0x00, .data = del, .has_le = true, .le = 256},
        {.cla = 0x80, .ins = 0xE2, .p1 = 0x88, .p2 = 0x00, .data = sd},
        /* block 1 alone: P1 89 (last block, DGI, response). Njiwa sends P2 01 (es8 spec 1.6), but
         * a lone block is block number 00 for GP 2.2 11.11, and a card checks the sequence [?] */
        {.cla = 0x80,
         .ins = 0xE2,
         .p1 = 0x89,
         .p2 = 0x00,
         .data = scp81,
         .lc = scp81_len,
         .has_le = true,
         .le = 256},
    };
    size_t k = 1;

    if (!n || n > 16 || (addr && (!addr_len || addr_len > sizeof(sd) - 7)) ||
        (scp81 && (!scp81_len || scp81_len > 255)))
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = del + 5 * i;

        p[0] = 0xF2;
        p[1] = 0x03;
        p[2] = sets[i].kvn;
        p[3] = sets[i].first_kid;
        p[4] = sets[i].last_kid;
    }
    a[0].lc = 5 * n;
    if (addr) {
        sd[0] = 0x3A;
        sd[1] = 0x07;
        sd[2] = (uint8_t)(addr_len + 4);
        sd[3] = 0xA3;
        sd[4] = (uint8_t)(addr_len + 2);
        sd[5] = 0x81;
        sd[6] = (uint8_t)addr_len;
        memcpy(sd + 7, addr, addr_len);
        a[1].lc = addr_len + 7;
        k++;
    }
    if (scp81)
        a[k++] = a[2];
    return script_of(a, k, out);
}

int smsr_es5_chain_script(uint8_t chain, struct sm_buf *script)
{
    struct sm_decode_err de;
    struct sm_buf out = SM_BUF_INIT;
    struct sm_tlv t;
    int rc;

    if (sm_tlv_parse_one(script->data, script->len, &t, &de) || t.tag != 0xAA)
        return -EINVAL;
    rc = sm_tlv_put_u8(&out, 0x83, chain);
    if (!rc)
        rc = sm_buf_append(&out, t.value, t.len);
    if (!rc)
        rc = sm_tlv_wrap(&out, 0, 0xAA);
    if (rc) {
        sm_buf_free(&out);
        return rc;
    }
    sm_buf_free(script);
    *script = out;
    return 0;
}
