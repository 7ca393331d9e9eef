/* SPDX-License-Identifier: Apache-2.0 */
/* What the benchmarks of real processes share (bench_util.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "itest.h"

double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu_s(pid_t pid)
{
    char p[64], buf[1024], *q;
    unsigned long ut = 0, st = 0;
    FILE *f;

    snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
    f = fopen(p, "r");
    if (!f)
        return 0;
    q = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
    fclose(f);
    /* after "(comm)": state, then fields 4-13, then utime (14) and stime (15) */
    if (!q || sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long bench_vmhwm_kb(pid_t pid)
{
    char p[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
    f = fopen(p, "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double bench_pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return v[(size_t)(p * (double)(n - 1))];
}

int bench_start_smsc(const char *dir, struct itest_proc *p)
{
    int port;

    if (itest_write_file(itest_path(dir, "smsc.conf", NULL),
                         "[log]\nlevel = warn\n[smpp]\nlisten = 127.0.0.1:0\nport_file = "
                         "smsc.port\n[account.smsr]\npassword = srpw\nroutes = 4479000001\n"
                         "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n") ||
        itest_spawn_conf(dir, p, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    port = itest_wait_port_file(itest_path(dir, "smsc.port", NULL), 10000);
    return port > 0 ? port : -1;
}

/* The EIDs of the n cards of dir/sim.conf. */
static int list_cards(const char *dir, unsigned n, char (*eids)[33])
{
    static char big[1 << 21];
    char cmd[700], *argv[] = {"/bin/sh", "-c", cmd, NULL}, *save = NULL, *line;
    unsigned i = 0;

    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf list | cut -c1-32", dir,
             SM_BIN_DIR);
    if (itest_run(argv, big, sizeof(big)))
        return -1;
    for (line = strtok_r(big, "\n", &save); line && i < n; line = strtok_r(NULL, "\n", &save))
        snprintf(eids[i++], sizeof(eids[0]), "%.32s", line);
    return i == n ? 0 : -1;
}

int bench_make_cards(const char *dir, int smsc_port, const char *factory, const char *card,
                     unsigned n, char (*eids)[33])
{
    char text[2048], cmd[700];

    snprintf(text, sizeof(text),
             "db = sim.db\nkek_file = sim.kek\ncontrol_socket = sim.sock\n[log]\nlevel = warn\n"
             "[factory]\nci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
             "%s[smpp]\nsmsc = 127.0.0.1:%d\nsystem_id = euicc-sim\npassword = simpw\n[smsr]\n"
             "msisdn = +4479000001\n[card]\nattach_notification = no\n%s",
             factory ? factory : "", smsc_port, card ? card : "");
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf create %u >/dev/null", dir,
             SM_BIN_DIR, n);
    if (itest_write_file(itest_path(dir, "sim.conf", NULL), text) || bench_run(cmd) ||
        list_cards(dir, n, eids))
        return -1;
    return itest_transport_keys(dir, "2.999.20.1", "transport-keys") ? -1 : 0;
}

int bench_run(const char *cmd)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL}, out[4096];
    int rc = itest_run(argv, out, sizeof(out));

    if (rc)
        fprintf(stderr, "%s: exit %d: %s\n", cmd, rc, out);
    return rc;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct bench_client *c = arg;
    size_t len = size * n;

    if (c->len + len >= sizeof(c->buf))
        return 0;
    memcpy(c->buf + c->len, p, len);
    c->len += len;
    c->buf[c->len] = 0;
    return len;
}

void bench_client_init(struct bench_client *c, const char *dir, const char *who)
{
    char cert[700], key[700], ca[700];

    memset(c, 0, sizeof(*c));
    c->curl = curl_easy_init();
    snprintf(cert, sizeof(cert), "%s/pki/%s.crt", dir, who);
    snprintf(key, sizeof(key), "%s/pki/%s.key", dir, who);
    snprintf(ca, sizeof(ca), "%s/pki/ca.crt", dir);
    curl_easy_setopt(c->curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c->curl, CURLOPT_SSLCERT, cert);
    curl_easy_setopt(c->curl, CURLOPT_SSLKEY, key);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
    c->hdr = curl_slist_append(NULL, "Content-Type: application/json");
}

void bench_client_free(struct bench_client *c)
{
    curl_slist_free_all(c->hdr);
    curl_easy_cleanup(c->curl);
}

long bench_request(struct bench_client *c, int port, const char *path, const char *body)
{
    char url[256];
    long code = 0;

    snprintf(url, sizeof(url), "https://localhost:%d%s", port, path);
    c->len = 0;
    c->buf[0] = 0;
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdr);
    } else {
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    }
    if (curl_easy_perform(c->curl) == CURLE_OK)
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

double bench_metric(const char *dir, int port, const char *name)
{
    struct bench_client c;
    double v = -1;
    const char *p;

    bench_client_init(&c, dir, "admin");
    if (bench_request(&c, port, "/metrics", NULL) == 200)
        for (p = c.buf; (p = strstr(p, name)); p += strlen(name))
            if ((p == c.buf || p[-1] == '\n') && p[strlen(name)] == ' ') {
                v = atof(p + strlen(name) + 1);
                break;
            }
    bench_client_free(&c);
    return v;
}

/* ---- results at a callback receiver ---- */

static _Atomic unsigned char *board; /* by call number: 0 pending, 1 success, 2 other */
static _Atomic int *board_waiter;    /* by call number: the client thread waiting for it */
static _Atomic unsigned board_seq;
/* one wake-up per client thread: a result wakes its own thread, not all of them */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
} waiters[BENCH_BOARD_WAITERS];

int bench_board_init(void)
{
    board = calloc(BENCH_BOARD_CALLS, 1);
    board_waiter = calloc(BENCH_BOARD_CALLS, sizeof(*board_waiter));
    for (int i = 0; i < BENCH_BOARD_WAITERS; i++) {
        pthread_mutex_init(&waiters[i].mu, NULL);
        pthread_cond_init(&waiters[i].cv, NULL);
    }
    return board && board_waiter ? 0 : -1;
}

unsigned bench_board_call(int me)
{
    unsigned n = atomic_fetch_add(&board_seq, 1) % BENCH_BOARD_CALLS;

    atomic_store(&board[n], 0);
    atomic_store(&board_waiter[n], me);
    return n;
}

void bench_board_post(const char *body)
{
    const char *id = strstr(body, "\"functionCallIdentifier\":\"b-");
    unsigned long n = id ? strtoul(id + 28, NULL, 10) : BENCH_BOARD_CALLS;
    int w;

    if (n >= BENCH_BOARD_CALLS)
        return;
    w = atomic_load(&board_waiter[n]) % BENCH_BOARD_WAITERS;
    pthread_mutex_lock(&waiters[w].mu);
    atomic_store(&board[n], strstr(body, "Executed-Success") ? 1 : 2);
    pthread_cond_signal(&waiters[w].cv);
    pthread_mutex_unlock(&waiters[w].mu);
}

int bench_board_wait(unsigned n, int me, double timeout_s)
{
    double t0 = bench_now();
    int v;

    pthread_mutex_lock(&waiters[me].mu);
    while (!(v = atomic_load(&board[n])) && bench_now() - t0 < timeout_s) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&waiters[me].cv, &waiters[me].mu, &ts);
    }
    pthread_mutex_unlock(&waiters[me].mu);
    return v;
}
