/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/smsr: the SM-SR under load, real processes on loopback (smsr, smsc-sim,
 * euicc-sim), as docs/benchmarks.md describes.
 *
 *   es1         RegisterEIS per second for every card (EUM JWS and certificate chain, ECASD
 *               certificate, key unwrapping and rewrapping, one transaction each), p50/p99;
 *               baseline: GET /health through the same API edge (mTLS, entity lookup) in the
 *               same run
 *   cycles      EnableProfile + DisableProfile cycles on the cards' operational profiles, as
 *               256 cards at a time (one client thread each): platform operations per
 *               second from the call to its result at the MNO's callback URL, p50/p99 of one
 *               operation;
 *               over HTTPS (SCP81), then over SMS (SCP80) as the baseline
 *   memory      the smsr process's peak RSS (VmHWM) after each phase
 *
 * Usage: bench_smsr [cards, default 1000] [seconds per cycle phase, default 10]. Never fails on
 * speed; exits non-zero only when the set-up or an operation fails.
 */
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "sm/devpki.h"
#include "sm/json.h"

#define THREADS 8
#define MNO1    "2.999.10.1"

static char dir[] = "/tmp/sm-bench-smsr-XXXXXX";
static struct itest_proc smsr, smsc, sim;
static int port, smsc_port;
static char (*eids)[33], (*opers)[21];
static unsigned ncards;
static atomic_uint call_seq;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *cmd)
{
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL}, out[4096];
    int rc = itest_run(argv, out, sizeof(out));

    if (rc)
        fprintf(stderr, "%s: exit %d: %s\n", cmd, rc, out);
    return rc;
}

static char *path_in(const char *a)
{
    return itest_path(dir, a, NULL);
}

static long vmhwm_kb(pid_t pid)
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

/* CPU seconds (user + system) the process has used. */
static double cpu_s(pid_t pid)
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

static int spawn(struct itest_proc *p, const char *name, const char *bin, const char *conf,
                 const char *extra)
{
    char b[700], log[700];
    char *argv[] = {b, "-c", path_in(conf), (char *)extra, NULL};

    snprintf(b, sizeof(b), "%s/%s", SM_BIN_DIR, bin);
    snprintf(log, sizeof(log), "%s/%s.log", dir, name);
    return itest_spawn(p, name, argv, log);
}

/* SM_BENCH_SYNC: the SM-SR's db.synchronous: group (its default: commits flushed together
 * before anything reports them), full (a flush per commit) or normal (no flush: not durable
 * against power loss, for comparison). */
static const char *sync_mode(void)
{
    const char *v = getenv("SM_BENCH_SYNC");

    return v && (!strcmp(v, "normal") || !strcmp(v, "full")) ? v : "group";
}

static int write_smsr_conf(const char *bearer)
{
    char text[2048];

    snprintf(
        text, sizeof(text),
        "test_mode = yes\nid = 2.999.2.1\n[log]\nlevel = warn\n[api]\nlisten = "
        "127.0.0.1:0\nport_file = smsr.port\nthreads = 8\n[tls]\ncert = pki/smsr.crt\nkey = "
        "pki/smsr.key\nclient_ca = pki/ca.crt\n[db]\npath = smsr.db\npool = 8\nsynchronous = %s\n"
        "[es1]\n"
        "ci_certs = pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nsmsc = "
        "127.0.0.1:%d\nsystem_id = smsr\npassword = srpw\naddress = +4479000001\n"
        "bearer = %s\nadmin_listen = 127.0.0.1:0\n[client]\nca = pki/ca.crt\n",
        sync_mode(), smsc_port, bearer);
    return itest_write_file(path_in("smsr.conf"), text);
}

static int start_smsr(const char *bearer)
{
    if (write_smsr_conf(bearer))
        return -1;
    unlink(path_in("smsr.port"));
    if (spawn(&smsr, "smsr", "smsr", "smsr.conf", NULL))
        return -1;
    port = itest_wait_port_file(path_in("smsr.port"), 15000);
    return port > 0 ? 0 : -1;
}

