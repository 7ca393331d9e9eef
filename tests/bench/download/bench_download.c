/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/download: complete profile downloads, real processes on loopback (smdp, smsr,
 * smsc-sim, euicc-sim), as docs/benchmarks.md describes.
 *
 *   downloads   ES2.DownloadProfile for every card, from the MNO's call to the result at its
 *               callback URL (GetEIS and its checks, CreateISDP, the ES8 key establishment,
 *               SCP03t and the package, ProfileDownloadCompleted; progress notifications and
 *               the result delivered): downloads per second, p50/p99 of one download, CPU per
 *               download of each process, peak memory of each daemon
 *   crypto      the bare ES8 cryptography of one download measured in this process in the same
 *               run (the SM-DP's part: two ECDSA verifications of the card's EIS, the ephemeral
 *               key, ECDH, KDF and the signature of block 1, the receipt, SCP03t for the
 *               package; the card's part beside it), and the share of the SM-DP's CPU it makes
 *
 * Usage: bench_download [cards, default 1000] [concurrent orders, default 64]. Never fails on
 * speed; exits non-zero only when the set-up or a download fails.
 */
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/bench_util.h"
#include "es8_download.h"
#include "itest.h"
#include "sm/devpki.h"
#include "sm/ecka.h"
#include "sm/es8.h"
#include "sm/json.h"
#include "sm/rng.h"
#include "sm/scp03.h"
#include "sm/secret.h"
#include "sm/tlv.h"
#include "smpp/pp.h"

#define MNO1 "2.999.10.1"
#define SMSR "2.999.2.1"

static char dir[] = "/tmp/sm-bench-dl-XXXXXX";
static struct itest_proc smdp, smsr, smsc, sim;
static int smdp_port, smsr_port, smsc_port;
static char (*eids)[33];
static unsigned ncards, conc;
static atomic_uint next_card;
static struct MHD_Daemon *receiver;
static atomic_uint progress_seen;

static char *path_in(const char *a)
{
    return itest_path(dir, a, NULL);
}

static const char *bearer(void)
{
    const char *v = getenv("SM_BENCH_BEARER");

    return v && !strcmp(v, "sms") ? "sms" : "https";
}

static unsigned on_post(void *arg, const char *path, const char *body)
{
    (void)arg;
    if (!strcmp(path, "/mno1/operations"))
        bench_board_post(body);
    else if (strstr(path, "handleDownloadProgressNotification"))
        atomic_fetch_add(&progress_seen, 1);
    return MHD_HTTP_OK;
}

static int start(struct itest_proc *p, const char *name, int *port)
{
    char pf[64];

    snprintf(pf, sizeof(pf), "%s.port", name);
    unlink(path_in(pf));
    if (itest_spawn_conf(dir, p, name, name, name[3] == 'p' ? "smdp.conf" : "smsr.conf", NULL))
        return -1;
    *port = itest_wait_port_file(path_in(pf), 15000);
    return *port > 0 ? 0 : -1;
}

/* ES1 for every card, eight at a time. */
struct reg_job {
    unsigned first;
    int failed;
};

static void *reg_thread(void *arg)
{
    struct reg_job *j = arg;
    struct bench_client c;

    bench_client_init(&c, dir, "eum1");
    for (unsigned i = j->first; i < ncards && !j->failed; i += 8) {
        char p[256], *body;
        json_t *e, *req;

        /* a path of its own: itest_path's buffers are shared by the threads */
        snprintf(p, sizeof(p), "%s/eis/%s.json", dir, eids[i]);
        e = json_load_file(p, 0, NULL);
        req = e ? json_pack("{s:{s:s, s:s}, s:o}", "header", "functionRequesterIdentifier",
                            "2.999.20.1", "functionCallIdentifier", eids[i], "eis", e)
                : NULL;
        body = req ? sm_json_dump(req) : NULL;
        json_decref(req);
        if (!body || bench_request(&c, smsr_port, "/gsma/es1/registerEIS", body) != 200) {
            fprintf(stderr, "registerEIS %s: %.300s\n", eids[i], c.buf);
            j->failed = 1;
        } else if (!strstr(c.buf, "Executed-Success")) {
            fprintf(stderr, "registerEIS %s: %.300s\n", eids[i], c.buf);
            j->failed = 1;
        }
        free(body);
    }
    bench_client_free(&c);
    return NULL;
}

static int register_cards(void)
{
    pthread_t th[8];
    struct reg_job jobs[8];
    int failed = 0;

    for (unsigned i = 0; i < 8; i++) {
        jobs[i] = (struct reg_job){.first = i};
        pthread_create(&th[i], NULL, reg_thread, &jobs[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        failed |= jobs[i].failed;
    }
    return failed ? -1 : 0;
}

static int setup(void)
{
    char cmd[4096], text[2048];
    int rport;

    if (!mkdtemp(dir) || sm_devpki_init(path_in("pki"), false, NULL))
        return -1;
    smsc_port = bench_start_smsc(dir, &smsc);
    if (smsc_port <= 0)
        return -1;
    eids = calloc(ncards, sizeof(*eids));
    if (!eids || bench_make_cards(dir, smsc_port, NULL, NULL, ncards, eids))
        return -1;
    snprintf(text, sizeof(text),
             "test_mode = yes\nid = " SMSR "\n[log]\nlevel = warn\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = smsr.port\nthreads = 8\n[tls]\ncert = pki/smsr.crt\nkey = "
             "pki/smsr.key\nclient_ca = pki/ca.crt\n[db]\npath = smsr.db\npool = 8\n[es1]\n"
             "ci_certs = pki/ca.crt\ntransport_keys = transport-keys\n[es5]\nsmsc = "
             "127.0.0.1:%d\nsystem_id = smsr\npassword = srpw\naddress = +4479000001\nbearer = "
             "%s\nadmin_listen = 127.0.0.1:0\n[client]\nca = pki/ca.crt\n",
             smsc_port, bearer());
    if (itest_write_file(path_in("smsr.conf"), text))
        return -1;
    if (itest_write_file(
            path_in("smdp.conf"),
            "test_mode = yes\nid = 2.999.1.1\n[log]\nlevel = warn\n[api]\nlisten = 127.0.0.1:0\n"
            "port_file = smdp.port\nthreads = 8\n[tls]\ncert = pki/smdp.crt\nkey = pki/smdp.key\n"
            "client_ca = pki/ca.crt\n[db]\npath = smdp.db\npool = 8\n[client]\nca = "
            "pki/ca.crt\n[es8]\nci_certs = pki/ca.crt\ncertificate = pki/smdp.gpcert\nkey = "
            "pki/smdp.key\n[orders]\nworkers = 32\n"))
        return -1;
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smsr -c smsr.conf entity import pki/pki.json >/dev/null && %s/smdp -c "
             "smdp.conf entity import pki/pki.json >/dev/null && %s/smdp -c smdp.conf "
             "profile-type set " MNO1 " iot --template usim-minimal --memory 20000 >/dev/null && "
             "%s/smdp -c smdp.conf subscriptions generate " MNO1 " iot --iccid "
             "89999040000000000009 --imsi 001040000000001 --count %u --op "
             "000102030405060708090a0b0c0d0e0f --hss hss.csv >/dev/null",
             dir, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, SM_BIN_DIR, ncards);
    if (bench_run(cmd) || start(&smsr, "smsr", &smsr_port) || start(&smdp, "smdp", &smdp_port))
        return -1;
    rport = bench_board_init() ? -1 : itest_receiver_start(dir, on_post, NULL, &receiver);
    snprintf(cmd, sizeof(cmd),
             "cd %s && %s/smdp -c smdp.conf entity callback smsr https://localhost:%d/gsma && "
             "%s/smsr -c smsr.conf entity callback smdp https://localhost:%d/gsma && %s/smdp -c "
             "smdp.conf entity callback mno1 https://localhost:%d/mno1",
             dir, SM_BIN_DIR, smsr_port, SM_BIN_DIR, smdp_port, SM_BIN_DIR, rport);
    if (rport <= 0 || bench_run(cmd) || register_cards())
        return -1;
    return itest_spawn_conf(dir, &sim, "euicc-sim", "euicc-sim", "sim.conf", "run");
}

/* ---- the bare ES8 cryptography of one download ---- */

struct es8_bench {
    uint8_t dp_sk[32], dp_pk[65], card_sk[32], card_pk[65], eum_pk[65], eum_sig[64], cert_tbs[256];
    size_t cert_tbs_len;
    struct sm_buf pkg;
};

static int es8_bench_init(struct es8_bench *b)
{
    struct sm_secret *k = NULL;
    struct sm_pp_template *t = NULL;
    struct sm_pp_error pe;
    uint8_t eum_sk[32];
    size_t n = 65, siglen = 64;
    json_t *p;
    int rc;

    memset(b, 0, sizeof(*b));
    b->pkg.secure = true;
    rc = sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &k, b->dp_pk, &n);
    if (rc)
        return rc;
    memcpy(b->dp_sk, k->data, 32);
    sm_secret_free(k);
    n = 65;
    if ((rc = sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &k, b->card_pk, &n)))
        return rc;
    memcpy(b->card_sk, k->data, 32);
    sm_secret_free(k);
    n = 65;
    if ((rc = sm_ec_keygen(SM_CURVE_P256, &sm_rng_system, &k, b->eum_pk, &n)))
        return rc;
    memcpy(eum_sk, k->data, 32);
    sm_secret_free(k);
    /* what the EUM signs, as large as a GP certificate's signed part */
    b->cert_tbs_len = 180;
    memset(b->cert_tbs, 0x5A, b->cert_tbs_len);
    rc =
        sm_ecdsa_sign(SM_CURVE_P256, eum_sk, 32, b->cert_tbs, b->cert_tbs_len, b->eum_sig, &siglen);
    sm_wipe(eum_sk, sizeof(eum_sk));
    if (rc)
        return rc;
    /* the package every download carries: the shipped template, personalised */
    p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "iccid", "89999040000000000009", "imsi",
                  "001040000000001", "k", "000102030405060708090a0b0c0d0e0f", "opc",
                  "0f0e0d0c0b0a09080706050403020100", "adm1", "12345678");
    rc = p ? sm_pp_template_shipped("usim-minimal", &t, &pe) : -ENOMEM;
    if (!rc)
        rc = sm_pp_personalise(t, p, &b->pkg, &pe);
    sm_pp_template_free(t);
    json_decref(p);
    return rc;
}

