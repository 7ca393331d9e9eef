/* SPDX-License-Identifier: Apache-2.0 */
/*
 * euicc-sim run: the cards on the network. An SMPP transceiver bound to the SMSC receives the
 * SMS-PP for the cards' MSISDNs (deliver_sm) and sends what the cards answer (submit_sm: PoRs
 * and notifications); HTTPS triggers start SCP81 admin sessions (scp81.c); notifications are
 * resent until confirmed; the control socket serves aka, fallback and show.
 *
 * The network part of a phone is simulated only as far as the card needs it: an SMS-DELIVER
 * is built from deliver_sm as the SMSC would have sent it over the air, and a PoR the card puts
 * into the SMS-DELIVER-REPORT cannot travel back over SMPP (deliver_sm_resp has no user data):
 * it is logged and dropped, as an SMPP-connected SM-SR would never see it either.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "isdr.h"
#include "ota.h"
#include "run.h"
#include "scp81.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/tlv.h"
#include "sm/sms.h"
#include "sm/smpp.h"
#include "smdb/simstore.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct runner {
    struct sim_app *a;
    struct sm_smpp_client *smpp;
    struct sm_sms_reasm *reasm;
    unsigned long mt, mo, dropped_reports, sessions;
};

/* The cards' answers: SMS-SUBMIT TPDUs become submit_sm from the card's MSISDN. */
static void send_mo(struct runner *r, const char *from, const struct sm_buf *tpdu)
{
    struct sm_sms_submit s;
    struct sm_decode_err de;
    struct sm_smpp_sm sm;
    uint32_t status = 0;
    int rc;

    if (!r->smpp || sm_sms_submit_decode(tpdu->data, tpdu->len, &s, &de))
        return;
    memset(&sm, 0, sizeof(sm));
    sm.source_addr_ton = 1; /* international */
    sm.source_addr_npi = 1; /* E.164 */
    snprintf(sm.source_addr, sizeof(sm.source_addr), "%s", from[0] == '+' ? from + 1 : from);
    sm.dest_addr_ton = 1;
    sm.dest_addr_npi = 1;
    snprintf(sm.destination_addr, sizeof(sm.destination_addr), "%s", s.da.digits);
    sm.esm_class = s.udhi ? SM_SMPP_ESM_UDHI : 0;
    sm.protocol_id = s.pid;
    sm.data_coding = s.dcs;
    sm.ud = s.ud;
    sm.ud_len = s.ud_len;
    rc = sm_smpp_submit(r->smpp, &sm, NULL, &status);
    if (rc)
        SM_LOGW(SM_LOG_OTA, from, "MO SMS not accepted by the SMSC: %s (%s)", strerror(-rc),
                sm_smpp_status_name(status));
    else
        r->mo++;
}

static void deliver_results(struct runner *r, const char *eid, const char *msisdn,
                            struct sim_ota_result *res)
{
    for (unsigned i = 0; i < res->nmo; i++)
        send_mo(r, msisdn, &res->mo[i]);
    if (res->report.len) {
        r->dropped_reports++;
        SM_LOGI(SM_LOG_OTA, eid,
                "PoR for the SMS-DELIVER-REPORT not carried over SMPP (SPI2 asks for it)");
    }
    if (res->push) {
        r->sessions++;
        sim_scp81_start(r->a, eid, res->push_params.data, res->push_params.len);
    }
}