static int setup(void)
{
    char cmd[2048], text[2048], hex[40] = "", out[65536];
    FILE *f;

    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki"), false, NULL))
        return -1;
    if (itest_write_file(path_in("smsc.conf"),
                         "[log]\nlevel = warn\n[smpp]\nlisten = 127.0.0.1:0\nport_file = "
                         "smsc.port\n[account.smsr]\npassword = srpw\nroutes = 4479000001\n"
                         "[account.euicc-sim]\npassword = simpw\nroutes = 4479100\n") ||
        spawn(&smsc, "smsc-sim", "smsc-sim", "smsc.conf", NULL))
        return -1;
    smsc_port = itest_wait_port_file(path_in("smsc.port"), 10000);
    if (smsc_port <= 0)
        return -1;
    snprintf(text, sizeof(text),
             "db = sim.db\nkek_file = sim.kek\ncontrol_socket = sim.sock\n[log]\nlevel = warn\n"
             "[factory]\nci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
             "operational_template = usim-minimal\n[smpp]\nsmsc = 127.0.0.1:%d\nsystem_id = "
             "euicc-sim\npassword = simpw\n[smsr]\nmsisdn = +4479000001\n[card]\n"
             "attach_notification = no\nnotification_tick = 20\n",
             smsc_port);
    if (itest_write_file(path_in("sim.conf"), text))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf create %u >/dev/null", dir,
             SM_BIN_DIR, ncards);
    if (run(cmd))
        return -1;
    eids = calloc(ncards, sizeof(*eids));
    opers = calloc(ncards, sizeof(*opers));
    snprintf(cmd, sizeof(cmd), "cd %s && %s/euicc-sim -c sim.conf list | cut -c1-32", dir,
             SM_BIN_DIR);
    {
        char *argv[] = {"/bin/sh", "-c", cmd, NULL}, *save = NULL, *line;
        unsigned i = 0;
        static char big[1 << 20];

        if (!eids || !opers || itest_run(argv, big, sizeof(big)))
            return -1;
        for (line = strtok_r(big, "\n", &save); line && i < ncards;
             line = strtok_r(NULL, "\n", &save))
            snprintf(eids[i++], sizeof(eids[0]), "%.32s", line);
        if (i != ncards)
            return -1;
    }
    (void)out;
    f = fopen(path_in("eum-smsr-transport.key"), "r");
    if (!f || !fgets(hex, sizeof(hex), f))
        return -1;
    fclose(f);
    snprintf(text, sizeof(text), "2.999.20.1 aes-ecb %.32s\n", hex);
    if (itest_write_file(path_in("transport-keys"), text) || chmod(path_in("transport-keys"), 0600))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json", dir,
             SM_BIN_DIR);
    if (write_smsr_conf("https") || run(cmd))
        return -1;
    return start_smsr("https");
}

static void teardown(void)
{
    char cmd[700];

    if (smsr.pid)
        itest_stop(&smsr, 5000);
    if (sim.pid)
        itest_stop(&sim, 5000);
    if (smsc.pid)
        itest_stop(&smsc, 5000);
    if (getenv("SM_KEEP_TEST_DIR"))
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd))
        fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- an HTTPS client per thread, connections kept ---- */

struct client {
    CURL *curl;
    struct curl_slist *hdr;
    char buf[1 << 16];
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct client *c = arg;
    size_t len = size * n;

    if (c->len + len >= sizeof(c->buf))
        return 0;
    memcpy(c->buf + c->len, p, len);
    c->len += len;
    c->buf[c->len] = 0;
    return len;
}

static void client_init(struct client *c, const char *who)
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

static void client_free(struct client *c)
{
    curl_slist_free_all(c->hdr);
    curl_easy_cleanup(c->curl);
}