static double clock_add(double *acc, double t0)
{
    double t = bench_now();

    *acc += t - t0;
    return t;
}

/* One download's ES8 with the card played in this process; the SM-DP's and the card's seconds
 * added to dp_s and card_s. */
static int es8_once(struct es8_bench *b, double *dp_s, double *card_s)
{
    static const uint8_t aid[16] = {0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x11, 0x00};
    uint8_t rc_[16], shs[32], info[8], receipt[16], seq[3] = {0, 0, 1}, cerr;
    struct sm_buf block1 = SM_BUF_INIT, t84 = SM_BUF_INIT, r = SM_BUF_INIT, t85 = SM_BUF_INIT,
                  seg = SM_BUF_INIT, plain = {.secure = true};
    struct smdp_es8 e;
    struct sm_scp03_session card;
    struct sm_es8_block1 b1;
    struct sm_es8_keys ck;
    struct sm_decode_err de;
    size_t infolen = sizeof(info), off = 0;
    double t = bench_now();
    int rc = 0;

    memset(&card, 0, sizeof(card));
    /* SM-DP: the EUM's signature over the EIS and CERT.ECASD.ECKA */
    for (int i = 0; i < 2 && !rc; i++)
        rc = sm_ecdsa_verify(SM_CURVE_P256, b->eum_pk, 65, b->cert_tbs, b->cert_tbs_len, b->eum_sig,
                             64);
    sm_rng_bytes(&sm_rng_system, rc_, 16);
    t = clock_add(dp_s, t);
    /* SM-DP: block 1 */
    if (!rc)
        rc = smdp_es8_key_block(&e, SM_CURVE_P256, SMDP_ES8_KVN, b->card_pk, 65, b->dp_sk, 32, rc_,
                                16, &sm_rng_system, &block1);
    t = clock_add(dp_s, t);
    /* card: the signature (PK.DP from block 0), ShS, the keys, the receipt */
    if (!rc)
        rc = sm_es8_block1_parse_verify(block1.data, block1.len, SM_CURVE_P256, b->dp_pk, 65, rc_,
                                        16, &b1, &de);
    if (!rc)
        rc = sm_ecdh(SM_CURVE_P256, b->card_sk, 32, b1.epk, b1.epk_len, shs, 32);
    if (!rc)
        rc = sm_es8_shared_info(&b1.crt, info, &infolen);
    if (!rc)
        rc = sm_es8_derive(shs, 32, info, infolen, &ck);
    if (!rc)
        rc = sm_es8_receipt(ck.receipt_key, b1.crt_tlv, b1.crt_tlv_len, NULL, 0, receipt);
    if (!rc)
        rc = sm_tlv_put(&r, 0x86, receipt, 16);
    t = clock_add(card_s, t);
    /* SM-DP: the receipt, then 84 */
    if (!rc)
        rc = smdp_es8_receipt_check(&e, r.data, r.len);
    if (!rc)
        rc = smdp_es8_open(&e, &sm_rng_system, &t84);
    t = clock_add(dp_s, t);
    sm_buf_reset(&r);
    if (!rc) {
        struct sm_scp03_keys k = {ck.k_enc, ck.k_mac, ck.k_dek, 16};

        rc = sm_scp03t_card_84(&card, &k, SMDP_ES8_KVN, seq, aid, 16, t84.data, t84.len, &r);
    }
    t = clock_add(card_s, t);
    if (!rc)
        rc = smdp_es8_authenticate(&e, r.data, r.len, &cerr, &t85);
    t = clock_add(dp_s, t);
    sm_buf_reset(&r);
    if (!rc)
        rc = sm_scp03t_card_85(&card, t85.data, t85.len, &r);
    t = clock_add(card_s, t);
    if (!rc)
        rc = smdp_es8_check(&e, 0x85, r.data, r.len, NULL, &cerr);
    t = clock_add(dp_s, t);
    /* the package: each segment wrapped, taken, its answer checked */
    while (!rc && off < b->pkg.len) {
        sm_buf_reset(&seg);
        rc = smdp_es8_segment(&e, b->pkg.data, b->pkg.len, &off, &seg);
        t = clock_add(dp_s, t);
        sm_buf_reset(&r);
        if (!rc)
            rc = sm_scp03t_card_86(&card, seg.data, seg.len, &plain, &r);
        t = clock_add(card_s, t);
        if (!rc)
            rc = smdp_es8_check(&e, 0x86, r.data, r.len, NULL, &cerr);
        t = clock_add(dp_s, t);
    }
    if (!rc && (plain.len != b->pkg.len || memcmp(plain.data, b->pkg.data, plain.len)))
        rc = -EBADMSG;
    smdp_es8_clear(&e);
    sm_scp03_clear(&card);
    sm_es8_keys_clear(&ck);
    sm_buf_free(&block1);
    sm_buf_free(&t84);
    sm_buf_free(&t85);
    sm_buf_free(&r);
    sm_buf_free(&seg);
    sm_buf_free(&plain);
    return rc;
}

