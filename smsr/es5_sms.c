/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 over SMS (es5_transport.h): SCP80 (TS 102 225, SMS dialect of TS 31.115) in SMS-PP
 * through SMPP 3.4.
 *
 * Command packets: SPI 16 39 (CC, ciphering, counter higher; PoR always, with CC and ciphering,
 * in an SMS-SUBMIT, since an SMPP-connected SM-SR never sees a DELIVER-REPORT), KIc/KID = KVN |
 * AES, TAR 000001 (the ISD-R). The PoR echoes TAR and counter: (card, counter) finds the
 * operation. Card notifications are command packets from the card, CC with the ISD-R keys
 * (es5-secure-channels 1.3).
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es5_engine.h"
#include "es5_transport.h"
#include "isdr_keys.h"
#include "sm/err.h"
#include "sm/hex.h"
#include "sm/keystore.h"
#include "sm/log.h"
#include "sm/rng.h"
#include "sm/scp80.h"
#include "sm/secret.h"
#include "sm/smpp.h"
#include "sm/sms.h"
#include "smdb/smsr_store.h"

static const uint8_t spi_cmd[2] = {SM_SPI1_CC | SM_SPI1_CIPHER | SM_SPI1_CNTR_HIGHER,
                                   SM_SPI2_POR_ALWAYS | SM_SPI2_POR_CC | SM_SPI2_POR_CIPHER |
                                       SM_SPI2_POR_SUBMIT};
/* Concatenated SMS per packet at most (134 bytes each): larger scripts need the HTTPS path. */
#define SMSR_SMS_MAX_PARTS 64

/* An SMS of a packet, waiting for the end of the card thread's round (smsr_sms_flush). */
struct smsr_sms_out {
    int64_t op_id;
    int64_t queued_ms;
    char dest[SM_SMPP_ADDR_SIZE];
    struct sm_buf ud;
};

struct smsr_sms {
    struct smsr_app *a;
    struct smsr_engine *g;
    struct sm_smpp_client *smpp;
    struct smsr_sms_out *outq;
    size_t nout, capout;
    struct sm_sms_reasm *reasm;
    int64_t retry_ms;                /* next bind attempt */
    int64_t backoff;                 /* ms, doubles up to 30 s */
    uint8_t ref;                     /* concatenation reference */
    char address[SM_SMPP_ADDR_SIZE]; /* the SM-SR's own address, without + */
};

/* The card's SCP80 key set (lowest KVN) as the SCP80 code takes it: KIc (key index 1) and KID
 * (index 2), pointing into k. */
static int load_keys(struct smsr_app *a, const char *eid, struct smsr_isdr_keys *k,
                     struct sm_scp80_keys *keys)
{
    int rc = smsr_isdr_keys_load(a, eid, "SCP80", 0x01, 0x0F, k);

    *keys = (struct sm_scp80_keys){k->key[1].v, k->key[1].len, k->key[2].v, k->key[2].len};
    return rc ? rc : keys->kic_len && keys->kid_len ? 0 : -ENOKEY;
}