/* One request; the HTTP status (0 on a transport failure), the body in c->buf. */
static long request(struct client *c, const char *path, const char *body)
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

/* A counter from smsr's /metrics (read as admin); -1 when absent. */
static double metric(const char *name)
{
    struct client c;
    double v = -1;
    const char *p;

    client_init(&c, "admin");
    if (request(&c, "/metrics", NULL) == 200)
        for (p = c.buf; (p = strstr(p, name)); p += strlen(name))
            if ((p == c.buf || p[-1] == '\n') && p[strlen(name)] == ' ') {
                v = atof(p + strlen(name) + 1);
                break;
            }
    client_free(&c);
    return v;
}

/* CPU seconds of every process of the run, and smsr's WAL flushes, at one moment. */
struct costs {
    double smsr, sim, smsc, self, flushes, writes;
};

static struct costs costs_now(void)
{
    return (struct costs){
        cpu_s(smsr.pid), sim.pid > 0 ? cpu_s(sim.pid) : 0,   smsc.pid > 0 ? cpu_s(smsc.pid) : 0,
        cpu_s(getpid()), metric("sm_smsr_db_flushes_total"), metric("sm_smsr_db_writes_total")};
}

/* What each process spent per operation since c0, and the rate the machine's cores would allow
 * at that cost (all processes share them). */
static void print_costs(const struct costs *c0, unsigned ops)
{
    struct costs c = costs_now();
    double total =
        (c.smsr - c0->smsr) + (c.sim - c0->sim) + (c.smsc - c0->smsc) + (c.self - c0->self);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (!ops)
        return;
    printf("        CPU per operation: smsr %.2f ms, euicc-sim %.2f, smsc-sim %.2f, load "
           "generator %.2f; %.2f ms in all, at most %.0f/s on %ld cores\n",
           1e3 * (c.smsr - c0->smsr) / ops, 1e3 * (c.sim - c0->sim) / ops,
           1e3 * (c.smsc - c0->smsc) / ops, 1e3 * (c.self - c0->self) / ops, 1e3 * total / ops,
           total > 0 ? (double)cores * ops / total : 0, cores);
    printf("        smsr per operation: %.2f database writes, %.2f WAL flushes\n",
           (c.writes - c0->writes) / ops, (c.flushes - c0->flushes) / ops);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return v[(size_t)(p * (double)(n - 1))];
}

/* ---- phase: ES1 registrations ---- */

struct reg_job {
    unsigned first, step;
    double *lat;
    unsigned done, failed;
};

/* The requests, made before the clock starts: the load generator's JSON work is not the SM-SR's
 * (it ran in the timed loop before and took half a core). */
static char **reg_bodies;

static int reg_bodies_make(void)
{
    reg_bodies = calloc(ncards, sizeof(*reg_bodies));
    for (unsigned i = 0; reg_bodies && i < ncards; i++) {
        char p[128];
        json_t *e, *req;

        snprintf(p, sizeof(p), "eis/%s.json", eids[i]);
        e = json_load_file(path_in(p), 0, NULL);
        req = e ? json_pack("{s:{s:s, s:s}, s:o}", "header", "functionRequesterIdentifier",
                            "2.999.20.1", "functionCallIdentifier", eids[i], "eis", e)
                : NULL;
        reg_bodies[i] = req ? sm_json_dump(req) : NULL;
        json_decref(req);
        if (!reg_bodies[i])
            return -1;
    }
    return reg_bodies ? 0 : -1;
}

static void reg_bodies_free(void)
{
    for (unsigned i = 0; reg_bodies && i < ncards; i++)
        free(reg_bodies[i]);
    free(reg_bodies);
    reg_bodies = NULL;
}