/* A deliver_sm for one of the cards. */
static void handle_mt(struct runner *r, const struct sm_smpp_pdu *pdu)
{
    const struct sm_smpp_sm *sm = &pdu->sm;
    struct sm_sms_deliver d = {.pid = sm->protocol_id, .dcs = sm->data_coding};
    struct sm_buf tpdu = SM_BUF_INIT;
    struct sim_ota_result res;
    struct sim_card *c = NULL;
    char eid[33], msisdn[24];
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (sm_smpp_receipt_parse(sm, &(struct sm_smpp_receipt){0}) == 0)
        return; /* a delivery receipt for one of our MO messages */
    if (sim_app_card_by_msisdn(r->a, sm->destination_addr, eid)) {
        SM_LOGN(SM_LOG_OTA, sm->destination_addr, "SMS for no card of this simulator");
        return;
    }
    /* the SMS-DELIVER the SMSC sends over the air (TS 23.040 9.2.2.1) */
    gmtime_r(&now, &tm);
    d.scts = (struct sm_sms_time){(uint8_t)(tm.tm_year % 100),
                                  (uint8_t)(tm.tm_mon + 1),
                                  (uint8_t)tm.tm_mday,
                                  (uint8_t)tm.tm_hour,
                                  (uint8_t)tm.tm_min,
                                  (uint8_t)tm.tm_sec,
                                  0};
    d.udhi = (sm->esm_class & SM_SMPP_ESM_UDHI) != 0;
    d.oa.ton_npi = sm->source_addr_ton == 1 ? 0x91 : 0x81;
    snprintf(d.oa.digits, sizeof(d.oa.digits), "%s", sm->source_addr);
    d.ud = sm->ud;
    d.ud_len = sm->ud_len > SM_SMS_UD_MAX ? SM_SMS_UD_MAX : sm->ud_len;
    if (sm_sms_deliver_encode(&d, &tpdu)) {
        SM_LOGN(SM_LOG_OTA, eid, "SMS from %s not deliverable over the air", sm->source_addr);
        sm_buf_free(&tpdu);
        return;
    }
    r->mt++;
    rc = sim_app_card_get(r->a, eid, &c);
    if (rc) {
        sm_buf_free(&tpdu);
        return;
    }
    {
        struct sim_ctx x = {
            .card = c, .pol = &r->a->pol, .rng = &sm_rng_system, .now_ms = sim_now_ms()};
        rc = sim_ota_sms_deliver(&x, r->reasm, tpdu.data, tpdu.len, (uint64_t)now, &res);
    }
    snprintf(msisdn, sizeof(msisdn), "%s", c->msisdn);
    sim_app_card_put(r->a, c, sim_now_ms());
    sm_buf_free(&tpdu);
    if (rc)
        return;
    if (res.dropped)
        SM_LOGI(SM_LOG_OTA, eid, "secured packet dropped by the card (security)");
    deliver_results(r, eid, msisdn, &res);
    sim_ota_result_free(&res);
}

struct notify_ctx {
    struct runner *r;
    struct sim_card *c;
};

/* Where the card's notifications go: the SM-SR address it was given last (UpdateSMSRAddressing-
 * Parameters, 3A07 A3 {81 {number of digits, TON/NPI, swapped BCD}}, the coding the SM-SR uses;
 * es5 spec open question 7), else the configured one. */
static const char *smsr_address(const struct sim_card *c, const char *dflt, char *buf, size_t n)
{
    struct sm_decode_err de;
    struct sm_tlv t;
    size_t digits, o = 0;

    if (!c->smsr_addr_len || sm_tlv_find(c->smsr_addr, c->smsr_addr_len, 0x81, &t, &de) ||
        t.len < 3)
        return dflt;
    digits = t.value[0];
    if (digits == 0 || digits > 2 * (t.len - 2) || digits + 2 > n)
        return dflt;
    if (t.value[1] == 0x91)
        buf[o++] = '+';
    for (size_t i = 0; i < digits; i++) {
        uint8_t b = t.value[2 + i / 2], d = i % 2 ? b >> 4 : b & 0x0F;

        if (d > 9)
            return dflt;
        buf[o++] = (char)('0' + d);
    }
    buf[o] = 0;
    return sm_msisdn_check(buf) ? dflt : buf;
}

static int send_notification(void *arg, const struct sim_notif *n)
{
    struct notify_ctx *nc = arg;
    struct sim_ctx x = {.card = nc->c, .pol = &nc->r->a->pol, .rng = &sm_rng_system};
    struct sim_ota_result res;
    char addr[24];
    int rc;

    sim_ota_result_init(&res);
    rc = sim_ota_notification_sms(
        &x, n, smsr_address(nc->c, nc->r->a->cfg.smsr_msisdn, addr, sizeof(addr)), &res);
    for (unsigned i = 0; !rc && i < res.nmo; i++)
        send_mo(nc->r, nc->c->msisdn, &res.mo[i]);
    sim_ota_result_free(&res);
    return 0;
}

static int notify_due(void *arg, const char *eid)
{
    struct runner *r = arg;
    struct sim_card *c;
    struct notify_ctx nc = {.r = r};

    if (sim_app_card_get(r->a, eid, &c))
        return 0;
    nc.c = c;
    {
        struct sim_ctx x = {
            .card = c, .pol = &r->a->pol, .rng = &sm_rng_system, .now_ms = sim_now_ms()};

        sim_card_tick(&x, (unsigned)r->a->cfg.notification_retries,
                      r->a->cfg.notification_interval * 1000, send_notification, &nc);
    }
    c->dirty = true;
    sim_app_card_put(r->a, c, sim_now_ms());
    return 0;
}

