/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smsc-sim as a real process (built with the sanitizers by ./test.sh) on an ephemeral loopback
 * port, driven through the project's ESME client (sm/smpp.h) and, for hostile input, raw TCP:
 * bind refusals, routing by prefix and by address_range, SMS-PP byte for byte both ways, store
 * and forward, receipts, retries, latency, seeded loss, throttling, enquire_link, malformed
 * PDUs, counters, clean shutdown, and configuration checks. Each test starts its own
 * smsc-sim, so nothing one test leaves stored reaches another.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sm_test.h"
#include "itest.h"
#include "sm/log.h"
#include "sm/smpp.h"

static char dir[] = "/tmp/sm-smsc-XXXXXX";

/* The card side: euicc serves the card MSISDNs +4479..., euicc2 the narrower +44790...; the
 * SM-SR is reached at its short code 1234. */
static const char accounts[] = "[account.smsr]\npassword = smsrpw\nroutes = 1234\nmax_binds = 2\n"
                               "[account.euicc]\npassword = euiccpw\nroutes = +4479, 4479\n"
                               "[account.euicc2]\npassword = pw2\nroutes = +44790\n"
                               "[account.any]\npassword = pw3\nroutes = *\n"
                               "[account.ranged]\npassword = pw4\nmax_binds = 2\n"
                               "[account.late]\npassword = pw5\nroutes = 4915\n";

#define CARD "+447912345678"
#define SMSR "1234"

struct sim {
    struct itest_proc proc;
    int port;
    char name[32];
};

/* Simulators running: a failed test leaves its own behind, teardown stops them. */
static pid_t live[64];

static void live_set(pid_t old, pid_t now)
{
    for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
        if (live[i] == old) {
            live[i] = now;
            return;
        }
    }
}

/* dir/a[b]: a path in the test directory. */
static char *path_in(const char *a, const char *b)
{
    return itest_path(dir, a, b);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Start smsc-sim with these accounts and extra configuration (appended). */
static void sim_start_with(struct sim *s, const char *name, const char *extra, const char *accs)
{
    char bin[700], text[4096];
    char *argv[] = {bin, "-c", NULL, NULL};

    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(text, sizeof(text),
             "[smpp]\nlisten = 127.0.0.1:0\nport_file = %s.port\nresponse_timeout = 600\n"
             "[store]\nretry_initial = 100\nretry_max = 400\n[stats]\nfile = %s.json\n"
             "[log]\nlevel = info\n%s\n%s",
             name, name, accs, extra ? extra : "");
    assert_int_equal(itest_write_file(path_in(name, ".conf"), text), 0);
    unlink(path_in(name, ".port"));
    snprintf(bin, sizeof(bin), "%s/smsc-sim", SM_BIN_DIR);
    argv[2] = path_in(name, ".conf");
    assert_int_equal(itest_spawn(&s->proc, "smsc-sim", argv, path_in(name, ".log")), 0);
    live_set(0, s->proc.pid);
    s->port = itest_wait_port_file(path_in(name, ".port"), 15000);
    if (s->port <= 0)
        fail_msg("smsc-sim %s did not start; log in %s", name, path_in(name, ".log"));
}

static void sim_start(struct sim *s, const char *name, const char *extra)
{
    sim_start_with(s, name, extra, accounts);
}

/* SIGTERM: the simulator unbinds everyone and must exit 0 (no sanitizer report). */
static void sim_stop(struct sim *s)
{
    pid_t pid = s->proc.pid;
    int rc = itest_stop(&s->proc, 10000);

    live_set(pid, 0);
    if (rc)
        fail_msg("smsc-sim %s exited with %d; log in %s", s->name, rc, path_in(s->name, ".log"));
}

/* The counters, through SIGUSR1 and the stats file. */
static json_t *sim_stats(struct sim *s)
{
    const char *p = path_in(s->name, ".json");
    json_t *j = NULL;

    unlink(p);
    kill(s->proc.pid, SIGUSR1);
    for (int waited = 0; waited < 5000 && !j; waited += 20) {
        sleep_ms(20);
        j = json_load_file(p, 0, NULL);
    }
    if (!j)
        fail_msg("no stats file from %s", s->name);
    return j;
}

static long stat_of(json_t *j, const char *account, const char *field)
{
    json_t *o = account ? json_object_get(json_object_get(j, "accounts"), account)
                        : json_object_get(j, "total");
    json_t *v = json_object_get(o, field);

    if (!json_is_integer(v))
        fail_msg("stats: no %s.%s", account ? account : "total", field);
    return (long)json_integer_value(v);
}

static struct sm_smpp_client *esme_cfg(struct sim *s, struct sm_smpp_client_config *cfg,
                                       uint32_t *status)
{
    struct sm_smpp_client *c = NULL;
    uint32_t st = 0;
    int rc;

    cfg->port = (uint16_t)s->port;
    if (!cfg->response_timeout_ms)
        cfg->response_timeout_ms = 3000;
    if (!cfg->enquire_link_ms)
        cfg->enquire_link_ms = -1;
    rc = sm_smpp_open(cfg, &c, &st);
    if (status)
        *status = st;
    if (rc && !status)
        fail_msg("bind as %s: %d (%s)", cfg->system_id, rc, sm_smpp_status_name(st));
    return rc ? NULL : c;
}

static struct sm_smpp_client *esme(struct sim *s, const char *id, const char *pw, const char *range)
{
    struct sm_smpp_client_config cfg = {
        .system_id = id, .password = pw, .address_range = range, .system_type = "OTA"};

    return esme_cfg(s, &cfg, NULL);
}

static void sm_init(struct sm_smpp_sm *sm, const char *src, const char *dst, const uint8_t *ud,
                    size_t len)
{
    memset(sm, 0, sizeof(*sm));
    sm->source_addr_ton = sm->dest_addr_ton = 1;
    sm->source_addr_npi = sm->dest_addr_npi = 1;
    snprintf(sm->source_addr, sizeof(sm->source_addr), "%s", src);
    snprintf(sm->destination_addr, sizeof(sm->destination_addr), "%s", dst);
    sm->ud = ud;
    sm->ud_len = len;
}

static void submit_ok(struct sm_smpp_client *c, const struct sm_smpp_sm *sm, char *msgid)
{
    char id[SM_SMPP_MSGID_SIZE];
    uint32_t st = 0;
    int rc = sm_smpp_submit(c, sm, msgid ? msgid : id, &st);

    if (rc)
        fail_msg("submit_sm to %s: %d (%s)", sm->destination_addr, rc, sm_smpp_status_name(st));
}

static void submit_text(struct sm_smpp_client *c, const char *src, const char *dst,
                        const char *text)
{
    struct sm_smpp_sm sm;

    sm_init(&sm, src, dst, (const uint8_t *)text, strlen(text));
    submit_ok(c, &sm, NULL);
}

/* The next deliver_sm for c, or fail. */
static void expect_deliver(struct sm_smpp_client *c, struct sm_smpp_pdu *out, int timeout_ms)
{
    int rc = sm_smpp_receive(c, out, timeout_ms);

    if (rc)
        fail_msg("no deliver_sm within %d ms: %d", timeout_ms, rc);
    assert_int_equal(out->command_id, SM_SMPP_DELIVER_SM);
}

static void expect_text(struct sm_smpp_client *c, const char *dst, const char *text)
{
    struct sm_smpp_pdu d;

    expect_deliver(c, &d, 5000);
    assert_string_equal(d.sm.destination_addr, dst);
    assert_int_equal(d.sm.ud_len, strlen(text));
    assert_memory_equal(d.sm.ud, text, strlen(text));
    sm_smpp_pdu_free(&d);
}

static void expect_nothing(struct sm_smpp_client *c, int ms)
{
    struct sm_smpp_pdu d;
    int rc = sm_smpp_receive(c, &d, ms);

    if (!rc)
        fail_msg("unexpected deliver_sm to %s", d.sm.destination_addr);
    assert_int_equal(rc, -ETIMEDOUT);
}

static void unbind_free(struct sm_smpp_client *c)
{
    if (c && sm_smpp_is_bound(c))
        assert_int_equal(sm_smpp_unbind(c), 0);
    sm_smpp_client_free(c);
}

/* ---- raw TCP for what the client would never send ---- */

static int raw_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void raw_write(int fd, const void *p, size_t n)
{
    assert_int_equal(write(fd, p, n), (ssize_t)n);
}

static void raw_send(int fd, const struct sm_smpp_pdu *p)
{
    struct sm_buf b = SM_BUF_INIT;

    assert_int_equal(sm_smpp_encode(p, &b), 0);
    raw_write(fd, b.data, b.len);
    sm_buf_free(&b);
}

/* One PDU from fd: 0, -ECONNRESET (closed), -ETIMEDOUT. */
static int raw_recv(int fd, struct sm_smpp_pdu *out, int timeout_ms)
{
    uint8_t buf[20000];
    size_t have = 0, len = 16;
    int64_t deadline = now_ms() + timeout_ms;

    memset(out, 0, sizeof(*out));
    while (have < len) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t left = deadline - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
            return -ETIMEDOUT;
        n = read(fd, buf + have, len - have);
        if (n <= 0)
            return -ECONNRESET;
        have += (size_t)n;
        if (have == 16)
            assert_int_equal(sm_smpp_frame_len(buf, have, sizeof(buf), &len), 0);
    }
    assert_int_equal(sm_smpp_decode(buf, len, out, NULL, NULL), 0);
    return 0;
}