static void *reg_thread(void *arg)
{
    struct reg_job *j = arg;
    struct client c;

    client_init(&c, "eum1");
    for (unsigned i = j->first; i < ncards; i += j->step) {
        double t0 = now();
        long code = request(&c, "/gsma/es1/registerEIS", reg_bodies[i]);

        j->lat[j->done + j->failed] = now() - t0;
        if (code == 200 && strstr(c.buf, "Executed-Success")) {
            j->done++;
        } else {
            j->failed++;
            if (j->failed < 3)
                fprintf(stderr, "registerEIS %s: HTTP %ld %.300s\n", eids[i], code, c.buf);
        }
    }
    client_free(&c);
    return NULL;
}

struct health_job {
    double until;
    unsigned long n;
};

static void *health_thread(void *arg)
{
    struct health_job *j = arg;
    struct client c;

    client_init(&c, "eum1");
    while (now() < j->until)
        if (request(&c, "/health", NULL) == 200)
            j->n++;
    client_free(&c);
    return NULL;
}

static int phase_es1(void)
{
    pthread_t th[THREADS];
    struct reg_job jobs[THREADS];
    struct health_job hj[THREADS];
    double *all = calloc(ncards, sizeof(double)), t0, secs, base_secs = 2;
    struct costs c0;
    unsigned done = 0, failed = 0, n = 0;
    unsigned long health = 0;

    if (!all || reg_bodies_make()) {
        free(all);
        reg_bodies_free();
        return -1;
    }
    for (int i = 0; i < THREADS; i++) {
        hj[i] = (struct health_job){.until = now() + base_secs};
        pthread_create(&th[i], NULL, health_thread, &hj[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        health += hj[i].n;
    }
    c0 = costs_now();
    t0 = now();
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct reg_job){.first = (unsigned)i,
                                   .step = THREADS,
                                   .lat = calloc(ncards / THREADS + 2, sizeof(double))};
        pthread_create(&th[i], NULL, reg_thread, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        done += jobs[i].done;
        failed += jobs[i].failed;
        memcpy(all + n, jobs[i].lat, (jobs[i].done + jobs[i].failed) * sizeof(double));
        n += jobs[i].done + jobs[i].failed;
        free(jobs[i].lat);
    }
    secs = now() - t0;
    printf("es1     %u registrations in %.2f s: %.0f/s, p50 %.1f ms, p99 %.1f ms (%u failed)\n",
           done, secs, done / secs, 1e3 * pct(all, n, 0.50), 1e3 * pct(all, n, 0.99), failed);
    printf("        baseline GET /health: %.0f/s; ratio %.3f\n", health / base_secs,
           (done / secs) / (health / base_secs));
    print_costs(&c0, done);
    printf("        smsr peak RSS %ld kB\n", vmhwm_kb(smsr.pid));
    free(all);
    reg_bodies_free();
    return failed ? -1 : 0;
}

/* ---- the MNO's callback receiver: operation results arrive, nobody polls ---- */

#define MAX_CALLS (1 << 20)
#define CONC      256                  /* client threads of the cycles */
static _Atomic unsigned char *results; /* by call number: 0 pending, 1 success, 2 other */
static _Atomic int *waiter_of;         /* by call number: the client thread waiting for it */
/* one wake-up per client thread: a result wakes its own thread, not all of them */
static struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
} waiters[CONC];
static struct MHD_Daemon *receiver;

/* A result at mno1's callback URL: which call, and how it ended. */
static unsigned on_post(void *arg, const char *path, const char *body)
{
    (void)arg;
    if (!strcmp(path, "/mno1/operations")) {
        const char *id = strstr(body, "\"functionCallIdentifier\":\"b-");
        unsigned long n = id ? strtoul(id + 28, NULL, 10) : MAX_CALLS;

        if (n < MAX_CALLS) {
            struct waiter *w = &waiters[atomic_load(&waiter_of[n]) % CONC];

            pthread_mutex_lock(&w->mu);
            atomic_store(&results[n], strstr(body, "Executed-Success") ? 1 : 2);
            pthread_cond_signal(&w->cv);
            pthread_mutex_unlock(&w->mu);
        }
    }
    return MHD_HTTP_OK;
}

