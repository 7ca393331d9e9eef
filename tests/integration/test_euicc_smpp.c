/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The card side of ES5 end to end, three processes over real sockets: smsc-sim (SMPP), euicc-sim
 * (cards), and this test as the SM-SR: an SMPP ESME that sends SCP80 command packets to card
 * MSISDNs and receives PoRs and notifications, and a PSK-TLS admin agent (libmicrohttpd with
 * GnuTLS, as the SM-SR will run it) for SCP81 sessions. The card keys come from the EIS files
 * the simulator wrote, deciphered with the EUM-SM-SR transport key, as an SM-SR gets them.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/cipher.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/scp80.h"
#include "sm/smpp.h"
#include "sm/sms.h"
#include "sm/tlv.h"

#define SMSR_MSISDN "4479000001"

static char dir[64];
static struct itest_proc smsc, sim;
static struct sm_smpp_client *esme;
static uint64_t cntr = 1;

struct card_keys {
    char eid[33], msisdn[20];
    uint8_t kic[16], kid[16], psk[16];
};
static struct card_keys cards[3];
static int ncards;

/* ---- the SCP81 admin agent ---- */

static struct MHD_Daemon *agent;
static uint16_t agent_port;
static pthread_mutex_t agent_mu = PTHREAD_MUTEX_INITIALIZER;
static char agent_identity[160], agent_status[64];
static uint8_t agent_response[2048];
static size_t agent_response_len;
static int agent_requests;

static int psk_cb(void *cls, struct MHD_Connection *c, const char *username, void **psk,
                  size_t *psk_size)
{
    (void)cls;
    (void)c;
    pthread_mutex_lock(&agent_mu);
    snprintf(agent_identity, sizeof(agent_identity), "%s", username);
    pthread_mutex_unlock(&agent_mu);
    /* the PSK of card 0 (the only card this agent talks to) */
    *psk = malloc(16);
    if (!*psk)
        return -1;
    memcpy(*psk, cards[0].psk, 16);
    *psk_size = 16;
    return 0;
}

struct upload {
    uint8_t data[4096];
    size_t len;
};

static enum MHD_Result agent_handler(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version, const char *data,
                                     size_t *size, void **ctx)
{
    struct upload *u = *ctx;
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)cls;
    (void)version;
    if (strcmp(method, "POST"))
        return MHD_NO;
    if (!u) {
        *ctx = calloc(1, sizeof(struct upload));
        return *ctx ? MHD_YES : MHD_NO;
    }
    if (*size) {
        size_t n = *size < sizeof(u->data) - u->len ? *size : sizeof(u->data) - u->len;

        memcpy(u->data + u->len, data, n);
        u->len += n;
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&agent_mu);
    agent_requests++;
    if (!strcmp(url, "/admin")) {
        /* the first POST: a script for the ISD-R (GET DATA FF21), more to come */
        static const uint8_t script[] = {0xAE, 0x80, 0x22, 0x05, 0x80, 0xCA,
                                         0xFF, 0x21, 0x00, 0x00, 0x00};

        r = MHD_create_response_from_buffer(sizeof(script), (void *)script, MHD_RESPMEM_MUST_COPY);
        MHD_add_response_header(r, "X-Admin-Protocol", "globalplatform-remote-admin/1.0");
        MHD_add_response_header(r, "X-Admin-Next-URI", "/admin/2");
        MHD_add_response_header(r, "Content-Type",
                                "application/vnd.globalplatform.card-content-mgt;version=1.0");
        ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    } else {
        const char *st = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Admin-Script-Status");

        snprintf(agent_status, sizeof(agent_status), "%s", st ? st : "");
        memcpy(agent_response, u->data, u->len);
        agent_response_len = u->len;
        /* 204 without Next-URI: the session ends */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
    }
    pthread_mutex_unlock(&agent_mu);
    MHD_destroy_response(r);
    free(u);
    *ctx = NULL;
    return ret;
}