/* True when the server closes fd within timeout_ms (whatever it sends first is skipped). */
static bool raw_closed(int fd, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t left = deadline - now_ms();
        char tmp[512];

        if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
            return false;
        if (read(fd, tmp, sizeof(tmp)) <= 0)
            return true;
    }
}

static uint32_t raw_bind(int fd, uint32_t cmd, const char *id, const char *pw, uint32_t seq)
{
    struct sm_smpp_pdu p = {.command_id = cmd, .sequence_number = seq}, r;
    uint32_t st;

    snprintf(p.bind.system_id, sizeof(p.bind.system_id), "%s", id);
    snprintf(p.bind.password, sizeof(p.bind.password), "%s", pw);
    p.bind.interface_version = 0x34;
    raw_send(fd, &p);
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, cmd | SM_SMPP_RESP);
    assert_int_equal(r.sequence_number, seq);
    st = r.command_status;
    if (!st) {
        assert_string_equal(r.bind.system_id, "smsc-sim");
        assert_true(r.bind.has_sc_interface_version);
        assert_int_equal(r.bind.sc_interface_version, 0x34);
    }
    sm_smpp_pdu_free(&r);
    return st;
}

/* ---- tests ---- */

static void bind_refusals(void **state)
{
    struct sm_smpp_client_config cfg = {.system_id = "nobody", .password = "x"};
    struct sm_smpp_client *c, *c2;
    struct sm_smpp_pdu p = {0}, r;
    struct sim s;
    uint32_t st;
    int fd;

    sim_start(&s, "bind", NULL);
    assert_null(esme_cfg(&s, &cfg, &st));
    assert_int_equal(st, SM_SMPP_RINVSYSID);
    cfg = (struct sm_smpp_client_config){.system_id = "euicc", .password = "wrong"};
    assert_null(esme_cfg(&s, &cfg, &st));
    assert_int_equal(st, SM_SMPP_RINVPASWD);
    /* a bound account (max_binds 1) cannot bind a second session */
    c = esme(&s, "euicc", "euiccpw", NULL);
    cfg = (struct sm_smpp_client_config){.system_id = "euicc", .password = "euiccpw"};
    assert_null(esme_cfg(&s, &cfg, &st));
    assert_int_equal(st, SM_SMPP_RALYBND);
    /* smsr may have two; a third is refused */
    cfg = (struct sm_smpp_client_config){
        .system_id = "smsr", .password = "smsrpw", .mode = SM_SMPP_TRANSMITTER};
    c2 = esme_cfg(&s, &cfg, NULL);
    fd = raw_connect(s.port);
    assert_int_equal(raw_bind(fd, SM_SMPP_BIND_RECEIVER, "smsr", "smsrpw", 1), 0);
    cfg.mode = SM_SMPP_RECEIVER;
    assert_null(esme_cfg(&s, &cfg, &st));
    assert_int_equal(st, SM_SMPP_RALYBND);
    /* the same connection binding again (4.1, ESME_RALYBND) */
    assert_int_equal(raw_bind(fd, SM_SMPP_BIND_TRANSCEIVER, "smsr", "smsrpw", 2), SM_SMPP_RALYBND);
    /* a receiver may not submit (ESME_RINVBNDSTS) */
    p.command_id = SM_SMPP_SUBMIT_SM;
    p.sequence_number = 3;
    sm_init(&p.sm, SMSR, CARD, (const uint8_t *)"x", 1);
    raw_send(fd, &p);
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_SUBMIT_SM_RESP);
    assert_int_equal(r.command_status, SM_SMPP_RINVBNDSTS);
    sm_smpp_pdu_free(&r);
    /* submit before any bind */
    {
        int fd2 = raw_connect(s.port);

        raw_send(fd2, &p);
        assert_int_equal(raw_recv(fd2, &r, 3000), 0);
        assert_int_equal(r.command_status, SM_SMPP_RINVBNDSTS);
        sm_smpp_pdu_free(&r);
        close(fd2);
    }
    /* unbind frees the account's session at once */
    unbind_free(c);
    c = esme(&s, "euicc", "euiccpw", NULL);
    assert_non_null(c);
    unbind_free(c);
    unbind_free(c2);
    close(fd);
    sim_stop(&s);
}