/* The MNO's callback receiver, registered for mno1; returns its port. */
static int receiver_start(void)
{
    char cmd[1024];
    int p;

    results = calloc(MAX_CALLS, 1);
    waiter_of = calloc(MAX_CALLS, sizeof(*waiter_of));
    for (int i = 0; i < CONC; i++) {
        pthread_mutex_init(&waiters[i].mu, NULL);
        pthread_cond_init(&waiters[i].cv, NULL);
    }
    p = results && waiter_of ? itest_receiver_start(dir, on_post, NULL, &receiver) : -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c smsr.conf entity callback mno1 https://localhost:%d/mno1", dir,
             SM_BIN_DIR, p);
    return p > 0 && !run(cmd) ? p : -1;
}

/* ---- phase: enable/disable cycles ---- */

struct cyc_job {
    unsigned first, step;
    double until;
    double *lat;
    size_t nlat, cap;
    unsigned ops, failed;
};

/* One asynchronous call and its result through the callback; the seconds it took, < 0 on
 * failure. */
static double operation(struct client *c, int me, const char *fn, const char *eid,
                        const char *iccid)
{
    char body[512], path[200], id[64];
    unsigned n = atomic_fetch_add(&call_seq, 1) % MAX_CALLS;
    struct waiter *w = &waiters[me];
    double t0 = now();
    int v = 0;

    snprintf(id, sizeof(id), "b-%u", n);
    snprintf(body, sizeof(body),
             "{\"header\":{\"functionRequesterIdentifier\":\"" MNO1 "\",\"functionCallIdentifier\""
             ":\"%s\"},\"eid\":\"%s\",\"iccid\":\"%s\"}",
             id, eid, iccid);
    snprintf(path, sizeof(path), "/gsma/es4/%s", fn);
    atomic_store(&results[n], 0);
    atomic_store(&waiter_of[n], me);
    if (request(c, path, body) != 202)
        return -1;
    pthread_mutex_lock(&w->mu);
    while (!(v = atomic_load(&results[n])) && now() - t0 < 60) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    if (v != 1)
        snprintf(c->buf, sizeof(c->buf), "%s: %s", id, v ? "not Executed-Success" : "no result");
    return v == 1 ? now() - t0 : -1;
}

static void *cyc_thread(void *arg)
{
    struct cyc_job *j = arg;
    struct client c;

    client_init(&c, "mno1");
    while (now() < j->until) {
        for (unsigned i = j->first; i < ncards && now() < j->until; i += j->step) {
            const char *fns[2] = {"enableProfile", "disableProfile"};

            for (int k = 0; k < 2; k++) {
                double d = operation(&c, (int)j->first, fns[k], eids[i], opers[i]);

                if (d < 0) {
                    if (j->failed++ < 3)
                        fprintf(stderr, "%s %s: %.300s\n", fns[k], eids[i], c.buf);
                    break;
                }
                if (j->nlat < j->cap)
                    j->lat[j->nlat++] = d;
                j->ops++;
            }
        }
    }
    client_free(&c);
    return NULL;
}

/* The engine's queues while a phase runs, sampled every 250 ms: where the operations wait. */
struct queue_probe {
    double until;
    double ops_sum, outbox_sum, ops_max, outbox_max;
    unsigned n;
};

static void *probe_thread(void *arg)
{
    struct queue_probe *q = arg;

    while (now() < q->until) {
        double ops = metric("sm_smsr_operations_pending"), out = metric("sm_smsr_outbox_pending");

        q->ops_sum += ops;
        q->outbox_sum += out;
        q->ops_max = ops > q->ops_max ? ops : q->ops_max;
        q->outbox_max = out > q->outbox_max ? out : q->outbox_max;
        q->n++;
        usleep(250 * 1000);
    }
    return NULL;
}