static int agent_start(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const union MHD_DaemonInfo *info;

    agent = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, agent_handler, NULL,
        MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_HTTPS_CRED_TYPE, GNUTLS_CRD_PSK,
        MHD_OPTION_GNUTLS_PSK_CRED_HANDLER, psk_cb, NULL, MHD_OPTION_HTTPS_PRIORITIES,
        "NONE:+VERS-TLS1.2:+PSK:+AES-128-GCM:+AES-128-CBC:+AEAD:+SHA256:+SHA1:+COMP-NULL:"
        "+SIGN-ALL:+CURVE-ALL",
        MHD_OPTION_END);
    if (!agent)
        return -1;
    info = MHD_get_daemon_info(agent, MHD_DAEMON_INFO_BIND_PORT);
    agent_port = info ? info->port : 0;
    return agent_port ? 0 : -1;
}

/* ---- set-up: PKI, smsc-sim, cards, euicc-sim, the ESME ---- */

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int read_keys(void)
{
    char path[256], line[256], cmd[512];
    uint8_t tk[16];
    FILE *f;

    snprintf(path, sizeof(path), "%s/eum-smsr-transport.key", dir);
    f = fopen(path, "r");
    if (!f || !fgets(line, sizeof(line), f))
        return -1;
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    if (sm_hex_decode(line, tk, 16) != 16)
        return -1;
    snprintf(cmd, sizeof(cmd), "%s/euicc-sim -c %s/sim.conf list", SM_BIN_DIR, dir);
    f = popen(cmd, "r");
    while (f && ncards < 3 && fgets(line, sizeof(line), f)) {
        struct card_keys *k = &cards[ncards];
        json_t *eis, *sets, *set;
        size_t i;

        if (sscanf(line, "%32s %19s", k->eid, k->msisdn) != 2)
            continue;
        snprintf(path, sizeof(path), "%s/eis/%s.json", dir, k->eid);
        eis = json_load_file(path, 0, NULL);
        sets = json_object_get(json_object_get(eis, "isdR"), "keyset");
        json_array_foreach(sets, i, set) {
            json_t *keys = json_object_get(set, "key"), *key;
            size_t j;

            json_array_foreach(keys, j, key) {
                const char *hex = json_string_value(json_object_get(
                    json_array_get(json_object_get(key, "keyComponents"), 0), "value"));
                uint8_t enc[16], *dst;
                long idx = (long)json_integer_value(json_object_get(key, "index"));
                bool scp81 = !strcmp(json_string_value(json_object_get(set, "type")), "SCP81");

                /* AES-ECB under the transport key ([factory] transport_cipher default) */
                dst = scp81 ? (idx == 1 ? k->psk : NULL)
                            : (idx == 1   ? k->kic
                               : idx == 2 ? k->kid
                                          : NULL);
                if (!dst || !hex || sm_hex_decode(hex, enc, 16) != 16)
                    continue;
                sm_aes_cbc(false, tk, 16, (const uint8_t[16]){0}, enc, 16, dst);
            }
        }
        json_decref(eis);
        ncards++;
    }
    if (f)
        pclose(f);
    return ncards == 3 ? 0 : -1;
}

