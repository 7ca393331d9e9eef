/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/euicc: card manufacturing and the memory cards take.
 *
 *   create      cards/s through the whole factory: ECASD key pair and certificate (ECDSA by the
 *               EUM), ISD-R keys, the provisioning profile personalised and installed, the EIS
 *               signed, state serialised, wrapped and stored (one transaction per 256 cards);
 *               baseline: the bare public-key work of a card (one key generation and two ECDSA
 *               signatures, certificate and EIS) in the same run
 *   storage     database bytes per card
 *   memory      peak RSS after touching every card (all of them in the cache: the worst case of
 *               a simulator that holds every card in a session), per 100,000 cards; and RSS of a
 *               simulator that just opened its store
 *
 * Usage: bench_euicc [cards, default 10000]. Never fails on speed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "factory.h"
#include "sim_app.h"
#include "sm/ecka.h"
#include "sm/gpcert.h"
#include "sm/json.h"
#include "sm/log.h"
#include "smdb/simstore.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The public-key floor of one card: key generation, two signatures. */
static double baseline(const struct sim_factory_keys *k, double secs)
{
    uint8_t pub[65], sig[64], msg[200] = {1};
    size_t publen, siglen;
    unsigned long n = 0;
    double t0 = now(), t;

    do {
        struct sm_secret *sk = NULL;

        publen = sizeof(pub);
        siglen = sizeof(sig);
        sm_ec_keygen(k->curve, &sm_rng_system, &sk, pub, &publen);
        sm_secret_free(sk);
        sm_ecdsa_sign(k->curve, k->eum_sk->data, k->eum_sk->len, msg, sizeof(msg), sig, &siglen);
        sm_ecdsa_sign(k->curve, k->eum_sk->data, k->eum_sk->len, msg, sizeof(msg), sig, &siglen);
        n++;
        t = now();
    } while (t - t0 < secs);
    return (double)n / (t - t0);
}

struct touch {
    struct sim_app *a;
    unsigned long n;
};

static int touch_card(void *arg, const char *eid, const char *msisdn)
{
    struct touch *t = arg;
    struct sim_card *c;

    (void)msisdn;
    if (sim_app_card_get(t->a, eid, &c) == 0) {
        sim_app_card_put(t->a, c, 0);
        t->n++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000, made = 0;
    char dir[] = "/tmp/sm-bench-euicc-XXXXXX", conf[256], cmd[512], why[256] = "";
    struct sim_factory_keys k;
    struct sim_app a = {0};
    struct sm_cfg_error err;
    struct touch t = {.a = &a};
    struct stat st;
    double t0, t1, base;
    long rss_open, rss_all;

    if (!count)
        count = 10000;
    if (!mkdtemp(dir))
        return 1;
    /* a development PKI for the EUM and CI keys */
    snprintf(cmd, sizeof(cmd), "%s pki init %s/pki > /dev/null", SMCTL, dir);
    if (system(cmd)) {
        fprintf(stderr, "bench_euicc: smctl pki init failed\n");
        return 1;
    }
    snprintf(conf, sizeof(conf), "%s/sim.conf", dir);
    {
        FILE *f = fopen(conf, "w");

        if (!f)
            return 1;
        fprintf(f, "db = sim.db\nkek_file = sim.kek\n[log]\nlevel = warn\n[factory]\n"
                   "ci_cert = pki/ca.crt\neum_key = pki/eum1.key\neum_cert = pki/eum1.crt\n"
                   "eid_prefix = 89049032000000\n[smpp]\nenabled = no\n");
        fclose(f);
    }
    sm_log_set_levels("warn");
    sm_json_use_wiping_allocator();
    if (sm_cfg_load(conf, sim_cfg_tables, sim_cfg_ntables, &a.cfg, &err) ||
        sim_factory_keys_load(&a.cfg, true, &k, why, sizeof(why)) ||
        sim_app_open(&a, true, why, sizeof(why))) {
        fprintf(stderr, "bench_euicc: %s %s\n", err.msg, why);
        return 1;
    }
    printf("bench_euicc: %lu cards, one thread\n", count);
    t0 = now();
    if (sim_factory_make(&a, &k, 1, count, &sm_rng_system, &made, why, sizeof(why))) {
        fprintf(stderr, "bench_euicc: %s\n", why);
        return 1;
    }
    t1 = now();
    base = baseline(&k, 1.0);
    printf("%-34s %10.0f/s  %-32s %10.0f/s  ratio %.2f\n", "create (factory, EIS, stored)",
           (double)made / (t1 - t0), "bare keygen + 2 ECDSA signatures", base,
           (double)made / (t1 - t0) / base);
    sim_app_close(&a); /* the last connection's close folds the WAL into the database */
    snprintf(cmd, sizeof(cmd), "%s/sim.db", dir);
    if (!stat(cmd, &st))
        printf("%-34s %10.0f bytes per card (%ld bytes for %lu)\n", "storage (SQLite)",
               (double)st.st_size / (double)made, (long)st.st_size, made);
    sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, &a.cfg);
    /* a simulator that opened its store, then one that touched every card */
    memset(&a, 0, sizeof(a));
    sm_cfg_load(conf, sim_cfg_tables, sim_cfg_ntables, &a.cfg, &err);
    sim_app_open(&a, false, why, sizeof(why));
    rss_open = rss_kb();
    t0 = now();
    smdb_sim_foreach(a.db, touch_card, &t);
    t1 = now();
    rss_all = rss_kb();
    printf("%-34s %10.0f cards/s loaded and unwrapped\n", "load into the cache", t.n / (t1 - t0));
    printf("%-34s %10ld KiB  (store open, no card in memory)\n", "RSS", rss_open);
    printf("%-34s %10ld KiB  (%lu cards in memory) = %.0f MiB per 100,000 cards\n", "", rss_all,
           t.n, (double)(rss_all - rss_open) / (double)t.n * 100000.0 / 1024.0);
    sim_app_close(&a);
    sm_cfg_free(sim_cfg_tables, sim_cfg_ntables, &a.cfg);
    sim_factory_keys_free(&k);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd))
        fprintf(stderr, "bench_euicc: could not remove %s\n", dir);
    return 0;
}