/* ---- the downloads ---- */

struct dl_job {
    int me;
    double *lat;
    size_t n;
    unsigned failed;
};

static void *dl_thread(void *arg)
{
    struct dl_job *j = arg;
    struct bench_client c;
    unsigned i;

    bench_client_init(&c, dir, "mno1");
    while ((i = atomic_fetch_add(&next_card, 1)) < ncards) {
        char body[512];
        unsigned n = bench_board_call(j->me);
        double t0 = bench_now();
        int v;

        snprintf(body, sizeof(body),
                 "{\"header\":{\"functionRequesterIdentifier\":\"" MNO1
                 "\",\"functionCallIdentifier\":\"b-%u\"},\"eid\":\"%s\",\"smsrId\":\"" SMSR
                 "\",\"profileType\":\"iot\",\"enableProfile\":false}",
                 n, eids[i]);
        if (bench_request(&c, smdp_port, "/gsma/es2/downloadProfile", body) != 202) {
            if (j->failed++ < 3)
                fprintf(stderr, "downloadProfile %s: %.300s\n", eids[i], c.buf);
            continue;
        }
        v = bench_board_wait(n, j->me, 300);
        if (v != 1) {
            if (j->failed++ < 3)
                fprintf(stderr, "download b-%u to %s: %s\n", n, eids[i],
                        v ? "not Executed-Success" : "no result");
            continue;
        }
        j->lat[j->n++] = bench_now() - t0;
    }
    bench_client_free(&c);
    return NULL;
}