static int setup(void **state)
{
    char path[256], conf[1024], cmd[512];
    int port;

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/sm-euicc-smpp-XXXXXX");
    if (!mkdtemp(dir) || agent_start())
        return -1;
    snprintf(cmd, sizeof(cmd), "%s/smctl pki init %s/pki > /dev/null", SM_BIN_DIR, dir);
    if (system(cmd))
        return -1;
    snprintf(path, sizeof(path), "%s/smsc.conf", dir);
    write_text(path, "[smpp]\nlisten = 127.0.0.1:0\nport_file = smsc.port\n"
                     "[account.smsr]\npassword = srpw\nroutes = " SMSR_MSISDN "\n"
                     "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n");
    {
        char *argv[] = {SM_BIN_DIR "/smsc-sim", "-c", path, NULL};
        char log[256];

        snprintf(log, sizeof(log), "%s/smsc.log", dir);
        if (itest_spawn(&smsc, "smsc-sim", argv, log))
            return -1;
    }
    snprintf(path, sizeof(path), "%s/smsc.port", dir);
    port = itest_wait_port_file(path, 10000);
    if (port <= 0)
        return -1;
    snprintf(conf, sizeof(conf),
             "db = sim.db\nkek_file = sim.kek\ncontrol_socket = sim.sock\n[log]\nlevel = info\n"
             "[factory]\nci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
             "[smpp]\nsmsc = 127.0.0.1:%d\nsystem_id = euicc-sim\npassword = simpw\n"
             "[smsr]\nmsisdn = +" SMSR_MSISDN "\nadmin_url = https://127.0.0.1:%u/admin\n"
             "[card]\nattach_notification = yes\nnotification_interval = 2\n",
             port, agent_port);
    snprintf(path, sizeof(path), "%s/sim.conf", dir);
    write_text(path, conf);
    snprintf(cmd, sizeof(cmd), "%s/euicc-sim -c %s create 3 > /dev/null", SM_BIN_DIR, path);
    if (system(cmd) || read_keys())
        return -1;
    {
        char *argv[] = {SM_BIN_DIR "/euicc-sim", "-c", path, "run", NULL};
        char log[256];

        snprintf(log, sizeof(log), "%s/sim.log", dir);
        if (itest_spawn(&sim, "euicc-sim", argv, log))
            return -1;
    }
    {
        struct sm_smpp_client_config c = {.host = "127.0.0.1",
                                          .port = (uint16_t)port,
                                          .system_id = "smsr",
                                          .password = "srpw",
                                          .addr_ton = 1,
                                          .addr_npi = 1,
                                          .address_range = SMSR_MSISDN};
        uint32_t status = 0;

        if (sm_smpp_open(&c, &esme, &status))
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    if (esme) {
        sm_smpp_unbind(esme);
        sm_smpp_client_free(esme);
    }
    esme = NULL;
    if (sim.pid && itest_stop(&sim, 5000) != 0)
        printf("euicc-sim did not stop cleanly (see %s/sim.log)\n", dir);
    if (smsc.pid)
        itest_stop(&smsc, 5000);
    if (agent)
        MHD_stop_daemon(agent);
    if (!getenv("SM_KEEP_TEST_DIR")) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd))
            return -1;
    }
    return 0;
}

/* ---- the SM-SR side ---- */

/* Send one command packet to card k (split over several SMS when needed); returns how many. */
static int send_packet(const struct card_keys *k, const uint8_t spi[2], uint64_t counter,
                       const uint8_t *data, size_t len)
{
    struct sm_scp80_header h = {
        .spi = {spi[0], spi[1]}, .kic = 0x12, .kid = 0x12, .tar = {0x00, 0x00, 0x01}};
    struct sm_scp80_keys keys = {k->kic, 16, k->kid, 16};
    struct sm_buf pkt = SM_BUF_INIT, parts[8];
    uint8_t cb[5];
    int n;

    sm_scp80_cntr_bytes(counter, cb);
    assert_int_equal(sm_scp80_wrap_command(&h, cb, &keys, data, len, &pkt), 0);
    memset(parts, 0, sizeof(parts));
    n = sm_sms_split_packet(pkt.data, pkt.len, false, (uint8_t)counter, parts, 8);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        struct sm_smpp_sm sm = {.source_addr_ton = 1,
                                .source_addr_npi = 1,
                                .dest_addr_ton = 1,
                                .dest_addr_npi = 1,
                                .esm_class = SM_SMPP_ESM_UDHI,
                                .protocol_id = 0x7F,
                                .data_coding = 0xF6};

        snprintf(sm.source_addr, sizeof(sm.source_addr), SMSR_MSISDN);
        snprintf(sm.destination_addr, sizeof(sm.destination_addr), "%s", k->msisdn + 1);
        sm.ud = parts[i].data;
        sm.ud_len = parts[i].len;
        assert_int_equal(sm_smpp_submit(esme, &sm, NULL, NULL), 0);
        sm_buf_free(&parts[i]);
    }
    sm_buf_free(&pkt);
    return n;
}