static void routing_by_prefix(void **state)
{
    struct sm_smpp_client *smsr, *euicc, *euicc2, *any;
    struct sim s;

    sim_start(&s, "route", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);
    euicc2 = esme(&s, "euicc2", "pw2", NULL);
    any = esme(&s, "any", "pw3", NULL);
    /* the longest matching prefix wins; "*" takes what nobody else does */
    submit_text(smsr, SMSR, "+447901111111", "to euicc2");
    submit_text(smsr, SMSR, CARD, "to euicc, +4479");
    submit_text(smsr, SMSR, "447912345678", "to euicc, 4479");
    submit_text(smsr, SMSR, "+33600000000", "to any");
    expect_text(euicc2, "+447901111111", "to euicc2");
    expect_text(euicc, CARD, "to euicc, +4479");
    expect_text(euicc, "447912345678", "to euicc, 4479");
    expect_text(any, "+33600000000", "to any");
    /* euicc2 gone: its addresses fall back to the next best route */
    unbind_free(euicc2);
    submit_text(smsr, SMSR, "+447901111112", "to euicc now");
    expect_text(euicc, "+447901111112", "to euicc now");
    expect_nothing(any, 200);
    expect_nothing(smsr, 10);
    unbind_free(smsr);
    unbind_free(euicc);
    unbind_free(any);
    sim_stop(&s);
}

static void routing_by_address_range(void **state)
{
    struct sm_smpp_client *smsr, *rx, *plain, *euicc2, *any;
    struct sim s;
    uint32_t st;

    sim_start(&s, "range", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    any = esme(&s, "any", "pw3", NULL);
    euicc2 = esme(&s, "euicc2", "pw2", NULL);
    /* 5.2.7: a POSIX regular expression; and a plain prefix equal to euicc2's route */
    rx = esme(&s, "ranged", "pw4", "^3361[0-9]+$");
    plain = esme(&s, "ranged", "pw4", "+44790");
    submit_text(smsr, SMSR, "33612345", "regex");
    submit_text(smsr, SMSR, "336123x", "regex does not match: any");
    submit_text(smsr, SMSR, "+447905555555", "range beats a route of the same length");
    expect_text(rx, "33612345", "regex");
    expect_text(any, "336123x", "regex does not match: any");
    expect_text(plain, "+447905555555", "range beats a route of the same length");
    expect_nothing(euicc2, 200);
    unbind_free(plain);
    submit_text(smsr, SMSR, "+447905555556", "back to euicc2");
    expect_text(euicc2, "+447905555556", "back to euicc2");
    /* an address_range that does not compile is refused */
    {
        struct sm_smpp_client_config cfg = {
            .system_id = "ranged", .password = "pw4", .address_range = "^33(["};

        assert_null(esme_cfg(&s, &cfg, &st));
        assert_int_equal(st, SM_SMPP_RBINDFAIL);
    }
    unbind_free(rx);
    unbind_free(any);
    unbind_free(euicc2);
    unbind_free(smsr);
    sim_stop(&s);
}

/* ES5 over SMS-PP (es5-secure-channels.md 2.7): UDHI + PID 7F + DCS F6, 140 octets, to the
 * card and its answer back, unchanged; and a long message_payload. */
static void smspp_byte_for_byte(void **state)
{
    struct sm_smpp_client *smsr, *euicc;
    struct sm_smpp_pdu d;
    struct sm_smpp_sm sm;
    uint8_t cmd[140], por[140], *big = malloc(3000);
    struct sim s;

    assert_non_null(big);
    cmd[0] = 0x02; /* UDHL */
    cmd[1] = 0x70; /* IEI command packet */
    cmd[2] = 0x00;
    for (size_t i = 3; i < sizeof(cmd); i++)
        cmd[i] = (uint8_t)(i * 31 + 7); /* includes 0x00 and 0xff octets */
    por[0] = 0x02;
    por[1] = 0x71; /* IEI response packet */
    por[2] = 0x00;
    for (size_t i = 3; i < sizeof(por); i++)
        por[i] = (uint8_t)(255 - i);
    for (size_t i = 0; i < 3000; i++)
        big[i] = (uint8_t)(i ^ (i >> 8));
    sim_start(&s, "smspp", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);

    sm_init(&sm, SMSR, CARD, cmd, sizeof(cmd));
    sm.esm_class = SM_SMPP_ESM_UDHI;
    sm.protocol_id = 0x7f;
    sm.data_coding = 0xf6;
    submit_ok(smsr, &sm, NULL);
    expect_deliver(euicc, &d, 5000);
    assert_string_equal(d.sm.source_addr, SMSR);
    assert_int_equal(d.sm.source_addr_ton, 1);
    assert_string_equal(d.sm.destination_addr, CARD);
    assert_int_equal(d.sm.esm_class, SM_SMPP_ESM_UDHI);
    assert_int_equal(d.sm.protocol_id, 0x7f);
    assert_int_equal(d.sm.data_coding, 0xf6);
    assert_false(d.sm.payload);
    assert_int_equal(d.sm.ud_len, sizeof(cmd));
    assert_memory_equal(d.sm.ud, cmd, sizeof(cmd));
    sm_smpp_pdu_free(&d);

    /* the card's MO answer (PoR) goes back to the SM-SR */
    sm_init(&sm, CARD, SMSR, por, sizeof(por));
    sm.esm_class = SM_SMPP_ESM_UDHI;
    sm.protocol_id = 0x7f;
    sm.data_coding = 0xf6;
    submit_ok(euicc, &sm, NULL);
    expect_deliver(smsr, &d, 5000);
    assert_string_equal(d.sm.source_addr, CARD);
    assert_string_equal(d.sm.destination_addr, SMSR);
    assert_int_equal(d.sm.esm_class, SM_SMPP_ESM_UDHI);
    assert_int_equal(d.sm.protocol_id, 0x7f);
    assert_int_equal(d.sm.data_coding, 0xf6);
    assert_int_equal(d.sm.ud_len, sizeof(por));
    assert_memory_equal(d.sm.ud, por, sizeof(por));
    sm_smpp_pdu_free(&d);

    /* message_payload (5.3.2.32) stays message_payload, every octet */
    sm_init(&sm, SMSR, CARD, big, 3000);
    sm.data_coding = 0xf6;
    submit_ok(smsr, &sm, NULL);
    expect_deliver(euicc, &d, 5000);
    assert_true(d.sm.payload);
    assert_int_equal(d.sm.ud_len, 3000);
    assert_memory_equal(d.sm.ud, big, 3000);
    sm_smpp_pdu_free(&d);
    unbind_free(smsr);
    unbind_free(euicc);
    sim_stop(&s);
    free(big);
}

static void store_and_forward(void **state)
{
    struct sm_smpp_client *smsr, *late;
    char id[SM_SMPP_MSGID_SIZE], id2[SM_SMPP_MSGID_SIZE];
    struct sm_smpp_pdu d;
    struct sm_smpp_sm sm;
    struct sim s;
    json_t *j;

    sim_start(&s, "store", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    /* nobody serves 4915 yet: accepted and kept */
    sm_init(&sm, SMSR, "4915100000001", (const uint8_t *)"first", 5);
    submit_ok(smsr, &sm, id);
    sm_init(&sm, SMSR, "4915100000002", (const uint8_t *)"second", 6);
    submit_ok(smsr, &sm, id2);
    assert_string_not_equal(id, id2);
    j = sim_stats(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "held")), 2);
    assert_int_equal(stat_of(j, "smsr", "submitted"), 2);
    assert_int_equal(stat_of(j, NULL, "delivered"), 0);
    json_decref(j);
    sleep_ms(300);
    late = esme(&s, "late", "pw5", NULL);
    expect_text(late, "4915100000001", "first");
    expect_text(late, "4915100000002", "second");
    expect_nothing(late, 100);
    /* stored across the receiver's absence once more */
    unbind_free(late);
    submit_text(smsr, SMSR, "4915100000003", "third");
    late = esme(&s, "late", "pw5", NULL);
    expect_deliver(late, &d, 5000);
    assert_memory_equal(d.sm.ud, "third", 5);
    sm_smpp_pdu_free(&d);
    j = sim_stats(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "held")), 0);
    assert_int_equal(stat_of(j, "smsr", "delivered"), 3);
    assert_int_equal(stat_of(j, "late", "received"), 3);
    json_decref(j);
    unbind_free(late);
    unbind_free(smsr);
    sim_stop(&s);
}