static int phase_cycles(const char *bearer, double secs, double *ops_per_s)
{
    pthread_t th[CONC];
    struct cyc_job jobs[CONC];
    struct costs c0 = costs_now();
    double t0 = now(), took, *all;
    unsigned ops = 0, failed = 0;
    size_t n = 0;
    int nthreads = ncards < CONC ? (int)ncards : CONC;
    struct queue_probe probe;
    pthread_t probe_th;

    for (int i = 0; i < nthreads; i++) {
        jobs[i] = (struct cyc_job){
            .first = (unsigned)i, .step = (unsigned)nthreads, .until = t0 + secs, .cap = 100000};
        jobs[i].lat = calloc(jobs[i].cap, sizeof(double));
        pthread_create(&th[i], NULL, cyc_thread, &jobs[i]);
    }
    probe = (struct queue_probe){.until = t0 + secs};
    pthread_create(&probe_th, NULL, probe_thread, &probe);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    took = now() - t0;
    pthread_join(probe_th, NULL);
    all = calloc(CONC * 100000, sizeof(double));
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + n, jobs[i].lat, jobs[i].nlat * sizeof(double));
        n += jobs[i].nlat;
        ops += jobs[i].ops;
        failed += jobs[i].failed;
        free(jobs[i].lat);
    }
    *ops_per_s = ops / took;
    printf("cycles  %-5s %u operations (enable, disable) in %.1f s by %d clients: %.1f/s, "
           "p50 %.1f ms, p99 %.1f ms (%u failed)\n",
           bearer, ops, took, nthreads, *ops_per_s, 1e3 * pct(all, n, 0.50),
           1e3 * pct(all, n, 0.99), failed);
    print_costs(&c0, ops);
    if (probe.n)
        printf("        waiting in smsr: operations %.0f (max %.0f), outbox %.0f (max %.0f)\n",
               probe.ops_sum / probe.n, probe.ops_max, probe.outbox_sum / probe.n,
               probe.outbox_max);
    printf("        smsr peak RSS %ld kB\n", vmhwm_kb(smsr.pid));
    free(all);
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    double secs = argc > 2 ? atof(argv[2]) : 10, https_ops = 0, sms_ops = 0;
    int rc;

    ncards = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    if (!ncards || secs <= 0) {
        fprintf(stderr, "usage: bench_smsr [cards] [seconds]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    printf("bench_smsr: %u cards, %.0f s per cycle phase, %d client threads, smsr db.synchronous "
           "%s\n",
           ncards, secs, THREADS, sync_mode());
    rc = setup();
    if (rc)
        fprintf(stderr, "set-up failed (%s)\n", dir);
    if (!rc)
        rc = phase_es1();
    for (unsigned i = 0; !rc && i < ncards; i++) {
        char p[128];
        json_t *e;

        snprintf(p, sizeof(p), "eis/%s.json", eids[i]);
        e = json_load_file(path_in(p), 0, NULL);
        snprintf(opers[i], sizeof(opers[i]), "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(e, "profileInfo"), 1), "iccid")));
        json_decref(e);
    }
    if (!rc && receiver_start() <= 0) {
        fprintf(stderr, "callback receiver failed\n");
        rc = -1;
    }
    if (!rc)
        rc = spawn(&sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
    sleep(1);
    if (!rc)
        rc = phase_cycles("https", secs, &https_ops);
    if (!rc) {
        itest_stop(&smsr, 5000);
        rc = start_smsr("sms");
    }
    if (!rc)
        rc = phase_cycles("sms", secs, &sms_ops);
    if (!rc)
        printf("        ratio https/sms %.2f\n", sms_ops > 0 ? https_ops / sms_ops : 0);
    teardown();
    if (receiver)
        MHD_stop_daemon(receiver);
    curl_global_cleanup();
    printf("bench_smsr: %s\n", rc ? "FAILED" : "done");
    return rc ? 1 : 0;
}