/* The next secured packet from card k (a PoR, IEI 71; or a command packet, IEI 70, such as a
 * notification, when want_cmd), reassembled when it came in several SMS, without its UDH.
 * Other messages are skipped. Returns the number of SMS it took, 0 on timeout. */
static int receive_from(const struct card_keys *k, bool want_cmd, struct sm_buf *packet,
                        int timeout_ms)
{
    struct sm_sms_reasm *ra = sm_sms_reasm_new(4, 60);
    int parts = 0;

    assert_non_null(ra);
    for (int waited = 0; waited < timeout_ms;) {
        struct sm_smpp_pdu pdu;
        struct sm_sms_udh udh;
        int rc = sm_smpp_receive(esme, &pdu, 250);

        if (rc == -ETIMEDOUT) {
            waited += 250;
            continue;
        }
        assert_int_equal(rc, 0);
        if (!strcmp(pdu.sm.source_addr, k->msisdn + 1) && pdu.sm.ud_len >= 3) {
            parts++;
            sm_buf_reset(packet);
            rc =
                sm_sms_reasm_add(ra, pdu.sm.source_addr, pdu.sm.ud, pdu.sm.ud_len, 0, packet, &udh);
            assert_true(rc >= 0);
            if (rc == 1 && (want_cmd ? udh.cmd_packet : udh.rsp_packet)) {
                sm_smpp_pdu_free(&pdu);
                sm_sms_reasm_free(ra);
                return parts;
            }
            if (rc == 1)
                parts = 0;
        }
        sm_smpp_pdu_free(&pdu);
    }
    sm_sms_reasm_free(ra);
    return 0;
}

static void por_of(const struct card_keys *k, const uint8_t spi[2], const struct sm_buf *ud,
                   struct sm_scp80_por *p)
{
    struct sm_scp80_keys keys = {k->kic, 16, k->kid, 16};
    struct sm_decode_err de;

    assert_int_equal(sm_scp80_unwrap_por(spi, 0x12, 0x12, &keys, ud->data, ud->len, p, &de), 0);
}

static void notifications_and_confirmation(void **state)
{
    const struct card_keys *k = &cards[1];
    struct sm_buf ud = SM_BUF_INIT;
    struct sm_scp80_command cmd;
    struct sm_scp80_keys keys = {k->kic, 16, k->kid, 16};
    struct sm_decode_err de;
    struct sm_tlv t, f;
    uint8_t status;
    uint16_t seq;
    int resent = 0;

    (void)state;
    /* the first-attach notification: a command packet (SPI 02 00, CC) with E1 {.. 4D 01 ..} */
    assert_true(receive_from(k, true, &ud, 15000));
    assert_int_equal(sm_scp80_unwrap_command(ud.data, ud.len, &keys, &cmd, &status, &de), 0);
    assert_int_equal(sm_tlv_parse_one(cmd.data.data, cmd.data.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xE1);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x4D, &f, &de), 0);
    assert_int_equal(f.value[0], 0x01);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x4E, &f, &de), 0);
    seq = (uint16_t)(f.value[0] << 8 | f.value[1]);
    sm_scp80_command_free(&cmd);
    /* unconfirmed, it comes again after the interval (2 s) */
    if (receive_from(k, true, &ud, 6000))
        resent++;
    assert_int_equal(resent, 1);
    /* NotificationConfirmation over SMS: 80 E2 89 00 07 3A08 04 4E02 <seq> */
    {
        uint8_t script[32];
        size_t n = 0;

        memcpy(script, "\xAA\x0E\x22\x0C\x80\xE2\x89\x00\x07\x3A\x08\x04\x4E\x02", 14);
        n = 14;
        script[n++] = (uint8_t)(seq >> 8);
        script[n++] = (uint8_t)seq;
        send_packet(k, (const uint8_t[]){0x16, 0x21}, cntr++, script, n);
    }
    assert_true(receive_from(k, false, &ud, 10000));
    assert_memory_equal(ud.data + ud.len - 2, "\x90\x00", 2);
    /* no more notifications from this card */
    assert_false(receive_from(k, true, &ud, 5000));
    sm_buf_free(&ud);
}