static uint32_t refuse_permanently(void *arg, const struct sm_smpp_pdu *pdu)
{
    (*(int *)arg)++;
    return SM_SMPP_RX_P_APPN;
}

static void expect_receipt(struct sm_smpp_client *smsr, const char *id, uint8_t state,
                           const char *stat)
{
    struct sm_smpp_receipt r;
    struct sm_smpp_pdu d;

    expect_deliver(smsr, &d, 8000);
    assert_int_equal(d.sm.esm_class, SM_SMPP_ESM_RECEIPT);
    assert_string_equal(d.sm.receipted_message_id, id);
    assert_true(d.sm.has_message_state);
    assert_int_equal(d.sm.message_state, state);
    assert_int_equal(sm_smpp_receipt_parse(&d.sm, &r), 0);
    assert_string_equal(r.id, id);
    assert_int_equal(r.state, state);
    assert_int_equal(r.sub, 1);
    assert_int_equal(r.dlvrd, state == SM_SMPP_DELIVERED);
    assert_true(r.submit_date > 0 && r.done_date >= r.submit_date);
    {
        char want[80];

        snprintf(want, sizeof(want), "stat:%s", stat);
        assert_non_null(memmem(d.sm.ud, d.sm.ud_len, want, strlen(want)));
        snprintf(want, sizeof(want), "id:%s sub:001", id);
        assert_int_equal(memcmp(d.sm.ud, want, strlen(want)), 0);
    }
    /* the receipt comes from the message's destination back to its source */
    assert_string_equal(d.sm.destination_addr, SMSR);
    sm_smpp_pdu_free(&d);
}

