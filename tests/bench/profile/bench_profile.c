/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/profile: profile packages.
 *
 *   personalise   packages/s from each shipped template (parameter checks, filling, DER
 *                 encoding with constraint checks), with latency percentiles; baseline: the
 *                 DER encoding alone of the same, already personalised JSON form
 *   decode        TS.48 packages/s into the JSON form (the walker plus the re-encoding check of
 *                 every element); baseline: asn1c's generated decoder with its constraint
 *                 checks on the same bytes (sm_pp_validate)
 *   batch         sm_pp_batch over N and 10 N subscriptions, each in a child process: packages/s
 *                 including the files, and the child's peak RSS, which must not grow with N;
 *                 baseline: creating and writing N files of a package's size in the same file
 *                 system (a batch is bound by the file system on most machines)
 *
 * Usage: bench_profile [seconds per measurement, default 1]. The TS.48 package comes from
 * $SM_TS48_PROFILES or ../shared/reference/profiles; without it the 5G template's package is
 * decoded instead (said in the output). Never fails on speed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/json.h"
#include "smpp/pp.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

struct figures {
    double rate, p50, p99, max;
};

/* Run fn until secs have passed, timing each call; rate and latency percentiles (us). */
static struct figures measure(int (*fn)(void *), void *arg, double secs)
{
    size_t cap = 1 << 16, n = 0;
    double *lat = malloc(cap * sizeof(*lat)), t0 = now(), t = t0;
    struct figures f = {0};

    if (!lat)
        return f;
    while (t - t0 < secs || n < 10) {
        double s = t;

        if (fn(arg)) {
            fprintf(stderr, "bench_profile: operation failed\n");
            exit(1);
        }
        t = now();
        if (n == cap) {
            double *more = realloc(lat, 2 * cap * sizeof(*lat));

            if (!more)
                break;
            lat = more;
            cap *= 2;
        }
        lat[n++] = (t - s) * 1e6;
    }
    qsort(lat, n, sizeof(*lat), cmp_double);
    f.rate = (double)n / (t - t0);
    f.p50 = lat[n / 2];
    f.p99 = lat[n * 99 / 100];
    f.max = lat[n - 1];
    free(lat);
    return f;
}

static void row(const char *what, const struct figures *f, const char *base,
                const struct figures *b)
{
    printf("%-28s %10.0f/s  p50 %7.1f us  p99 %7.1f us  max %8.1f us", what, f->rate, f->p50,
           f->p99, f->max);
    if (b)
        printf("  %-18s %10.0f/s  ratio %.2f", base, b->rate, f->rate / b->rate);
    printf("\n");
}

/* ---- personalisation ---- */

struct pers {
    struct sm_pp_template *t;
    json_t *params, *filled; /* filled: the personalised JSON form, for the baseline */
    struct sm_buf der;
    unsigned long serial;
};

static void set_identity(struct pers *p)
{
    char payload[20], iccid[21], imsi[16], k[33];
    uint8_t kb[16];

    p->serial++;
    snprintf(payload, sizeof(payload), "8999%014lu", p->serial);
    sm_iccid_complete(payload, iccid);
    snprintf(imsi, sizeof(imsi), "99999%010lu", p->serial);
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)(p->serial >> (8 * (i % 8))) ^ (uint8_t)i;
    sm_hex_encode(kb, 16, k);
    json_object_set_new(p->params, "iccid", json_string(iccid));
    json_object_set_new(p->params, "imsi", json_string(imsi));
    json_object_set_new(p->params, "k", json_string(k));
}

static int personalise_one(void *arg)
{
    struct pers *p = arg;
    struct sm_pp_error e;
    int rc;

    set_identity(p);
    sm_buf_reset(&p->der);
    rc = sm_pp_personalise(p->t, p->params, &p->der, &e);
    if (rc)
        fprintf(stderr, "%s: %s\n", e.path, e.msg);
    return rc;
}

static int encode_one(void *arg)
{
    struct pers *p = arg;
    struct sm_pp_error e;

    sm_buf_reset(&p->der);
    return sm_pp_json_to_der(p->filled, &p->der, &e);
}