static void command_and_por(void **state)
{
    const struct card_keys *k = &cards[0];
    static const uint8_t spi[2] = {0x16, 0x39};
    static const uint8_t get_data[] = {0xAA, 0x07, 0x22, 0x05, 0x80, 0xCA, 0xFF, 0x21, 0x00};
    struct sm_buf ud = SM_BUF_INIT;
    struct sm_scp80_por p;
    struct sm_decode_err de;
    struct sm_tlv t;
    uint64_t c = cntr++;

    (void)state;
    send_packet(k, spi, c, get_data, sizeof(get_data));
    assert_true(receive_from(k, false, &ud, 10000));
    por_of(k, spi, &ud, &p);
    assert_int_equal(p.status, SM_POR_OK);
    assert_true(p.protected_cc && p.deciphered);
    assert_int_equal(sm_tlv_parse_one(p.data.data, p.data.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xAB);
    assert_non_null(memmem(p.data.data, p.data.len, "\xff\x21", 2));
    sm_scp80_por_free(&p);
    /* the same counter again: PoR 02, nothing executed */
    send_packet(k, spi, c, get_data, sizeof(get_data));
    assert_true(receive_from(k, false, &ud, 10000));
    por_of(k, spi, &ud, &p);
    assert_int_equal(p.status, SM_POR_CNTR_LOW);
    sm_scp80_por_free(&p);
    sm_buf_free(&ud);
}

/* Append C-APDU (hex) to an expanded-format script as 22 <len> <apdu>. */
static void script_add(struct sm_buf *script, const char *hex)
{
    uint8_t apdu[128];
    long n = sm_hex_decode(hex, apdu, sizeof(apdu));

    assert_true(n > 0 && n < 128);
    assert_int_equal(sm_tlv_put(script, 0x22, apdu, (size_t)n), 0);
}

/* CreateISDP and an audit of the result in one script: too long for one SMS, so both the
 * command packet and the PoR travel concatenated (31.115). */
static void create_isdp_over_concatenated_sms(void **state)
{
    const struct card_keys *k = &cards[2];
    static const uint8_t spi[2] = {0x16, 0x39}; /* the PoR enciphered and with a CC */
    static const uint8_t new_aid[] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x11, 0x00};
    struct sm_buf cmds = SM_BUF_INIT, script = SM_BUF_INIT, ud = SM_BUF_INIT;
    struct sm_decode_err de;
    struct sm_scp80_por p;
    struct sm_tlv t, f;
    char cmd[512], out[4096];
    int n;

    (void)state;
    /* INSTALL [for install] of an ISD-P with a 4096 byte quota (EF {83 1000}, GP Amd C) */
    script_add(&cmds, "80e60c004510a0000005591010ffffffff8900000d0010a0000005591010ffffffff"
                      "8900000e0010a0000005591010ffffffff89000011000380c0000cc90481020370ef04"
                      "830210000000");
    /* GET STATUS of the new ISD-P: AID, life cycle, quota; then of all; then free memory */
    script_add(&cmds, "80f24002184f10a0000005591010ffffffff89000011005c044f9f708f00");
    script_add(&cmds, "80f24002024f0000");
    script_add(&cmds, "80caff2100");
    assert_int_equal(sm_tlv_put(&script, 0xAA, cmds.data, cmds.len), 0);
    assert_true(send_packet(k, spi, cntr++, script.data, script.len) >= 2);
    n = receive_from(k, false, &ud, 10000);
    por_of(k, spi, &ud, &p);
    assert_true(n >= 2);
    assert_int_equal(p.status, SM_POR_OK);
    /* AB {80 01 04 (four executed), 23 per R-APDU}, the last one 9000 */
    assert_int_equal(sm_tlv_parse_one(p.data.data, p.data.len, &t, &de), 0);
    assert_int_equal(t.tag, 0xAB);
    assert_int_equal(sm_tlv_find(t.value, t.len, 0x80, &f, &de), 0);
    assert_int_equal(f.len, 1);
    assert_int_equal(f.value[0], 4);
    assert_memory_equal(p.data.data + p.data.len - 2, "\x90\x00", 2);
    assert_non_null(memmem(p.data.data, p.data.len, new_aid, sizeof(new_aid)));
    assert_non_null(memmem(p.data.data, p.data.len, "\x8f\x04\x00\x00\x10\x00", 6));
    sm_scp80_por_free(&p);
    sm_buf_free(&cmds);
    sm_buf_free(&script);
    /* the running simulator shows the new ISD-P */
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf show %s", dir, SM_BIN_DIR,
             k->eid);
    {
        char *argv[] = {"/bin/sh", "-c", cmd, NULL};

        assert_int_equal(itest_run(argv, out, sizeof(out)), 0);
    }
    assert_non_null(strstr(out, "a0000005591010ffffffff8900001100 created"));
    sm_buf_free(&ud);
}

