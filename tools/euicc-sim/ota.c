/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 on the card side: remote command scripts (TS 102 226) and SMS-PP secured packets (TS 102
 * 225, 31.115) with the ISD-R's SCP80 key sets.
 *
 * Rules a card applies (es5 spec 2.2-2.4):
 *  - the ISD-R takes only packets with a checksum, ciphering and a counter that must increase
 *    (SPI1 at least 16); below that the packet is dropped without a PoR;
 *  - a wrong checksum gives no PoR; a wrong counter gives the PoR status 02/03/04 and the
 *    command is not executed; the counter is stored before executing;
 *  - the PoR honours SPI2: none / always / on error, its own checksum and ciphering, and goes
 *    in an SMS-SUBMIT (b6 = 1) or in the SMS-DELIVER-REPORT (b6 = 0);
 *  - packets to an ISD-P's TAR use the ISD-R's keys (es5 spec 1.5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "isdr.h"
#include "ota.h"
#include "sm/apdu.h"
#include "sm/ids.h"
#include "sm/scp80.h"
#include "sm/tlv.h"

void sim_ota_result_init(struct sim_ota_result *r)
{
    memset(r, 0, sizeof(*r));
    r->por_status = -1;
}

void sim_ota_result_free(struct sim_ota_result *r)
{
    for (unsigned i = 0; i < r->nmo; i++)
        sm_buf_free(&r->mo[i]);
    sm_buf_free(&r->report);
    sm_buf_free(&r->push_params);
    memset(r, 0, sizeof(*r));
    r->por_status = -1;
}

/* ---- scripts ---- */

static int run_capdu(struct sim_ctx *x, struct sim_target *t, const struct sm_capdu *a,
                     struct sm_buf *data, uint16_t *sw)
{
    return t->isdp ? sim_isdp_apdu(x, t->isdp, a, data, sw) : sim_isdr_apdu(x, a, data, sw);
}

static int expanded(struct sim_ctx *x, struct sim_target *t, const uint8_t *script, size_t len,
                    struct sm_buf *rsp, bool *failed)
{
    struct sm_buf items = SM_BUF_INIT, data = SM_BUF_INIT;
    struct sm_script_builder b;
    struct sm_decode_err de;
    struct sm_script s;
    uint8_t executed = 0, chain = 0;
    bool bad = false;
    int rc = 0;

    if (sm_script_decode(script, len, &s, &de) || s.response) {
        /* bad format: 90 01 01 (what the test eUICC answered) */
        bad = true;
        s.indefinite = len && script[0] == SM_SCRIPT_TAG_CMD_INDEF;
        s.n = 0;
    }
    for (unsigned i = 0; i < s.n && !rc && !*failed && !bad; i++) {
        const struct sm_script_item *it = &s.item[i];

        switch (it->tag) {
        case SM_SCRIPT_C_APDU: {
            struct sm_capdu a;
            struct sm_rapdu r;
            uint16_t sw = 0;

            if (sm_capdu_decode(it->value, it->len, &a, &de)) {
                bad = true;
                break;
            }
            sm_buf_reset(&data);
            rc = run_capdu(x, t, &a, &data, &sw);
            r.data = data.data;
            r.len = data.len;
            r.sw = sw;
            if (!rc) {
                size_t m = items.len;

                rc = sm_rapdu_encode(&r, &items);
                if (!rc)
                    rc = sm_tlv_wrap(&items, m, SM_SCRIPT_R_APDU);
            }
            executed++;
            *failed = !sm_sw_ok(sw);
            break;
        }
        case 0x84:
        case 0x85:
        case 0x86: {
            /* SCP03t for an ISD-P: the answers stand in the template themselves (es5 1.4) */
            size_t m = items.len;

            if (!t->isdp) {
                bad = true;
                break;
            }
            rc = sim_isdp_scp03t(x, t->isdp, it->tag, it->value, it->len, &items);
            executed++;
            /* 9F44..9F46 or an 86 with data (a failed installation) end the script */
            if (!rc && (items.data[m] == 0x9F || (items.len - m > 2 && items.data[m] == 0x86)))
                *failed = true;
            break;
        }
        case SM_SCRIPT_CHAINING:
            /* 01 / 11 first script, 02 subsequent, 03 last (TS 102 226) */
            if (it->len != 1 || (it->value[0] != 0x01 && it->value[0] != 0x11 &&
                                 it->value[0] != 0x02 && it->value[0] != 0x03))
                bad = true;
            else
                chain = it->value[0];
            break;
        case SM_SCRIPT_IMMEDIATE:
        case SM_SCRIPT_ERROR_ACTION:
            break;
        default:
            bad = true;
        }
    }
    /* the chain this script opens, continues or closes; a subsequent script without a first
     * one continues nothing */
    x->card->chain_open = chain == 0x01 || chain == 0x11 || (chain == 0x02 && x->card->chain_open);
    if (!t->in_session)
        sim_card_chain_end(x->card);
    if (!rc)
        rc = sm_script_begin(&b, rsp, true, s.indefinite);
    /* a definite response starts with the number of commands executed; the card left it out
     * of its indefinite (HTTPS) answers */
    if (!rc && !s.indefinite)
        rc = sm_script_add(&b, SM_SCRIPT_EXECUTED, &executed, 1);
    if (!rc)
        rc = sm_buf_append(rsp, items.data, items.len);
    if (!rc && bad) {
        static const uint8_t bad_format = 0x01;

        rc = sm_script_add(&b, SM_SCRIPT_BAD_FORMAT, &bad_format, 1);
        *failed = true;
    }
    if (!rc)
        rc = sm_script_end(&b);
    sm_buf_free(&items);
    sm_buf_free(&data);
    return rc;
}

struct compact_run {
    struct sim_ctx *x;
    struct sim_target *t;
    struct sm_buf data;
    uint16_t sw;
    uint8_t executed;
    int rc;
};

static int compact_one(void *arg, const struct sm_capdu *a)
{
    struct compact_run *cr = arg;

    sm_buf_reset(&cr->data);
    cr->rc = run_capdu(cr->x, cr->t, a, &cr->data, &cr->sw);
    cr->executed++;
    return cr->rc || !sm_sw_ok(cr->sw) ? 1 : 0;
}

int sim_ota_execute(struct sim_ctx *x, struct sim_target *t, const uint8_t *script, size_t len,
                    bool compact_allowed, struct sm_buf *rsp, bool *failed)
{
    struct compact_run cr = {.x = x, .t = t};
    struct sm_decode_err de;
    struct sm_rapdu last;
    int rc;

    *failed = false;
    if (len && (script[0] == SM_SCRIPT_TAG_CMD_DEF || script[0] == SM_SCRIPT_TAG_CMD_INDEF))
        return expanded(x, t, script, len, rsp, failed);
    if (!compact_allowed)
        return expanded(x, t, script, len, rsp, failed); /* answered as bad format */
    rc = sm_compact_decode(script, len, compact_one, &cr, &de);
    /* a compact script cannot chain */
    x->card->chain_open = false;
    if (!t->in_session)
        sim_card_chain_end(x->card);
    if (cr.rc) {
        sm_buf_free(&cr.data);
        return cr.rc;
    }
    if (rc < 0) {
        /* a malformed compact script: nothing executed, SW 6700 reported */
        cr.sw = 0x6700;
        sm_buf_reset(&cr.data);
    }
    *failed = !sm_sw_ok(cr.sw);
    last.data = cr.data.data;
    last.len = cr.data.len;
    last.sw = cr.sw;
    rc = sm_compact_response_encode(cr.executed, &last, rsp);
    sm_buf_free(&cr.data);
    return rc;
}

/* ---- SMS ---- */

static struct sim_ks80 *keyset_for(struct sim_card *c, uint8_t kic, uint8_t kid)
{
    /* b8-b5 of KIc and KID: the key version of the set (both must name the same one) */
    if ((kic >> 4) != (kid >> 4))
        return NULL;
    return sim_card_ks80(c, (uint8_t)(kic >> 4));
}

static bool target_of(struct sim_ctx *x, const uint8_t tar[3], struct sim_target *t)
{
    uint8_t own[3];

    t->isdp = NULL;
    if (!sm_tar_from_aid(sim_aid_isdr, SIM_AID_LEN, own) && !memcmp(own, tar, 3))
        return true;
    if (!x->pol->accept_isdp_scp80)
        return false;
    for (unsigned i = 0; i < x->card->nisdp; i++) {
        if (!sm_tar_from_aid(x->card->isdp[i].aid, SIM_AID_LEN, own) && !memcmp(own, tar, 3)) {
            t->isdp = &x->card->isdp[i];
            return true;
        }
    }
    return false;
}

/* An SMS-SUBMIT to `to` carrying a response or command packet (UDH added here, split when
 * longer than one SMS). packet starts at RPL/CPL. */
static int mo_packet(struct sim_ota_result *r, const char *to, const uint8_t *packet, size_t len,
                     bool is_response)
{
    struct sm_buf parts[SIM_OTA_MAX_MO];
    int n, rc = 0;

    memset(parts, 0, sizeof(parts));
    n = sm_sms_split_packet(packet, len, is_response, (uint8_t)(r->nmo + 1), parts,
                            SIM_OTA_MAX_MO - r->nmo);
    if (n < 0)
        return n == -ENOMEM ? n : 0; /* too long for this card: not sent */
    for (int i = 0; i < n; i++) {
        struct sm_sms_submit s = {.udhi = true,
                                  .pid = SM_SMS_PID_DATA_DOWNLOAD,
                                  .dcs = SM_SMS_DCS_CLASS2_8BIT,
                                  .ud = parts[i].data,
                                  .ud_len = parts[i].len};

        s.da.ton_npi = 0x91;
        snprintf(s.da.digits, sizeof(s.da.digits), "%s", to[0] == '+' ? to + 1 : to);
        if (!rc)
            rc = sm_sms_submit_encode(&s, &r->mo[r->nmo++]);
        sm_buf_free(&parts[i]);
    }
    return rc;
}

static int por(struct sim_ctx *x, const struct sm_scp80_header *h, const uint8_t cntr[5],
               uint8_t status, const struct sim_ks80 *ks, const uint8_t *data, size_t len,
               struct sim_ota_result *r)
{
    struct sm_scp80_keys keys = {ks ? ks->kic : NULL, ks ? 16 : 0, ks ? ks->kid : NULL,
                                 ks ? 16 : 0};
    struct sm_scp80_header hh = *h;
    struct sm_buf pkt = SM_BUF_INIT;
    uint8_t mode = h->spi[1] & SM_SPI2_POR_MASK;
    int rc;

    (void)x;
    if (mode == SM_SPI2_POR_NONE || (mode == SM_SPI2_POR_ON_ERROR && status == SM_POR_OK))
        return 0;
    /* without a key set (unknown TAR or key version) the PoR can only go unprotected */
    if (!ks)
        hh.spi[1] &= (uint8_t) ~(SM_SPI2_POR_INTEGRITY_MASK | SM_SPI2_POR_CIPHER);
    rc = sm_scp80_wrap_por(&hh, cntr, status, &keys, data, len, &pkt);
    r->por_status = status;
    if (rc) {
        sm_buf_free(&pkt);
        return rc == -ENOMEM ? rc : 0;
    }
    if (h->spi[1] & SM_SPI2_POR_SUBMIT)
        rc = mo_packet(r, r->sender, pkt.data + 3, pkt.len - 3, true);
    else
        rc = sm_buf_append(&r->report, pkt.data, pkt.len);
    sm_buf_free(&pkt);
    return rc;
}

static int secured_packet(struct sim_ctx *x, const uint8_t *pkt, size_t len,
                          struct sim_ota_result *r)
{
    struct sm_scp80_header h;
    struct sm_scp80_command cmd;
    struct sm_decode_err de;
    struct sim_target t = {.isdp = NULL, .in_session = false};
    struct sim_ks80 *ks;
    struct sm_buf rsp = SM_BUF_INIT;
    uint8_t status = SM_POR_OK, cstat;
    uint8_t zero_cntr[5] = {0};
    bool failed = false;
    int rc;

    memset(&cmd, 0, sizeof(cmd));
    if (sm_scp80_command_header(pkt, len, &h, &de)) {
        r->dropped = true; /* not a command packet at all */
        return 0;
    }
    if (!target_of(x, h.tar, &t))
        return por(x, &h, zero_cntr, SM_POR_TAR_UNKNOWN, NULL, NULL, 0, r);
    ks = keyset_for(x->card, h.kic, h.kid);
    /* the ISD-R's minimum security (SGP.02: SPI1 16): checksum, ciphering, increasing counter;
     * below it the packet is dropped without answer */
    if (!ks || (h.spi[0] & SM_SPI1_INTEGRITY_MASK) != SM_SPI1_CC || !(h.spi[0] & SM_SPI1_CIPHER) ||
        (h.spi[0] & SM_SPI1_CNTR_MASK) < SM_SPI1_CNTR_HIGHER) {
        r->dropped = true;
        return 0;
    }
    {
        struct sm_scp80_keys keys = {ks->kic, 16, ks->kid, 16};

        rc = sm_scp80_unwrap_command(pkt, len, &keys, &cmd, &cstat, &de);
    }
    if (rc == -ENOMEM)
        return rc;
    if (rc == -EKEYREJECTED) {
        /* a wrong checksum is not answered */
        r->dropped = true;
        sm_scp80_command_free(&cmd);
        return 0;
    }
    if (rc) {
        rc = por(x, &h, zero_cntr, cstat, ks, NULL, 0, r);
        sm_scp80_command_free(&cmd);
        return rc;
    }
    status = sm_scp80_check_counter(h.spi[0], ks->cntr, sm_scp80_cntr_value(cmd.cntr));
    if (status != SM_POR_OK) {
        rc = por(x, &h, cmd.cntr, status, ks, NULL, 0, r);
        sm_scp80_command_free(&cmd);
        return rc;
    }
    /* the counter is kept before the command runs: a replay is refused whatever happens */
    ks->cntr = sm_scp80_cntr_value(cmd.cntr);
    x->card->dirty = true;
    if (!t.isdp && cmd.data.len && cmd.data.data[0] == 0x81) {
        /* HTTPS admin session trigger (GP Amd B, es5 spec 3.2) */
        r->push = true;
        rc = sm_buf_append(&r->push_params, cmd.data.data, cmd.data.len);
    } else {
        rc = sim_ota_execute(x, &t, cmd.data.data, cmd.data.len, true, &rsp, &failed);
    }
    if (!rc)
        rc = por(x, &h, cmd.cntr, SM_POR_OK, ks, rsp.data, rsp.len, r);
    /* a command's error status word travels in the response data; "PoR on error" is about the
     * secured packet's own processing (TS 102 225 5.1.2) */
    (void)failed;
    sm_buf_free(&rsp);
    sm_scp80_command_free(&cmd);
    return rc;
}

int sim_ota_sms_deliver(struct sim_ctx *x, struct sm_sms_reasm *reasm, const uint8_t *tpdu,
                        size_t len, uint64_t now_s, struct sim_ota_result *r)
{
    struct sm_buf packet = {.secure = true};
    struct sm_sms_deliver d;
    struct sm_decode_err de;
    struct sm_sms_udh udh;
    int rc;

    sim_ota_result_init(r);
    if (sm_sms_deliver_decode(tpdu, len, &d, &de) || d.pid != SM_SMS_PID_DATA_DOWNLOAD || !d.udhi) {
        /* not data download to the UICC: the device would handle it, not the card */
        r->dropped = true;
        return 0;
    }
    snprintf(r->sender, sizeof(r->sender), "%s", d.oa.digits);
    /* parts are joined per sender and card (one table may serve many cards) */
    {
        char key[80];

        snprintf(key, sizeof(key), "%s/%s", d.oa.digits, x->card->eid);
        rc = sm_sms_reasm_add(reasm, key, d.ud, d.ud_len, now_s, &packet, &udh);
    }
    if (rc == 0) {
        r->awaiting = true;
        return 0;
    }
    if (rc < 0 || !udh.cmd_packet) {
        sm_buf_free(&packet);
        r->dropped = true;
        return rc == -ENOMEM ? rc : 0;
    }
    rc = secured_packet(x, packet.data, packet.len, r);
    sm_buf_clear_free(&packet);
    return rc;
}

int sim_ota_notification_sms(struct sim_ctx *x, const struct sim_notif *n, const char *to,
                             struct sim_ota_result *r)
{
    struct sim_ks80 *ks = x->card->nks80 ? &x->card->ks80[0] : NULL;
    struct sm_buf body = SM_BUF_INIT, pkt = SM_BUF_INIT;
    struct sm_scp80_header h = {.spi = {0x02, 0x00}, .kic = 0x10, .kid = 0x12};
    uint8_t cntr[5] = {0};
    int rc;

    if (!ks)
        return -ENOKEY;
    /* KIc/KID name the set's key version (es5 spec 1.3: 10 / 12 with KVN 1) */
    h.kic = (uint8_t)(ks->kvn << 4);
    h.kid = (uint8_t)(ks->kvn << 4 | SM_ALG_AES);
    rc = sm_tar_from_aid(sim_aid_isdr, SIM_AID_LEN, h.tar);
    if (!rc)
        rc = sim_notif_encode(x->card, x->pol, n, &body);
    if (!rc) {
        struct sm_scp80_keys keys = {ks->kic, 16, ks->kid, 16};

        rc = sm_scp80_wrap_command(&h, cntr, &keys, body.data, body.len, &pkt);
    }
    if (!rc)
        rc = mo_packet(r, to, pkt.data, pkt.len, false);
    sm_buf_free(&body);
    sm_buf_free(&pkt);
    return rc;
}