static json_t *params_for(const struct sm_pp_template *t)
{
    const json_t *decl = sm_pp_template_parameters(t);
    json_t *p = json_pack("{s:s, s:s, s:s}", "opc", "f0e0d0c0b0a090807060504030201000", "adm1",
                          "12345678", "msisdn", "+491701234567");

    if (json_object_get(decl, "impi")) {
        json_object_set_new(p, "impi", json_string("1@ims.mnc999.mcc999.3gppnetwork.org"));
        json_object_set_new(p, "impu", json_string("sip:1@ims.mnc999.mcc999.3gppnetwork.org"));
        json_object_set_new(p, "domain", json_string("ims.mnc999.mcc999.3gppnetwork.org"));
    }
    return p;
}

static void bench_personalise(double secs)
{
    for (const char *const *n = sm_pp_template_names(); *n; n++) {
        struct pers p = {.der = {.secure = true}};
        struct sm_pp_error e;
        struct figures f, b;
        char what[64];

        if (sm_pp_template_shipped(*n, &p.t, &e)) {
            fprintf(stderr, "template %s: %s\n", *n, e.msg);
            exit(1);
        }
        p.params = params_for(p.t);
        if (personalise_one(&p) || sm_pp_der_to_json(p.der.data, p.der.len, &p.filled, &e))
            exit(1);
        f = measure(personalise_one, &p, secs);
        b = measure(encode_one, &p, secs);
        snprintf(what, sizeof(what), "personalise %s", *n);
        row(what, &f, "encode only", &b);
        printf("%-28s %zu bytes per package\n", "", p.der.len);
        json_decref(p.filled);
        json_decref(p.params);
        sm_buf_clear_free(&p.der);
        sm_pp_template_free(p.t);
    }
}

/* ---- decoding ---- */

struct dec {
    uint8_t *der;
    size_t len;
};

static int decode_one(void *arg)
{
    struct dec *d = arg;
    struct sm_pp_error e;
    json_t *j;
    int rc = sm_pp_der_to_json(d->der, d->len, &j, &e);

    if (!rc)
        json_decref(j);
    return rc;
}

static int validate_one(void *arg)
{
    struct dec *d = arg;
    struct sm_pp_stats st;
    struct sm_pp_error e;

    return sm_pp_validate(d->der, d->len, &st, &e);
}

static int der_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 4 && !strcmp(d->d_name + n - 4, ".der");
}

static uint8_t *first_ts48(char *name, size_t size, size_t *len)
{
    const char *dir = getenv("SM_TS48_PROFILES");
    struct dirent **names;
    uint8_t *buf = NULL;
    int n;

    if (!dir || !*dir)
        dir = SM_SOURCE_DIR "/../shared/reference/profiles";
    n = scandir(dir, &names, der_file, alphasort);
    if (n > 0) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, names[n - 1]->d_name);
        snprintf(name, size, "%s", names[n - 1]->d_name);
        f = fopen(path, "rb");
        if (f) {
            buf = malloc(1 << 20);
            *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
            fclose(f);
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    if (n >= 0)
        free(names);
    return buf;
}

static void bench_decode(double secs)
{
    struct dec d = {0};
    struct figures f, b;
    char name[256] = "", what[300];

    d.der = first_ts48(name, sizeof(name), &d.len);
    if (!d.der) {
        struct sm_pp_template *t;
        struct sm_buf der = SM_BUF_INIT;
        struct sm_pp_error e;
        json_t *p;

        printf("(TS.48 profiles not found: decoding the usim-isim-5g package instead)\n");
        if (sm_pp_template_shipped("usim-isim-5g", &t, &e))
            exit(1);
        p = params_for(t);
        json_object_set_new(p, "iccid", json_string("8999000000000000005"));
        json_object_set_new(p, "imsi", json_string("999990000000001"));
        json_object_set_new(p, "k", json_string("000102030405060708090a0b0c0d0e0f"));
        if (sm_pp_personalise(t, p, &der, &e)) {
            fprintf(stderr, "bench_profile: %s: %s\n", e.path, e.msg);
            exit(1);
        }
        d.der = der.data;
        d.len = der.len;
        snprintf(name, sizeof(name), "usim-isim-5g");
        json_decref(p);
        sm_pp_template_free(t);
    }
    f = measure(decode_one, &d, secs);
    b = measure(validate_one, &d, secs);
    snprintf(what, sizeof(what), "decode to JSON form");
    row(what, &f, "asn1c decode", &b);
    printf("%-28s %s, %zu bytes, %.1f MB/s\n", "", name, d.len, f.rate * (double)d.len / 1e6);
    free(d.der);
}

/* ---- batches: memory against size ---- */