static void https_admin_session(void **state)
{
    const struct card_keys *k = &cards[0];
    static const uint8_t trigger[] = {0x81, 0x00}; /* the parameters stored in the ISD-R */
    struct sm_buf ud = SM_BUF_INIT;
    char want[160];
    uint8_t tlv[48], e[16];
    size_t n = 0;

    (void)state;
    send_packet(k, (const uint8_t[]){0x16, 0x22}, cntr++, trigger, sizeof(trigger));
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&agent_mu);
        n = agent_response_len;
        pthread_mutex_unlock(&agent_mu);
        if (n)
            break;
        usleep(100 * 1000);
    }
    pthread_mutex_lock(&agent_mu);
    assert_int_equal(agent_requests, 2);
    assert_string_equal(agent_status, "ok");
    /* the card's answer: AF 80 .. 23 <FF21 ..> 90 00 .. 00 00 */
    assert_true(agent_response_len > 8);
    assert_memory_equal(agent_response, "\xaf\x80", 2);
    assert_non_null(memmem(agent_response, agent_response_len, "\xff\x21", 2));
    /* PSK identity: 80 01 02 81 10 EID 4F 10 ISD-R AID 82 01 01 83 01 40, upper-case hex */
    sm_eid_to_bytes(k->eid, e);
    n = 0;
    memcpy(tlv, "\x80\x01\x02\x81\x10", 5);
    n += 5;
    memcpy(tlv + n, e, 16);
    n += 16;
    memcpy(tlv + n,
           "\x4F\x10\xA0\x00\x00\x05\x59\x10\x10\xFF\xFF\xFF\xFF\x89\x00\x00\x01\x00"
           "\x82\x01\x01\x83\x01\x40",
           24);
    n += 24;
    sm_hex_encode_upper(tlv, n, want);
    assert_string_equal(agent_identity, want);
    pthread_mutex_unlock(&agent_mu);
    /* PoR on error only: none came */
    assert_false(receive_from(k, false, &ud, 1000));
    sm_buf_free(&ud);
}

/* SIGTERM: the simulator unbinds, saves, exits 0 (under the sanitizers: no leak, no error) */
static void clean_shutdown(void **state)
{
    (void)state;
    assert_int_equal(sm_smpp_unbind(esme), 0);
    sm_smpp_client_free(esme);
    esme = NULL;
    assert_int_equal(itest_stop(&sim, 10000), 0);
    sim.pid = 0;
    assert_int_equal(itest_stop(&smsc, 10000), 0);
    smsc.pid = 0;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(notifications_and_confirmation),
    cmocka_unit_test(command_and_por),
    cmocka_unit_test(create_isdp_over_concatenated_sms),
    cmocka_unit_test(https_admin_session),
    cmocka_unit_test(clean_shutdown),
};

SM_TEST_MAIN(tests, setup, teardown)