static int smpp_connect(struct runner *r)
{
    const struct sim_config *cfg = &r->a->cfg;
    char range[48];
    const char *m = cfg->msisdn_prefix[0] == '+' ? cfg->msisdn_prefix + 1 : cfg->msisdn_prefix;
    struct sm_smpp_client_config sc = {
        .host = cfg->smsc.host,
        .port = cfg->smsc.port,
        .mode = SM_SMPP_TRANSCEIVER,
        .system_id = cfg->system_id,
        .password = cfg->password,
        .system_type = "euicc",
        .addr_ton = 1,
        .addr_npi = 1,
        .address_range = range,
        /* every card of the simulator shares this session: an SM-SR's windowed burst must not
         * overflow it (the radio network would take them all) */
        .rx_queue = 4096,
    };
    uint32_t status = 0;
    int rc;

    snprintf(range, sizeof(range), "%s", cfg->address_range[0] ? cfg->address_range : m);
    rc = sm_smpp_open(&sc, &r->smpp, &status);
    if (rc)
        SM_LOGW(SM_LOG_OTA, cfg->system_id, "SMSC %s:%u: %s %s", cfg->smsc.host, cfg->smsc.port,
                strerror(-rc), rc == -EPROTO ? sm_smpp_status_name(status) : "");
    else
        SM_LOGN(SM_LOG_OTA, cfg->system_id, "bound to the SMSC %s:%u for %s*", cfg->smsc.host,
                cfg->smsc.port, range);
    return rc;
}

int sim_run(struct sim_app *a)
{
    struct runner r = {.a = a};
    struct sigaction sa = {.sa_handler = on_signal};
    int64_t next_smpp_try = 0, next_tick = 0;
    int lfd, rc = 0;

    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    r.reasm = sm_sms_reasm_new(1024, 120);
    lfd = sim_control_listen(a->cfg.control_socket);
    if (lfd < 0 || !r.reasm) {
        fprintf(stderr, "euicc-sim: control socket %s: %s\n", a->cfg.control_socket,
                strerror(lfd < 0 ? -lfd : ENOMEM));
        sm_sms_reasm_free(r.reasm);
        return lfd < 0 ? lfd : -ENOMEM;
    }
    sim_scp81_init(a);
    SM_LOGN(SM_LOG_MAIN, "euicc-sim", "running; control socket %s", a->cfg.control_socket);
    while (!stop_signal) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
        int64_t now = sim_now_ms();
        int timeout = next_tick - now < 500 ? (int)(next_tick > now ? next_tick - now : 0) : 500;

        if (a->cfg.smpp_enabled && !r.smpp && now >= next_smpp_try) {
            if (smpp_connect(&r))
                next_smpp_try = now + 2000; /* the SMSC may start after us */
        }
        if (r.smpp) {
            int t = sm_smpp_next_timeout(r.smpp);

            p[1].fd = sm_smpp_fd(r.smpp);
            if (t >= 0 && t < timeout)
                timeout = t;
        }
        if (poll(p, 2, timeout) < 0 && errno != EINTR)
            break;
        if (p[0].revents & POLLIN)
            sim_control_serve(a, lfd);
        if (r.smpp) {
            struct sm_smpp_pdu pdu;

            rc = sm_smpp_poll(r.smpp, 0);
            while (rc >= 0 && sm_smpp_pending(r.smpp) && sm_smpp_receive(r.smpp, &pdu, 0) == 0) {
                handle_mt(&r, &pdu);
                sm_smpp_pdu_free(&pdu);
            }
            if (rc < 0 && rc != -ETIMEDOUT) {
                SM_LOGW(SM_LOG_OTA, a->cfg.system_id, "SMSC link lost: %s", strerror(-rc));
                sm_smpp_client_free(r.smpp);
                r.smpp = NULL;
                next_smpp_try = now + 1000;
            }
            rc = 0;
        }
        if (now >= next_tick) {
            /* notifications due, then memory */
            smdb_sim_due(a->db, now, 2000, notify_due, &r);
            sim_app_cache_trim(a, now, a->cfg.cache_idle * 1000);
            next_tick = now + a->cfg.notification_tick;
        }
    }
    SM_LOGN(SM_LOG_MAIN, "euicc-sim",
            "stopping: %lu SMS in, %lu out, %lu PoRs in delivery reports dropped, %lu admin "
            "sessions",
            r.mt, r.mo, r.dropped_reports, r.sessions);
    sim_scp81_shutdown(a);
    if (r.smpp) {
        sm_smpp_unbind(r.smpp);
        sm_smpp_client_free(r.smpp);
    }
    sm_sms_reasm_free(r.reasm);
    close(lfd);
    unlink(a->cfg.control_socket);
    return 0;
}