struct batch_figures {
    double rate;
    long maxrss_kb;
};

static int run_batch(const char *dir, size_t n, struct batch_figures *out)
{
    char in[512], outdir[512], hss[512];
    int fds[2];
    pid_t pid;

    snprintf(in, sizeof(in), "%s/subs-%zu.csv", dir, n);
    snprintf(outdir, sizeof(outdir), "%s/out-%zu", dir, n);
    snprintf(hss, sizeof(hss), "%s/hss-%zu.csv", dir, n);
    {
        FILE *f = fopen(in, "w");

        if (!f)
            return -errno;
        fprintf(f, "iccid,imsi,k,opc,adm1\n");
        for (size_t i = 0; i < n; i++) {
            char payload[20], iccid[21];

            snprintf(payload, sizeof(payload), "8999%014zu", i);
            sm_iccid_complete(payload, iccid);
            fprintf(f, "%s,99999%010zu,%032llx,f0e0d0c0b0a090807060504030201000,12345678\n", iccid,
                    i, (unsigned long long)i * 0x9e3779b97f4a7c15ull);
        }
        fclose(f);
    }
    if (mkdir(outdir, 0700) || pipe(fds))
        return -errno;
    pid = fork();
    if (pid == 0) {
        struct sm_pp_batch_opts o = {
            .input = in, .outdir = outdir, .hss_path = hss, .rng = &sm_rng_system};
        struct sm_pp_batch_result r;
        struct sm_pp_template *t;
        struct sm_pp_error e;
        double t0, rate;

        close(fds[0]);
        sm_json_use_wiping_allocator();
        if (sm_pp_template_shipped("usim-minimal", &t, &e))
            _exit(1);
        t0 = now();
        if (sm_pp_batch(t, &o, &r) || r.done != n)
            _exit(1);
        rate = (double)n / (now() - t0);
        if (write(fds[1], &rate, sizeof(rate)) != sizeof(rate))
            _exit(1);
        sm_pp_template_free(t);
        _exit(0);
    }
    close(fds[1]);
    {
        struct rusage ru;
        int status;
        ssize_t got = read(fds[0], &out->rate, sizeof(out->rate));

        close(fds[0]);
        if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) || got != sizeof(out->rate))
            return -EIO;
        out->maxrss_kb = ru.ru_maxrss;
    }
    return 0;
}

/* Files/s for bare open(O_EXCL) + write + close of n files of size bytes. */
static double bare_files(const char *dir, size_t n, size_t size)
{
    static const uint8_t zero[4096];
    char path[512];
    double t0 = now();

    for (size_t i = 0; i < n; i++) {
        int fd;

        snprintf(path, sizeof(path), "%s/bare-%zu", dir, i);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, zero, size) != (ssize_t)size || close(fd))
            return 0;
    }
    return (double)n / (now() - t0);
}

static void bench_batch(double secs)
{
    char dir[] = "/tmp/sm-bench-profile-XXXXXX", cmd[128];
    size_t n = secs < 0.5 ? 200 : 2000;
    struct batch_figures small, large;
    double bare;

    if (!mkdtemp(dir) || run_batch(dir, n, &small) || run_batch(dir, 10 * n, &large) ||
        (bare = bare_files(dir, n, 1123)) <= 0) {
        fprintf(stderr, "bench_profile: batch failed\n");
        exit(1);
    }
    printf("%-28s %10.0f/s  peak RSS %6ld KiB  (%zu subscriptions)  %-18s %10.0f/s  ratio "
           "%.2f\n",
           "batch (files + HSS)", small.rate, small.maxrss_kb, n, "bare file writes", bare,
           small.rate / bare);
    printf("%-28s %10.0f/s  peak RSS %6ld KiB  (%zu subscriptions)  RSS ratio %.2f\n", "",
           large.rate, large.maxrss_kb, 10 * n, (double)large.maxrss_kb / (double)small.maxrss_kb);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd))
        fprintf(stderr, "bench_profile: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    struct rusage ru;

    if (secs <= 0)
        secs = 1.0;
    sm_json_use_wiping_allocator();
    printf("bench_profile: %.2f s per measurement, one thread\n", secs);
    bench_personalise(secs);
    bench_decode(secs);
    bench_batch(secs);
    getrusage(RUSAGE_SELF, &ru);
    printf("%-28s %ld KiB\n", "peak RSS (this process)", ru.ru_maxrss);
    return 0;
}