static void delivery_receipts(void **state)
{
    struct sm_smpp_client_config cfg = {.system_id = "euicc", .password = "euiccpw"};
    struct sm_smpp_client *smsr, *euicc;
    char id[SM_SMPP_MSGID_SIZE];
    struct sm_smpp_pdu d;
    struct sm_smpp_sm sm;
    struct sim s;
    int refused = 0;
    json_t *j;

    sim_start(&s, "receipt", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);
    /* delivered: DELIVRD */
    sm_init(&sm, SMSR, CARD, (const uint8_t *)"hello card", 10);
    sm.registered_delivery = SM_SMPP_RD_ALWAYS;
    submit_ok(smsr, &sm, id);
    expect_deliver(euicc, &d, 5000);
    assert_int_equal(d.sm.registered_delivery, 0);
    sm_smpp_pdu_free(&d);
    expect_receipt(smsr, id, SM_SMPP_DELIVERED, "DELIVRD");
    /* receipt on failure only: none for a success */
    sm.registered_delivery = SM_SMPP_RD_FAILURE;
    submit_ok(smsr, &sm, id);
    expect_deliver(euicc, &d, 5000);
    sm_smpp_pdu_free(&d);
    expect_nothing(smsr, 300);
    unbind_free(euicc);

    /* the receiver refuses for good (ESME_RX_P_APPN): UNDELIV */
    cfg.on_deliver = refuse_permanently;
    cfg.arg = &refused;
    euicc = esme_cfg(&s, &cfg, NULL);
    submit_ok(smsr, &sm, id);
    for (int64_t end = now_ms() + 5000; !refused && now_ms() < end;)
        assert_true(sm_smpp_poll(euicc, 100) >= 0);
    assert_int_equal(refused, 1);
    expect_receipt(smsr, id, SM_SMPP_UNDELIVERABLE, "UNDELIV");
    unbind_free(euicc);

    /* nobody serves it before the validity period (relative, 7.1.1) ends: EXPIRED */
    sm_init(&sm, SMSR, "4915000", (const uint8_t *)"too late", 8);
    sm.registered_delivery = SM_SMPP_RD_ALWAYS;
    snprintf(sm.validity_period, sizeof(sm.validity_period), "000000000001000R");
    submit_ok(smsr, &sm, id);
    expect_receipt(smsr, id, SM_SMPP_EXPIRED, "EXPIRED");
    /* a validity period in the past, or malformed, is refused */
    snprintf(sm.validity_period, sizeof(sm.validity_period), "000101000000000+");
    {
        uint32_t st;

        assert_int_equal(sm_smpp_submit(smsr, &sm, id, &st), -EPROTO);
        assert_int_equal(st, SM_SMPP_RINVEXPIRY);
        snprintf(sm.validity_period, sizeof(sm.validity_period), "garbage");
        assert_int_equal(sm_smpp_submit(smsr, &sm, id, &st), -EPROTO);
        assert_int_equal(st, SM_SMPP_RINVEXPIRY);
    }
    j = sim_stats(&s);
    assert_int_equal(stat_of(j, "smsr", "submitted"), 4);
    assert_int_equal(stat_of(j, "smsr", "delivered"), 2);
    assert_int_equal(stat_of(j, "smsr", "undeliverable"), 1);
    assert_int_equal(stat_of(j, "smsr", "expired"), 1);
    assert_int_equal(stat_of(j, "smsr", "receipts"), 3);
    assert_int_equal(stat_of(j, "smsr", "rejected"), 2);
    assert_int_equal(stat_of(j, "euicc", "received"), 2);
    json_decref(j);
    unbind_free(smsr);
    sim_stop(&s);
}

static uint32_t busy_twice(void *arg, const struct sm_smpp_pdu *pdu)
{
    int *calls = arg;

    return ++*calls <= 2 ? SM_SMPP_RX_T_APPN : SM_SMPP_ROK;
}

