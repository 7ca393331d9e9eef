/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_BENCH_UTIL_H
#define SM_BENCH_UTIL_H

/*
 * What the benchmarks of real processes share (bench_util.c): clocks, a process's CPU time and
 * peak memory, percentiles, and an HTTPS client per thread with a development-PKI identity
 * whose connection is kept.
 */
#include <curl/curl.h>
#include <stddef.h>
#include <sys/types.h>

/* Monotonic seconds. */
double bench_now(void);
/* CPU seconds (user + system) process pid has used; 0 when it is gone. */
double bench_cpu_s(pid_t pid);
/* Its peak resident set (VmHWM) in kB, or -1. */
long bench_vmhwm_kb(pid_t pid);
/* The p-quantile (0..1) of v[0..n) (sorts v). */
double bench_pct(double *v, size_t n, double p);
/* smsc-sim with an account for the SM-SR (smsr / srpw, +4479000001) and one for euicc-sim
 * (euicc-sim / simpw): its port, or -1. */
struct itest_proc;
int bench_start_smsc(const char *dir, struct itest_proc *p);
/*
 * n cards made by euicc-sim in dir: sim.conf with the development PKI, SMPP to smsc_port as
 * euicc-sim / simpw, +4479000001 as the SM-SR's number, no attach notification, and the extra
 * lines of [factory] and [card] given (NULL: none); their EIDs into eids, and the EUM's
 * transport key for the SM-SR in dir/transport-keys. Returns 0 or -1.
 */
int bench_make_cards(const char *dir, int smsc_port, const char *factory, const char *card,
                     unsigned n, char (*eids)[33]);
/* /bin/sh -c cmd; prints the output on failure. Returns the exit code. */
int bench_run(const char *cmd);

struct bench_client {
    CURL *curl;
    struct curl_slist *hdr;
    char buf[1 << 16];
    size_t len;
};
/* A client as dir/pki/<who>.crt, trusting dir/pki/ca.crt. */
void bench_client_init(struct bench_client *c, const char *dir, const char *who);
void bench_client_free(struct bench_client *c);
/* GET (body NULL) or POST JSON to https://localhost:port<path>; the HTTP status (0 on a
 * transport failure), the body in c->buf. */
long bench_request(struct bench_client *c, int port, const char *path, const char *body);
/* A sample from the daemon's /metrics (read as admin); -1 when absent. */
double bench_metric(const char *dir, int port, const char *name);

/* Results of asynchronous calls arriving at a callback receiver, waited for by the client
 * thread that made the call. Calls are numbered (bench_board_call); their functionCallIdentifier
 * is "b-<number>". */
#define BENCH_BOARD_CALLS   (1 << 20)
#define BENCH_BOARD_WAITERS 256
int bench_board_init(void);
/* A new call number for client thread me (0..BENCH_BOARD_WAITERS-1). */
unsigned bench_board_call(int me);
/* A result body (operations callback): the call it ends is marked, its thread woken. */
void bench_board_post(const char *body);
/* Wait up to timeout_s for call n: 1 Executed-Success, 2 another outcome, 0 none came. */
int bench_board_wait(unsigned n, int me, double timeout_s);

#endif
