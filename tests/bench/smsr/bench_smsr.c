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

#include "../common/bench_util.h"
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

static char *path_in(const char *a)
{
    return itest_path(dir, a, NULL);
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
    if (itest_spawn_conf(dir, &smsr, "smsr", "smsr", "smsr.conf", NULL))
        return -1;
    port = itest_wait_port_file(path_in("smsr.port"), 15000);
    return port > 0 ? 0 : -1;
}

static int setup(void)
{
    char cmd[2048];

    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki"), false, NULL))
        return -1;
    smsc_port = bench_start_smsc(dir, &smsc);
    if (smsc_port <= 0)
        return -1;
    eids = calloc(ncards, sizeof(*eids));
    opers = calloc(ncards, sizeof(*opers));
    if (!eids || !opers ||
        bench_make_cards(dir, smsc_port, "operational_template = usim-minimal\n",
                         "notification_tick = 20\n", ncards, eids))
        return -1;
    snprintf(cmd, sizeof(cmd), "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json", dir,
             SM_BIN_DIR);
    if (write_smsr_conf("https") || bench_run(cmd))
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

/* CPU seconds of every process of the run, and smsr's WAL flushes, at one moment. */
struct costs {
    double smsr, sim, smsc, self, flushes, writes;
};

static struct costs costs_now(void)
{
    return (struct costs){bench_cpu_s(smsr.pid),
                          sim.pid > 0 ? bench_cpu_s(sim.pid) : 0,
                          smsc.pid > 0 ? bench_cpu_s(smsc.pid) : 0,
                          bench_cpu_s(getpid()),
                          bench_metric(dir, port, "sm_smsr_db_flushes_total"),
                          bench_metric(dir, port, "sm_smsr_db_writes_total")};
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
    struct bench_client c;

    bench_client_init(&c, dir, "eum1");
    for (unsigned i = j->first; i < ncards; i += j->step) {
        double t0 = bench_now();
        long code = bench_request(&c, port, "/gsma/es1/registerEIS", reg_bodies[i]);

        j->lat[j->done + j->failed] = bench_now() - t0;
        if (code == 200 && strstr(c.buf, "Executed-Success")) {
            j->done++;
        } else {
            j->failed++;
            if (j->failed < 3)
                fprintf(stderr, "registerEIS %s: HTTP %ld %.300s\n", eids[i], code, c.buf);
        }
    }
    bench_client_free(&c);
    return NULL;
}

struct health_job {
    double until;
    unsigned long n;
};

static void *health_thread(void *arg)
{
    struct health_job *j = arg;
    struct bench_client c;

    bench_client_init(&c, dir, "eum1");
    while (bench_now() < j->until)
        if (bench_request(&c, port, "/health", NULL) == 200)
            j->n++;
    bench_client_free(&c);
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
        hj[i] = (struct health_job){.until = bench_now() + base_secs};
        pthread_create(&th[i], NULL, health_thread, &hj[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        health += hj[i].n;
    }
    c0 = costs_now();
    t0 = bench_now();
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
    secs = bench_now() - t0;
    printf("es1     %u registrations in %.2f s: %.0f/s, p50 %.1f ms, p99 %.1f ms (%u failed)\n",
           done, secs, done / secs, 1e3 * bench_pct(all, n, 0.50), 1e3 * bench_pct(all, n, 0.99),
           failed);
    printf("        baseline GET /health: %.0f/s; ratio %.3f\n", health / base_secs,
           (done / secs) / (health / base_secs));
    print_costs(&c0, done);
    printf("        smsr peak RSS %ld kB\n", bench_vmhwm_kb(smsr.pid));
    free(all);
    reg_bodies_free();
    return failed ? -1 : 0;
}

/* ---- the MNO's callback receiver: operation results arrive, nobody polls ---- */

#define CONC 256 /* client threads of the cycles */
static struct MHD_Daemon *receiver;

/* A result at mno1's callback URL. */
static unsigned on_post(void *arg, const char *path, const char *body)
{
    (void)arg;
    if (!strcmp(path, "/mno1/operations"))
        bench_board_post(body);
    return MHD_HTTP_OK;
}

/* The MNO's callback receiver, registered for mno1; returns its port. */
static int receiver_start(void)
{
    char cmd[1024];
    int p;

    p = bench_board_init() ? -1 : itest_receiver_start(dir, on_post, NULL, &receiver);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c smsr.conf entity callback mno1 https://localhost:%d/mno1", dir,
             SM_BIN_DIR, p);
    return p > 0 && !bench_run(cmd) ? p : -1;
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
static double operation(struct bench_client *c, int me, const char *fn, const char *eid,
                        const char *iccid)
{
    char body[512], path[200];
    unsigned n = bench_board_call(me);
    double t0 = bench_now();
    int v;

    snprintf(body, sizeof(body),
             "{\"header\":{\"functionRequesterIdentifier\":\"" MNO1 "\",\"functionCallIdentifier\""
             ":\"b-%u\"},\"eid\":\"%s\",\"iccid\":\"%s\"}",
             n, eid, iccid);
    snprintf(path, sizeof(path), "/gsma/es4/%s", fn);
    if (bench_request(c, port, path, body) != 202)
        return -1;
    v = bench_board_wait(n, me, 60);
    if (v != 1)
        snprintf(c->buf, sizeof(c->buf), "b-%u: %s", n, v ? "not Executed-Success" : "no result");
    return v == 1 ? bench_now() - t0 : -1;
}

static void *cyc_thread(void *arg)
{
    struct cyc_job *j = arg;
    struct bench_client c;

    bench_client_init(&c, dir, "mno1");
    while (bench_now() < j->until) {
        for (unsigned i = j->first; i < ncards && bench_now() < j->until; i += j->step) {
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
    bench_client_free(&c);
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

    while (bench_now() < q->until) {
        double ops = bench_metric(dir, port, "sm_smsr_operations_pending"),
               out = bench_metric(dir, port, "sm_smsr_outbox_pending");

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
    double t0 = bench_now(), took, *all;
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
    took = bench_now() - t0;
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
           bearer, ops, took, nthreads, *ops_per_s, 1e3 * bench_pct(all, n, 0.50),
           1e3 * bench_pct(all, n, 0.99), failed);
    print_costs(&c0, ops);
    if (probe.n)
        printf("        waiting in smsr: operations %.0f (max %.0f), outbox %.0f (max %.0f)\n",
               probe.ops_sum / probe.n, probe.ops_max, probe.outbox_sum / probe.n,
               probe.outbox_max);
    printf("        smsr peak RSS %ld kB\n", bench_vmhwm_kb(smsr.pid));
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
        rc = itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
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