struct cpu {
    double smdp, smsr, sim, smsc, self;
};

static struct cpu cpu_now(void)
{
    return (struct cpu){bench_cpu_s(smdp.pid), bench_cpu_s(smsr.pid), bench_cpu_s(sim.pid),
                        bench_cpu_s(smsc.pid), bench_cpu_s(getpid())};
}

int main(int argc, char **argv)
{
    struct es8_bench eb;
    struct dl_job *jobs;
    pthread_t *th;
    struct cpu c0, c1;
    double t0, took, *all, dp_s = 0, card_s = 0, tc;
    unsigned done = 0, failed = 0, iters = 0;
    size_t n = 0;
    int rc;

    ncards = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    conc = argc > 2 ? (unsigned)atoi(argv[2]) : 64;
    if (!ncards || !conc || conc > BENCH_BOARD_WAITERS) {
        fprintf(stderr, "usage: bench_download [cards] [concurrent orders, at most %d]\n",
                BENCH_BOARD_WAITERS);
        return 2;
    }
    if (conc > ncards)
        conc = ncards;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    printf("bench_download: %u cards, %u orders at a time, bearer %s\n", ncards, conc, bearer());
    /* the bare cryptography first, alone on the machine */
    rc = es8_bench_init(&eb);
    for (tc = bench_now(); !rc && (bench_now() - tc < 2 || iters < 20); iters++)
        rc = es8_once(&eb, &dp_s, &card_s);
    if (rc) {
        fprintf(stderr, "ES8 in process failed: %d\n", rc);
        return 1;
    }
    printf("crypto  ES8 of one download (package %zu bytes), in process: SM-DP %.2f ms, card "
           "%.2f ms; %.0f downloads/s on one core for the SM-DP's part\n",
           eb.pkg.len, 1e3 * dp_s / iters, 1e3 * card_s / iters, iters / dp_s);
    rc = setup();
    if (rc)
        fprintf(stderr, "set-up failed (%s)\n", dir);
    sleep(1);
    th = calloc(conc, sizeof(*th));
    jobs = calloc(conc, sizeof(*jobs));
    all = calloc(ncards, sizeof(double));
    if (!rc && (!th || !jobs || !all))
        rc = -1;
    c0 = cpu_now();
    t0 = bench_now();
    for (unsigned i = 0; !rc && i < conc; i++) {
        jobs[i] = (struct dl_job){.me = (int)i, .lat = calloc(ncards, sizeof(double))};
        pthread_create(&th[i], NULL, dl_thread, &jobs[i]);
    }
    for (unsigned i = 0; !rc && i < conc; i++) {
        pthread_join(th[i], NULL);
        memcpy(all + n, jobs[i].lat, jobs[i].n * sizeof(double));
        n += jobs[i].n;
        done += (unsigned)jobs[i].n;
        failed += jobs[i].failed;
        free(jobs[i].lat);
    }
    took = bench_now() - t0;
    c1 = cpu_now();
    if (!rc) {
        double total = (c1.smdp - c0.smdp) + (c1.smsr - c0.smsr) + (c1.sim - c0.sim) +
                       (c1.smsc - c0.smsc) + (c1.self - c0.self);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);

        printf("download %u complete downloads in %.1f s: %.1f/s, p50 %.0f ms, p99 %.0f ms (%u "
               "failed; %u progress notifications)\n",
               done, took, done / took, 1e3 * bench_pct(all, n, 0.5), 1e3 * bench_pct(all, n, 0.99),
               failed, atomic_load(&progress_seen));
        if (done) {
            printf("        CPU per download: smdp %.2f ms, smsr %.2f, euicc-sim %.2f, smsc-sim "
                   "%.2f, load generator %.2f; %.2f ms in all, at most %.0f/s on %ld cores\n",
                   1e3 * (c1.smdp - c0.smdp) / done, 1e3 * (c1.smsr - c0.smsr) / done,
                   1e3 * (c1.sim - c0.sim) / done, 1e3 * (c1.smsc - c0.smsc) / done,
                   1e3 * (c1.self - c0.self) / done, 1e3 * total / done,
                   total > 0 ? (double)cores * done / total : 0, cores);
            printf("        ES8 cryptography: %.0f%% of the SM-DP's CPU, %.0f%% of all CPU "
                   "(card's part included); ratio to the bare cryptography %.3f\n",
                   100 * (dp_s / iters) / ((c1.smdp - c0.smdp) / done),
                   100 * ((dp_s + card_s) / iters) / (total / done),
                   (done / took) / (iters / (dp_s + card_s)));
        }
        printf("        peak RSS: smdp %ld kB, smsr %ld kB, euicc-sim %ld kB, smsc-sim %ld kB\n",
               bench_vmhwm_kb(smdp.pid), bench_vmhwm_kb(smsr.pid), bench_vmhwm_kb(sim.pid),
               bench_vmhwm_kb(smsc.pid));
    }
    {
        struct itest_proc *const procs[] = {&smdp, &smsr, &sim, &smsc};

        /* a failed run keeps its directory (the daemons' logs) */
        if (rc || failed) {
            setenv("SM_KEEP_TEST_DIR", "1", 1);
            fprintf(stderr, "bench_download: logs kept in %s\n", dir);
        }
        itest_teardown(dir, procs, 4, receiver);
    }
    sm_buf_free(&eb.pkg);
    free(th);
    free(jobs);
    free(all);
    curl_global_cleanup();
    rc = rc || failed;
    printf("bench_download: %s\n", rc ? "FAILED" : "done");
    return rc ? 1 : 0;
}