int smsr_sms_new(struct smsr_app *a, struct smsr_engine *g, struct smsr_sms **out)
{
    struct smsr_sms *s = calloc(1, sizeof(*s));
    const char *addr = a->cfg->es5_address;

    if (!s)
        return -ENOMEM;
    s->a = a;
    s->g = g;
    s->backoff = 1000;
    snprintf(s->address, sizeof(s->address), "%.20s", addr[0] == '+' ? addr + 1 : addr);
    s->reasm = sm_sms_reasm_new(256, 120);
    if (!s->reasm) {
        free(s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

void smsr_sms_free(struct smsr_sms *s)
{
    if (!s)
        return;
    if (s->smpp)
        sm_smpp_unbind(s->smpp);
    sm_smpp_client_free(s->smpp);
    sm_sms_reasm_free(s->reasm);
    for (size_t i = 0; i < s->nout; i++)
        sm_buf_free(&s->outq[i].ud);
    free(s->outq);
    free(s);
}

/* The SMSC's answer to an SMS of operation tag. A refused or lost one is sent again, with a new
 * counter, after the PoR timeout. */
static void on_submitted(void *arg, uint64_t tag, int rc, uint32_t status)
{
    struct smsr_sms *s = arg;
    char op[24];

    if (!rc) {
        atomic_fetch_add(&s->a->stats.sms_out, 1);
        return;
    }
    snprintf(op, sizeof(op), "operation %llu", (unsigned long long)tag);
    SM_LOGW(SM_LOG_OTA, op, "submit_sm: %s%s%s; sent again after the PoR timeout", sm_strerror(rc),
            status ? " " : "", status ? sm_smpp_status_name(status) : "");
}

static void bind_smsc(struct smsr_sms *s)
{
    const struct smsr_cfg *cfg = s->a->cfg;
    struct sm_smpp_client_config c = {
        .host = cfg->es5_smsc.host,
        .port = cfg->es5_smsc.port,
        .mode = SM_SMPP_TRANSCEIVER,
        .system_id = cfg->es5_system_id,
        .password = cfg->es5_password,
        .system_type = "SMSR",
        .addr_ton = 1,
        .addr_npi = 1,
        .address_range = s->address,
        .rx_queue = 1024,
        .window = (unsigned)cfg->es5_smpp_window,
        .max_rate = (unsigned)cfg->es5_smpp_rate,
        .on_submitted = on_submitted,
        .arg = s,
    };
    uint32_t status = 0;
    int64_t now = sm_wall_ms();
    int rc;

    if (now < s->retry_ms)
        return;
    rc = sm_smpp_open(&c, &s->smpp, &status);
    if (rc) {
        SM_LOGW(SM_LOG_OTA, cfg->es5_system_id, "SMSC %s:%u: %s%s%s; again in %llds", c.host,
                c.port, sm_strerror(rc), status ? " " : "",
                status ? sm_smpp_status_name(status) : "", (long long)(s->backoff / 1000));
        s->retry_ms = now + s->backoff;
        if (s->backoff < 30000)
            s->backoff *= 2;
        return;
    }
    s->backoff = 1000;
    atomic_store(&s->a->stats.smpp_bound, 1);
    SM_LOGN(SM_LOG_OTA, cfg->es5_system_id, "bound to the SMSC %s:%u as %s", c.host, c.port,
            s->address);
}

/* The card that sent from this address (the MSISDN of its enabled profile). */
static int eid_of(struct smsr_sms *s, const char *addr, char eid[33])
{
    char plus[32];

    snprintf(plus, sizeof(plus), "+%s", addr);
    if (smdb_eid_by_msisdn(s->a->db, plus, eid) == 0)
        return 0;
    return smdb_eid_by_msisdn(s->a->db, addr, eid);
}

static void on_por(struct smsr_sms *s, const char *eid, const uint8_t *pkt, size_t len)
{
    struct smsr_isdr_keys k;
    struct sm_scp80_keys keys;
    struct sm_scp80_por por;
    struct sm_decode_err err;
    struct smdb_op op;
    uint64_t cntr;
    int rc = load_keys(s->a, eid, &k, &keys);

    if (rc) {
        SM_LOGW(SM_LOG_OTA, eid, "PoR dropped: no key set (%s)", sm_strerror(rc));
        return;
    }
    rc = sm_scp80_unwrap_por(spi_cmd, (uint8_t)(k.kvn << 4 | SM_ALG_AES),
                             (uint8_t)(k.kvn << 4 | SM_ALG_AES), &keys, pkt, len, &por, &err);
    smsr_isdr_keys_wipe(&k);
    if (rc) {
        SM_LOGW(SM_LOG_OTA, eid, "PoR dropped: %s (%s)", sm_strerror(rc), err.msg);
        return;
    }
    cntr = sm_scp80_cntr_value(por.cntr);
    /* a PoR that reports success must prove it comes from the card */
    if (por.status == SM_POR_OK && !por.protected_cc) {
        SM_LOGW(SM_LOG_OTA, eid, "PoR for counter %llu dropped: success without a checksum",
                (unsigned long long)cntr);
    } else if (smdb_op_by_por(s->a->db, eid, cntr, &op) == 0) {
        uint8_t tar[3] = {0x00, 0x00, 0x01};

        if (strcmp(op.bearer, "https"))
            smsr_op_tar(&op, tar);
        if (memcmp(por.tar, tar, 3))
            SM_LOGW(SM_LOG_OTA, eid,
                    "PoR for counter %llu from TAR %02X%02X%02X, not %02X%02X%02X: "
                    "dropped",
                    (unsigned long long)cntr, por.tar[0], por.tar[1], por.tar[2], tar[0], tar[1],
                    tar[2]);
        else {
            atomic_fetch_add(&s->a->stats.por_in, 1);
            smsr_engine_por(s->g, &op, por.status, por.data.data, por.data.len);
        }
        smdb_op_free(&op);
    } else {
        SM_LOGI(SM_LOG_OTA, eid, "PoR for counter %llu matches no operation (late or repeated)",
                (unsigned long long)cntr);
    }
    sm_scp80_por_free(&por);
}

static void on_command(struct smsr_sms *s, const char *eid, const uint8_t *pkt, size_t len)
{
    struct smsr_isdr_keys k;
    struct sm_scp80_keys keys;
    struct sm_scp80_command cmd;
    struct smsr_notification n;
    struct sm_decode_err err;
    uint8_t status = 0;
    int rc = load_keys(s->a, eid, &k, &keys);

    if (rc) {
        SM_LOGW(SM_LOG_OTA, eid, "card packet dropped: no key set (%s)", sm_strerror(rc));
        return;
    }
    rc = sm_scp80_unwrap_command(pkt, len, &keys, &cmd, &status, &err);
    smsr_isdr_keys_wipe(&k);
    if (rc) {
        SM_LOGW(SM_LOG_OTA, eid, "card packet dropped: %s (%s)", sm_strerror(rc), err.msg);
        return;
    }
    /* a notification must at least carry a checksum (1.3: SPI 02 00) */
    if ((cmd.h.spi[0] & SM_SPI1_INTEGRITY_MASK) != SM_SPI1_CC) {
        SM_LOGW(SM_LOG_OTA, eid, "card packet without a checksum dropped");
    } else if (smsr_es5_notification_decode(cmd.data.data, cmd.data.len, &n)) {
        SM_LOGW(SM_LOG_OTA, eid, "card packet is not a notification: dropped");
    } else if (strcmp(n.eid, eid)) {
        SM_LOGW(SM_LOG_OTA, eid, "notification names EID %s: dropped", n.eid);
    } else {
        smsr_engine_notification(s->g, &n);
    }
    sm_scp80_command_free(&cmd);
}

static void on_deliver(struct smsr_sms *s, const struct sm_smpp_pdu *pdu)
{
    const struct sm_smpp_sm *sm = &pdu->sm;
    struct sm_buf packet = SM_BUF_INIT;
    struct sm_sms_udh udh;
    char eid[33];
    int rc;

    if ((sm->esm_class & SM_SMPP_ESM_TYPE_MASK) == SM_SMPP_ESM_RECEIPT) {
        struct sm_smpp_receipt r;

        if (sm_smpp_receipt_parse(sm, &r) == 0 && r.state != SM_SMPP_DELIVERED)
            SM_LOGW(SM_LOG_OTA, sm->source_addr, "SMS %s not delivered: %s", r.id,
                    sm_smpp_state_stat(r.state) ? sm_smpp_state_stat(r.state) : "?");
        return;
    }
    if (sm->protocol_id != SM_SMS_PID_DATA_DOWNLOAD || !(sm->esm_class & SM_SMPP_ESM_UDHI)) {
        SM_LOGI(SM_LOG_OTA, sm->source_addr, "SMS that is no secured packet ignored");
        return;
    }
    if (eid_of(s, sm->source_addr, eid)) {
        SM_LOGW(SM_LOG_OTA, sm->source_addr, "SMS from an address of no registered card");
        return;
    }
    rc = sm_sms_reasm_add(s->reasm, sm->source_addr, sm->ud, sm->ud_len,
                          (uint64_t)(sm_wall_ms() / 1000), &packet, &udh);
    if (rc == 1 && udh.rsp_packet)
        on_por(s, eid, packet.data, packet.len);
    else if (rc == 1 && udh.cmd_packet)
        on_command(s, eid, packet.data, packet.len);
    else if (rc < 0)
        SM_LOGW(SM_LOG_OTA, eid, "SMS part refused: %s", sm_strerror(rc));
    sm_buf_free(&packet);
}

/* Wait up to wait_ms for the SMSC or for wake_fd (new work), whichever comes first. */
static void wait_input(struct smsr_sms *s, int wait_ms, int wake_fd)
{
    struct pollfd p[2] = {{.fd = wake_fd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    int t;

    if (s->smpp) {
        p[1].fd = sm_smpp_fd(s->smpp);
        t = sm_smpp_next_timeout(s->smpp);
        if (t >= 0 && t < wait_ms)
            wait_ms = t;
    }
    if (poll(p, 2, wait_ms) > 0 && (p[0].revents & POLLIN)) {
        uint64_t v;

        if (read(wake_fd, &v, sizeof(v)) < 0)
            v = 0; /* already drained by another read: nothing to do */
    }
}

void smsr_sms_serve(struct smsr_sms *s, int wait_ms, int wake_fd)
{
    int rc;

    if (!s->smpp || !sm_smpp_is_bound(s->smpp)) {
        sm_smpp_client_free(s->smpp);
        s->smpp = NULL;
        atomic_store(&s->a->stats.smpp_bound, 0);
        bind_smsc(s);
        if (!s->smpp) {
            wait_input(s, wait_ms, wake_fd);
            return;
        }
    }
    wait_input(s, wait_ms, wake_fd);
    rc = sm_smpp_poll(s->smpp, 0);
    while (rc >= 0 && sm_smpp_pending(s->smpp)) {
        struct sm_smpp_pdu pdu;

        if (sm_smpp_receive(s->smpp, &pdu, 0))
            break;
        on_deliver(s, &pdu);
        sm_smpp_pdu_free(&pdu);
    }
    if (rc < 0) {
        SM_LOGW(SM_LOG_OTA, s->a->cfg->es5_system_id, "SMSC session lost: %s", sm_strerror(rc));
        sm_smpp_client_free(s->smpp);
        s->smpp = NULL;
        s->retry_ms = sm_wall_ms() + s->backoff;
    }
    sm_sms_reasm_expire(s->reasm, (uint64_t)(sm_wall_ms() / 1000));
}

/* The trigger asks for a PoR on error only: success shows as the admin session. */
static const uint8_t spi_trigger[2] = {SM_SPI1_CC | SM_SPI1_CIPHER | SM_SPI1_CNTR_HIGHER,
                                       SM_SPI2_POR_ON_ERROR | SM_SPI2_POR_CC | SM_SPI2_POR_CIPHER |
                                           SM_SPI2_POR_SUBMIT};

static int send_packet(struct smsr_sms *s, struct smdb_op *op, const uint8_t *script, size_t len,
                       const uint8_t spi[2], const char *bearer, int64_t wait_ms)
{
    struct smsr_app *a = s->a;
    struct sm_scp80_header h = {.spi = {spi[0], spi[1]}};
    struct sm_buf pkt = SM_BUF_INIT, *parts;
    struct sm_scp80_keys keys;
    struct smsr_isdr_keys k;
    char msisdn[16];
    uint8_t cb[5];
    uint64_t cntr;
    unsigned kvn;
    int n, rc;

    if (!s->smpp || !sm_smpp_is_bound(s->smpp))
        return -ENOTCONN;
    /* the SMSC asked for a pause, or the rate is used up: no counter is spent */
    rc = sm_smpp_ready(s->smpp, 1);
    if (rc)
        return rc;
    /* the counter and the operation's state are committed before the parts are queued: inside
     * another unit of work they could still be rolled back after the packet left */
    if (smdb_unit_active(a->db)) {
        SM_LOGE(SM_LOG_OTA, op->eid, "%s %s: a packet may not be made inside a transaction",
                op->function, op->call_id);
        return -EDEADLK;
    }
    if (!strcmp(bearer, "https"))
        h.tar[2] = 0x01; /* the trigger goes to the ISD-R, whatever the script's target */
    else
        smsr_op_tar(op, h.tar);
    rc = smdb_card_msisdn(a->db, op->eid, msisdn);
    if (rc)
        return rc;
    rc = load_keys(a, op->eid, &k, &keys);
    if (rc)
        return rc;
    /* the counter is committed, with the operation's new state, before the packet leaves
     * (es5-secure-channels 2.6): one commit for both */
    rc = smdb_unit_begin(a->db);
    if (!rc)
        rc = smdb_keyset_next_counter(a->db, op->eid, k.kvn, &cntr);
    if (rc) {
        smdb_unit_end(a->db, rc);
        smsr_isdr_keys_wipe(&k);
        return rc;
    }
    kvn = k.kvn;
    h.kic = h.kid = (uint8_t)(kvn << 4 | SM_ALG_AES);
    sm_scp80_cntr_bytes(cntr, cb);
    rc = sm_scp80_wrap_command(&h, cb, &keys, script, len, &pkt);
    smsr_isdr_keys_wipe(&k);
    if (rc)
        return smdb_unit_end(a->db, rc);
    parts = calloc(SMSR_SMS_MAX_PARTS, sizeof(*parts));
    n = parts ? sm_sms_split_packet(pkt.data, pkt.len, false, s->ref++, parts, SMSR_SMS_MAX_PARTS)
              : -ENOMEM;
    sm_buf_free(&pkt);
    if (n < 0) {
        free(parts);
        return smdb_unit_end(a->db, n);
    }
    /* stored as sent before the first part leaves: a PoR can only find it that way */
    snprintf(op->state, sizeof(op->state), "sent");
    snprintf(op->bearer, sizeof(op->bearer), "%s", bearer);
    op->attempts++;
    op->por_kvn = kvn;
    op->por_cntr = cntr;
    op->next_ms = sm_wall_ms() + wait_ms;
    if (op->next_ms > op->deadline_ms)
        op->next_ms = op->deadline_ms;
    rc = smdb_unit_end(a->db, smdb_op_update(a->db, op));
    /* the parts leave at the end of the card thread's round, after one flush for all
     * (smsr_sms_flush) */
    if (!rc && s->nout + (size_t)n > s->capout) {
        size_t cap = s->capout ? 2 * s->capout : 64;
        struct smsr_sms_out *q;

        while (cap < s->nout + (size_t)n)
            cap *= 2;
        q = realloc(s->outq, cap * sizeof(*q));
        if (q) {
            s->outq = q;
            s->capout = cap;
        } else {
            rc = -ENOMEM;
        }
    }
    for (int i = 0; i < n; i++) {
        struct smsr_sms_out *o = &s->outq[s->nout];

        if (rc) {
            sm_buf_free(&parts[i]);
            continue;
        }
        o->op_id = op->id;
        o->queued_ms = sm_wall_ms();
        snprintf(o->dest, sizeof(o->dest), "%s", msisdn[0] == '+' ? msisdn + 1 : msisdn);
        o->ud = parts[i];
        s->nout++;
    }
    free(parts);
    if (!rc)
        SM_LOGI(SM_LOG_OTA, op->eid, "%s %s: %s counter %llu, %d SMS", op->function, op->call_id,
                !strcmp(bearer, "https") ? "HTTPS trigger," : "script,", (unsigned long long)cntr,
                n);
    /* an SMS the SMSC refuses or loses: the PoR timeout sends the packet again, with a new
     * counter */
    return rc;
}

bool smsr_sms_queued(const struct smsr_sms *s)
{
    return s->nout > 0;
}

void smsr_sms_flush(struct smsr_sms *s)
{
    /* an SMS kept back by the SMSC's pause is dropped once its PoR would soon be missed anyway */
    int64_t now = sm_wall_ms(), keep_ms = (int64_t)s->a->cfg->es5_por_timeout * 500;
    size_t i;

    if (!s->nout)
        return;
    for (i = 0; i < s->nout; i++) {
        struct smsr_sms_out *o = &s->outq[i];
        struct sm_smpp_sm sm = {.source_addr_ton = 1,
                                .source_addr_npi = 1,
                                .dest_addr_ton = 1,
                                .dest_addr_npi = 1,
                                .esm_class = SM_SMPP_ESM_UDHI,
                                .protocol_id = SM_SMS_PID_DATA_DOWNLOAD,
                                .data_coding = SM_SMS_DCS_CLASS2_8BIT,
                                .registered_delivery = SM_SMPP_RD_FAILURE};
        int sub;

        snprintf(sm.source_addr, sizeof(sm.source_addr), "%s", s->address);
        snprintf(sm.destination_addr, sizeof(sm.destination_addr), "%s", o->dest);
        sm.ud = o->ud.data;
        sm.ud_len = o->ud.len;
        /* the counters these carry are on disk first: the first submit flushes for all */
        sub = s->smpp ? sm_smpp_submit_async(s->smpp, &sm, (uint64_t)o->op_id) : -ENOTCONN;
        if (sub == -EAGAIN && now - o->queued_ms < keep_ms)
            break; /* the rest waits for the next round */
        if (sub) {
            char op[24];

            snprintf(op, sizeof(op), "operation %lld", (long long)o->op_id);
            SM_LOGW(SM_LOG_OTA, op, "submit_sm: %s; sent again after the PoR timeout",
                    sm_strerror(sub));
        }
        sm_buf_free(&o->ud);
    }
    memmove(s->outq, s->outq + i, (s->nout - i) * sizeof(*s->outq));
    s->nout -= i;
}

int smsr_sms_send(struct smsr_sms *s, struct smdb_op *op, const uint8_t *script, size_t len)
{
    return send_packet(s, op, script, len, spi_cmd, "sms",
                       (int64_t)s->a->cfg->es5_por_timeout * 1000);
}

int smsr_sms_send_trigger(struct smsr_sms *s, struct smdb_op *op, const uint8_t *trigger,
                          size_t len)
{
    return send_packet(s, op, trigger, len, spi_trigger, "https",
                       (int64_t)s->a->cfg->es5_https_timeout * 1000);
}