static void retries(void **state)
{
    struct sm_smpp_client_config cfg = {.system_id = "euicc", .password = "euiccpw"};
    struct sm_smpp_client *smsr, *euicc;
    struct sm_smpp_pdu d, first, again, resp = {.command_id = SM_SMPP_DELIVER_SM_RESP};
    struct sim s;
    int calls = 0, fd;
    json_t *j;

    sim_start(&s, "retry", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    /* temporary errors (ESME_RX_T_APPN): retried with back-off until accepted */
    cfg.on_deliver = busy_twice;
    cfg.arg = &calls;
    euicc = esme_cfg(&s, &cfg, NULL);
    submit_text(smsr, SMSR, CARD, "retry me");
    for (int64_t end = now_ms() + 8000; calls < 3 && now_ms() < end;)
        assert_true(sm_smpp_poll(euicc, 100) >= 0);
    assert_int_equal(calls, 3);
    unbind_free(euicc);

    /* no deliver_sm_resp at all: delivered again after response_timeout */
    fd = raw_connect(s.port);
    assert_int_equal(raw_bind(fd, SM_SMPP_BIND_TRANSCEIVER, "late", "pw5", 1), 0);
    submit_text(smsr, SMSR, "4915777", "answer me");
    assert_int_equal(raw_recv(fd, &first, 5000), 0);
    assert_int_equal(first.command_id, SM_SMPP_DELIVER_SM);
    assert_int_equal(raw_recv(fd, &again, 8000), 0);
    assert_int_equal(again.command_id, SM_SMPP_DELIVER_SM);
    assert_int_not_equal(again.sequence_number, first.sequence_number);
    assert_int_equal(again.sm.ud_len, first.sm.ud_len);
    assert_memory_equal(again.sm.ud, first.sm.ud, first.sm.ud_len);
    resp.sequence_number = again.sequence_number;
    raw_send(fd, &resp);
    /* the late answer to the first attempt changes nothing */
    resp.sequence_number = first.sequence_number;
    raw_send(fd, &resp);
    sm_smpp_pdu_free(&first);
    sm_smpp_pdu_free(&again);
    assert_int_equal(raw_recv(fd, &d, 800), -ETIMEDOUT);
    j = sim_stats(&s);
    assert_int_equal(stat_of(j, "smsr", "delivered"), 2);
    assert_true(stat_of(j, "smsr", "retried") >= 3);
    assert_int_equal(json_integer_value(json_object_get(j, "held")), 0);
    json_decref(j);
    close(fd);
    unbind_free(smsr);
    sim_stop(&s);
}

static void latency(void **state)
{
    struct sm_smpp_client *smsr, *euicc;
    struct sm_smpp_pdu d;
    struct sim s;
    int64_t t0, dt;

    sim_start(&s, "latency", "[network]\nlatency = 400\njitter = 100\nseed = 7\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);
    for (int i = 0; i < 3; i++) {
        t0 = now_ms();
        submit_text(smsr, SMSR, CARD, "slow");
        expect_deliver(euicc, &d, 10000);
        dt = now_ms() - t0;
        sm_smpp_pdu_free(&d);
        /* at least the configured latency; the upper bound only says "it came" */
        print_message("latency: delivered after %lld ms\n", (long long)dt);
        assert_true(dt >= 380);
        assert_true(dt < 10000);
    }
    unbind_free(smsr);
    unbind_free(euicc);
    sim_stop(&s);
}

/* Which of n numbered messages arrive with the loss rate and seed of extra. */
static void lossy_run(const char *name, const char *extra, int n, bool *got, long *lost)
{
    struct sm_smpp_client *smsr, *euicc;
    struct sm_smpp_pdu d;
    struct sim s;
    json_t *j;

    sim_start(&s, name, extra);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);
    for (int i = 0; i < n; i++) {
        char text[16];

        snprintf(text, sizeof(text), "%d", i);
        submit_text(smsr, SMSR, CARD, text);
    }
    memset(got, 0, (size_t)n);
    while (sm_smpp_receive(euicc, &d, 1000) == 0) {
        char text[16] = {0};
        int i;

        memcpy(text, d.sm.ud, d.sm.ud_len < 15 ? d.sm.ud_len : 15);
        i = atoi(text);
        assert_true(i >= 0 && i < n);
        assert_false(got[i]);
        got[i] = true;
        sm_smpp_pdu_free(&d);
    }
    j = sim_stats(&s);
    *lost = stat_of(j, NULL, "lost");
    assert_int_equal(stat_of(j, NULL, "submitted"), n);
    assert_int_equal(stat_of(j, NULL, "delivered") + *lost, n);
    json_decref(j);
    unbind_free(smsr);
    unbind_free(euicc);
    sim_stop(&s);
}

static void loss_with_seed(void **state)
{
    enum { N = 200 };
    bool a[N], b[N], c[N];
    long lost_a, lost_b, lost_c;
    int arrived = 0;

    lossy_run("loss1", "[network]\nloss = 0.3\nseed = 42\n", N, a, &lost_a);
    lossy_run("loss2", "[network]\nloss = 0.3\nseed = 42\n", N, b, &lost_b);
    lossy_run("loss3", "[network]\nloss = 0.3\nseed = 43\n", N, c, &lost_c);
    for (int i = 0; i < N; i++)
        arrived += a[i];
    print_message("loss 0.3: %ld, %ld, %ld of %d lost\n", lost_a, lost_b, lost_c, N);
    /* 0.3 of 200 is 60; a generous band around it */
    assert_true(lost_a >= 30 && lost_a <= 90);
    assert_int_equal(arrived, N - lost_a);
    /* the same seed loses the same messages */
    assert_int_equal(lost_a, lost_b);
    assert_memory_equal(a, b, sizeof(a));
    /* another seed, another pattern */
    assert_memory_not_equal(a, c, sizeof(a));
}

static void throttling(void **state)
{
    struct sm_smpp_client *smsr;
    struct sm_smpp_sm sm;
    int accepted = 0, throttled = 0;
    int64_t t0, dt;
    struct sim s;
    json_t *j;

    /* reject: the token bucket holds 5, refills 5 per second */
    sim_start(&s, "throttle", "[network]\nthroughput = 5\nburst = 5\nthrottle = reject\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    sm_init(&sm, SMSR, "4915", (const uint8_t *)"x", 1);
    for (int i = 0; i < 20; i++) {
        char id[SM_SMPP_MSGID_SIZE];
        uint32_t st = 0;
        int rc = sm_smpp_submit(smsr, &sm, id, &st);

        if (!rc)
            accepted++;
        else if (rc == -EPROTO && st == SM_SMPP_RTHROTTLED)
            throttled++;
        else
            fail_msg("submit: %d %s", rc, sm_smpp_status_name(st));
    }
    print_message("throttle reject: %d accepted, %d throttled\n", accepted, throttled);
    assert_true(accepted >= 5);
    assert_true(throttled >= 5);
    assert_int_equal(accepted + throttled, 20);
    j = sim_stats(&s);
    assert_int_equal(stat_of(j, "smsr", "throttled"), throttled);
    assert_int_equal(stat_of(j, "smsr", "submitted"), accepted);
    json_decref(j);
    unbind_free(smsr);
    sim_stop(&s);

    /* delay: every submit_sm is accepted, answered as tokens come (10 per second, burst 1) */
    sim_start(&s, "delay", "[network]\nthroughput = 10\nburst = 1\nthrottle = delay\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    t0 = now_ms();
    for (int i = 0; i < 6; i++)
        submit_ok(smsr, &sm, NULL);
    dt = now_ms() - t0;
    print_message("throttle delay: 6 accepted in %lld ms\n", (long long)dt);
    assert_true(dt >= 400); /* five waits of 100 ms, with a margin */
    j = sim_stats(&s);
    assert_int_equal(stat_of(j, "smsr", "submitted"), 6);
    assert_true(stat_of(j, "smsr", "throttled") >= 4);
    json_decref(j);
    unbind_free(smsr);
    sim_stop(&s);
}

static void enquire_link(void **state)
{
    struct sm_smpp_client *smsr;
    struct sm_smpp_pdu p = {.command_id = SM_SMPP_ENQUIRE_LINK, .sequence_number = 5}, r;
    struct sim s;
    int fd;

    sim_start(&s, "enquire", "[smpp]\nenquire_link = 200\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    assert_int_equal(sm_smpp_enquire_link(smsr), 0);
    /* the SMSC asks every 200 ms of silence; the client answers on its own */
    for (int64_t end = now_ms() + 1200; now_ms() < end;)
        assert_true(sm_smpp_poll(smsr, 100) >= 0);
    assert_true(sm_smpp_is_bound(smsr));
    submit_text(smsr, SMSR, SMSR, "still there"); /* to itself: a transceiver */
    expect_text(smsr, SMSR, "still there");
    unbind_free(smsr); /* it would not answer the SMSC's enquire_link while we are busy below */
    /* a session that does not answer enquire_link is closed after response_timeout */
    fd = raw_connect(s.port);
    assert_int_equal(raw_bind(fd, SM_SMPP_BIND_TRANSCEIVER, "any", "pw3", 1), 0);
    raw_send(fd, &p); /* enquire_link also works before any answer from us */
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_ENQUIRE_LINK_RESP);
    assert_int_equal(r.sequence_number, 5);
    sm_smpp_pdu_free(&r);
    assert_true(raw_closed(fd, 5000));
    close(fd);
    /* enquire_link before bind is answered too */
    fd = raw_connect(s.port);
    raw_send(fd, &p);
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_ENQUIRE_LINK_RESP);
    sm_smpp_pdu_free(&r);
    close(fd);
    sim_stop(&s);
}

static void malformed_pdus(void **state)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t huge[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t tiny[] = {0, 0, 0, 4, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t unknown[] = {0, 0, 0, 20, 0, 0,  0, 0x99, 0, 0,
                                      0, 0, 0, 0,  0, 61, 1, 2,    3, 4};
    static const uint8_t broken[] = {0, 0, 0, 24, 0,   0,   0,   4,   0,   0,   0,   0,
                                     0, 0, 0, 62, 'u', 'n', 't', 'e', 'r', 'm', 'i', 'n'};
    static const uint8_t partial[] = {0, 0, 0, 40, 0, 0, 0, 4, 0, 0};
    struct sm_smpp_pdu r, p = {.command_id = SM_SMPP_ENQUIRE_LINK, .sequence_number = 63};
    struct sm_smpp_client *smsr, *euicc;
    uint8_t *big = calloc(1, 2100);
    struct sm_smpp_sm sm;
    struct sim s;
    json_t *j;
    int fd;

    assert_non_null(big);
    sim_start(&s, "malformed", "[smpp]\nmax_pdu = 2k\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    euicc = esme(&s, "euicc", "euiccpw", NULL);
    /* garbage: its first four octets make an absurd command_length: closed */
    fd = raw_connect(s.port);
    raw_write(fd, http, strlen(http));
    assert_true(raw_closed(fd, 5000));
    close(fd);
    /* command_length far above max_pdu, and below the header */
    fd = raw_connect(s.port);
    raw_write(fd, huge, sizeof(huge));
    assert_true(raw_closed(fd, 5000));
    close(fd);
    fd = raw_connect(s.port);
    raw_write(fd, tiny, sizeof(tiny));
    assert_true(raw_closed(fd, 5000));
    close(fd);
    /* unknown command and an undecodable body: generic_nack, the session goes on */
    fd = raw_connect(s.port);
    raw_write(fd, unknown, sizeof(unknown));
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_GENERIC_NACK);
    assert_int_equal(r.command_status, SM_SMPP_RINVCMDID);
    assert_int_equal(r.sequence_number, 61);
    sm_smpp_pdu_free(&r);
    assert_int_equal(raw_bind(fd, SM_SMPP_BIND_TRANSMITTER, "any", "pw3", 2), 0);
    raw_write(fd, broken, sizeof(broken));
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_GENERIC_NACK);
    assert_int_not_equal(r.command_status, 0);
    assert_int_equal(r.sequence_number, 62);
    sm_smpp_pdu_free(&r);
    raw_send(fd, &p);
    assert_int_equal(raw_recv(fd, &r, 3000), 0);
    assert_int_equal(r.command_id, SM_SMPP_ENQUIRE_LINK_RESP);
    sm_smpp_pdu_free(&r);
    /* a truncated frame, then the peer goes away */
    raw_write(fd, partial, sizeof(partial));
    close(fd);
    /* a well-formed PDU just above max_pdu closes the session that sent it */
    sm_init(&sm, SMSR, CARD, big, 2100);
    assert_int_not_equal(sm_smpp_submit(smsr, &sm, NULL, NULL), 0);
    assert_false(sm_smpp_is_bound(smsr));
    sm_smpp_client_free(smsr);
    /* ... and one just below it passes */
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    sm_init(&sm, SMSR, CARD, big, 1900);
    submit_ok(smsr, &sm, NULL);
    {
        struct sm_smpp_pdu d;

        expect_deliver(euicc, &d, 5000);
        assert_int_equal(d.sm.ud_len, 1900);
        sm_smpp_pdu_free(&d);
    }
    /* through all of it, the other sessions kept working */
    submit_text(smsr, SMSR, CARD, "still serving");
    expect_text(euicc, CARD, "still serving");
    assert_true(itest_alive(&s.proc));
    j = sim_stats(&s);
    assert_true(json_integer_value(json_object_get(j, "closed_bad_framing")) >= 4);
    assert_true(json_integer_value(json_object_get(j, "generic_nack_sent")) >= 2);
    json_decref(j);
    unbind_free(smsr);
    unbind_free(euicc);
    sim_stop(&s);
    free(big);
}

static void limits_and_unroutable(void **state)
{
    struct sm_smpp_client *smsr;
    struct sm_smpp_sm sm;
    struct sim s;
    uint32_t st;

    /* without the catch-all account "any", whose route "*" matches every address */
    sim_start_with(&s, "limits", "[smpp]\nreject_unroutable = yes\n[store]\nqueue_limit = 2\n",
                   "[account.smsr]\npassword = smsrpw\nroutes = 1234\n"
                   "[account.late]\npassword = pw5\nroutes = 4915\n");
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    /* no route, no address_range: refused instead of stored */
    sm_init(&sm, SMSR, "999", (const uint8_t *)"x", 1);
    assert_int_equal(sm_smpp_submit(smsr, &sm, NULL, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVDSTADR);
    sm_init(&sm, SMSR, "", (const uint8_t *)"x", 1);
    assert_int_equal(sm_smpp_submit(smsr, &sm, NULL, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVDSTADR);
    /* the store holds two */
    sm_init(&sm, SMSR, "4915", (const uint8_t *)"x", 1);
    submit_ok(smsr, &sm, NULL);
    submit_ok(smsr, &sm, NULL);
    assert_int_equal(sm_smpp_submit(smsr, &sm, NULL, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RMSGQFUL);
    /* an ESME does not send receipts (esm_class message type) */
    sm.esm_class = SM_SMPP_ESM_RECEIPT;
    assert_int_equal(sm_smpp_submit(smsr, &sm, NULL, &st), -EPROTO);
    assert_int_equal(st, SM_SMPP_RINVESMCLASS);
    unbind_free(smsr);
    sim_stop(&s);
}

static void shutdown_unbinds(void **state)
{
    struct sm_smpp_client *smsr;
    struct sim s;
    char log[700], out[65536];
    char *argv[] = {"/bin/cat", log, NULL};
    int rc = 0;

    sim_start(&s, "stop", NULL);
    smsr = esme(&s, "smsr", "smsrpw", NULL);
    submit_text(smsr, SMSR, "4915", "left in the store");
    kill(s.proc.pid, SIGTERM);
    /* the SMSC's unbind reaches the client, which answers it */
    for (int64_t end = now_ms() + 5000; !rc && now_ms() < end;)
        rc = sm_smpp_poll(smsr, 100);
    assert_int_equal(rc, -ESHUTDOWN);
    sm_smpp_client_free(smsr);
    sim_stop(&s);
    /* the counters are printed at exit */
    snprintf(log, sizeof(log), "%s", path_in("stop", ".log"));
    assert_int_equal(itest_run(argv, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "submitted"));
    assert_non_null(strstr(out, "1 message held"));
    assert_non_null(strstr(out, "stopped"));
}

/* Run smsc-sim with args (NULL-terminated) into out; returns the exit code. */
static int run_sim(char *out, size_t outlen, ...)
{
    char bin[700];
    char *argv[16] = {bin};
    size_t n = 1;
    va_list ap;

    snprintf(bin, sizeof(bin), "%s/smsc-sim", SM_BIN_DIR);
    va_start(ap, outlen);
    for (char *a; n < 15 && (a = va_arg(ap, char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return itest_run(argv, out, outlen);
}

static void config_checks(void **state)
{
    static char out[32768];
    char *conf = path_in("bad", ".conf");

    assert_int_equal(run_sim(out, sizeof(out), "--version", NULL), 0);
    assert_non_null(strstr(out, "smsc-sim "));
    assert_int_equal(run_sim(out, sizeof(out), "--help", NULL), 0);
    assert_non_null(strstr(out, "--check-config"));
    assert_int_equal(run_sim(out, sizeof(out), "--bogus", NULL), 2);
    /* command-line accounts alone */
    assert_int_equal(
        run_sim(out, sizeof(out), "-a", "smsr:pw:1234,+4479", "-a", "x:y", "--check-config", NULL),
        0);
    assert_int_equal(run_sim(out, sizeof(out), "-a", "smsr", "--check-config", NULL), 2);
    assert_int_equal(run_sim(out, sizeof(out), "-a", "a:1", "-a", "a:2", "--check-config", NULL),
                     2);
    assert_int_equal(run_sim(out, sizeof(out), "-a", "a:123456789", "--check-config", NULL), 2);
    assert_non_null(strstr(out, "longer than 8"));
    /* loopback only, unless allowed */
    assert_int_equal(itest_write_file(conf, "[smpp]\nlisten = 192.0.2.1:2775\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_non_null(strstr(out, "bad.conf:2:"));
    assert_non_null(strstr(out, "loopback"));
    assert_int_equal(run_sim(out, sizeof(out), "--listen", "0.0.0.0:0", "--check-config", NULL), 2);
    assert_int_equal(itest_write_file(conf, "[smpp]\nlisten = 0.0.0.0:0\nallow_remote = yes\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 0);
    /* every error names its line */
    assert_int_equal(itest_write_file(conf, "[network]\nlatency = 5\nlos = 0.1\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_non_null(strstr(out, "bad.conf:3: unknown key 'network.los'"));
    assert_int_equal(itest_write_file(conf, "[network]\nloss = 1.5\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_non_null(strstr(out, "bad.conf:2:"));
    assert_int_equal(itest_write_file(conf, "[account.abc]\nroutes = 1\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_non_null(strstr(out, "account.abc.password"));
    assert_int_equal(itest_write_file(conf, "[account.abc]\npassword = x\nroutes = 1, , 2\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_non_null(strstr(out, "bad.conf:3:"));
    assert_int_equal(itest_write_file(conf, "[account.a b]\npassword = x\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    assert_int_equal(itest_write_file(conf, "[store]\nretry_initial = 500\nretry_max = 100\n"), 0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "--check-config", NULL), 2);
    /* --print-config shows defaults, file and command line together */
    assert_int_equal(itest_write_file(conf, "[network]\nloss = 0.25\n[account.e1]\npassword = p\n"),
                     0);
    assert_int_equal(run_sim(out, sizeof(out), "-c", conf, "-a", "cli:pw:*", "--seed", "9",
                             "--print-config", NULL),
                     0);
    assert_non_null(strstr(out, "loss = 0.25"));
    assert_non_null(strstr(out, "seed = 9"));
    assert_non_null(strstr(out, "[account.e1]"));
    assert_non_null(strstr(out, "[account.cli]"));
    assert_non_null(strstr(out, "routes = *"));
}

/* Every key of --help-config is in docs/configuration.md (as tests/check_config_docs.sh does
 * for the daemons). */
static void config_keys_documented(void **state)
{
    static char out[32768], doc[131072];
    char section[64] = "", *line, *save = NULL;
    FILE *f = fopen(SM_SOURCE_DIR "/docs/configuration.md", "r");
    size_t n;
    int keys = 0;

    assert_non_null(f);
    n = fread(doc, 1, sizeof(doc) - 1, f);
    doc[n] = 0;
    fclose(f);
    assert_int_equal(run_sim(out, sizeof(out), "--help-config", NULL), 0);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char key[160], name[64];
        size_t l = strlen(line);

        if (line[0] == '[' && line[l - 1] == ']') {
            snprintf(section, sizeof(section), "%.*s.", (int)(l - 2), line + 1);
            continue;
        }
        if (!strncmp(line, "# ", 2) && !strstr(line, " = "))
            continue; /* a help line */
        if (sscanf(line + (!strncmp(line, "# ", 2) ? 2 : 0), "%63[a-z_] =", name) != 1)
            continue;
        snprintf(key, sizeof(key), "`%s%s`", section, name);
        if (!strstr(doc, key))
            fail_msg("%s is not in docs/configuration.md", key);
        keys++;
    }
    assert_true(keys >= 30);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(bind_refusals),
    cmocka_unit_test(routing_by_prefix),
    cmocka_unit_test(routing_by_address_range),
    cmocka_unit_test(smspp_byte_for_byte),
    cmocka_unit_test(store_and_forward),
    cmocka_unit_test(delivery_receipts),
    cmocka_unit_test(retries),
    cmocka_unit_test(latency),
    cmocka_unit_test(loss_with_seed),
    cmocka_unit_test(throttling),
    cmocka_unit_test(enquire_link),
    cmocka_unit_test(malformed_pdus),
    cmocka_unit_test(limits_and_unroutable),
    cmocka_unit_test(shutdown_unbinds),
    cmocka_unit_test(config_checks),
    cmocka_unit_test(config_keys_documented),
};

static int setup(void **state)
{
    signal(SIGPIPE, SIG_IGN); /* hostile-input tests write to connections the server closed */
    sm_log_set_levels("error");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[700];

    for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
        struct itest_proc p = {.pid = live[i]};

        if (live[i] > 0)
            itest_stop(&p, 2000);
    }
    if (getenv("SM_KEEP_TEST_DIR"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

SM_TEST_MAIN(tests, setup, teardown)
