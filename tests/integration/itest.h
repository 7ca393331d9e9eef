/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ITEST_H
#define ITEST_H

/* Helpers for integration tests: real processes, real TLS, responses recorded for the schema
 * check. */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct itest_proc {
    pid_t pid;
    char name[32];
};

/* Start argv[0] with stdout and stderr appended to log_path. Returns 0 or -errno. */
int itest_spawn(struct itest_proc *p, const char *name, char *const argv[], const char *log_path);
/* Read a port number from path, waiting up to timeout_ms. Returns the port or -1. */
int itest_wait_port_file(const char *path, int timeout_ms);
bool itest_alive(struct itest_proc *p);
/* SIGTERM, wait up to timeout_ms (then SIGKILL). Returns the exit code, 128+signal when killed
 * by a signal, or -1. */
int itest_stop(struct itest_proc *p, int timeout_ms);
/* Run argv to completion with output captured (NUL-terminated, truncated to outlen). Returns the
 * exit code or -1. */
int itest_run(char *const argv[], char *out, size_t outlen);

struct itest_identity {
    const char *ca;   /* CA to verify the server with */
    const char *cert; /* client certificate, NULL: none */
    const char *key;
};

struct itest_resp {
    long status; /* 0: no HTTP response */
    char *body;  /* NUL-terminated */
    size_t len;
    char content_type[128];
    char error[256];
};

/* One HTTPS request with libcurl (no retries). Returns 0 when an HTTP response came back. */
int itest_request(const struct itest_identity *id, const char *method, const char *url,
                  const char *body, size_t len, struct itest_resp *r);
void itest_resp_free(struct itest_resp *r);
/* The body as JSON (new reference) or NULL. */
json_t *itest_json(const struct itest_resp *r);

/* Write raw bytes over TLS (client certificate of id) to 127.0.0.1:port and read until the
 * server closes or timeout_ms passes. Returns the number of bytes read, or -1 if the TLS
 * connection could not be made. */
long itest_raw_tls(const struct itest_identity *id, uint16_t port, const void *data, size_t len,
                   char *out, size_t outlen, int timeout_ms);
/* Write raw bytes over plain TCP and close. Returns 0 or -1. */
int itest_raw_tcp(uint16_t port, const void *data, size_t len);
/* Write raw bytes over TLS 1.2 with a pre-shared key (an SCP81 admin session as a card opens
 * it) and read as itest_raw_tls does. Returns the bytes read, or -1 if the handshake fails. */
long itest_psk_tls(uint16_t port, const char *identity, const uint8_t *psk, size_t psklen,
                   const void *data, size_t len, char *out, size_t outlen, int timeout_ms);

/* dir/a[b], in one of 8 rotating buffers of the calling thread (enough for the arguments of
 * one call). */
char *itest_path(const char *dir, const char *a, const char *b);
/* Write text to a file (created or truncated). Returns 0 or -1. */
int itest_write_file(const char *path, const char *text);

/* Keep the response body for the schema check: written under dir, listed in dir/manifest. */
void itest_record_dir(const char *dir);
void itest_record(const char *schema, const struct itest_resp *r);
/* Run the schema validator over everything recorded. Returns its exit code. */
int itest_validate_recorded(const char *schema_dir, const char *validator);

/* An HTTPS server on 127.0.0.1 (a free port) standing for an entity's system that receives
 * callbacks, with dir/pki/smdp.crt (a server certificate of the development CA, which the
 * daemons check callback servers against). Every POST's path and body go to fn, whose return
 * value is the HTTP status answered. Returns the port, or -1. */
struct MHD_Daemon;
typedef unsigned (*itest_post_fn)(void *arg, const char *path, const char *body);
int itest_receiver_start(const char *dir, itest_post_fn fn, void *arg, struct MHD_Daemon **out);

/* A receiver (as itest_receiver_start) that answers 200 and records every POST: how many came
 * to a path ending with suffix and mentioning needle, where the first to a path containing part
 * and mentioning n1 and n2 is in the order of arrival (-1: none). */
int itest_rx_start(const char *dir, struct MHD_Daemon **out);
int itest_rx_count(const char *suffix, const char *needle);
int itest_rx_position(const char *part, const char *n1, const char *n2);
void itest_rx_free(void);

/* ---- itest_api.c (cmocka: failures end the test) ---- */

/* Wait up to timeout_s for n such POSTs (itest_rx_count), else fail. */
void itest_rx_wait(const char *suffix, const char *needle, int n, int timeout_s);

/* The development-PKI identity name under dir/pki (8 rotating static buffers). */
struct itest_identity itest_as(const char *dir, const char *name);
/* The value of a metric (its first sample) at https://localhost:port/metrics, read as admin;
 * -1 when it is not there. */
double itest_metric(const char *dir, int port, const char *name);
/* A cmocka test: every response recorded (itest_record_dir) matches its schema under schema/. */
void itest_responses_match_schemas(void **state);
/* Start SM_BIN_DIR/<bin> -c dir/<name>.conf, which writes its API port to dir/<name>.port;
 * the port in *port. Returns 0 or -1. */
int itest_start_daemon(const char *dir, struct itest_proc *p, const char *name, const char *bin,
                       int *port);
/* POST https://localhost:port/gsma/<path> as name (OID id) with members plus the header (call_id;
 * validityPeriod when validity > 0). Fails unless the answer is HTTP expect_http (0: any 2xx);
 * records it for schema when given. Returns the answer's JSON. */
json_t *itest_call_fn(const char *dir, int port, const char *name, const char *id, const char *path,
                      const json_t *members, const char *call_id, int validity, long expect_http,
                      const char *schema);
/* header.functionExecutionStatus.status, or NULL. */
const char *itest_exec_status(const json_t *j);
/* Fail unless j has this status (and subject/reason codes and a message containing fragment,
 * when given); releases j. */
void itest_expect_status(json_t *j, const char *status, const char *subject, const char *reason,
                         const char *fragment);

/* Poll GET /gsma/operations/<call_id> until done (within timeout_s, else the test fails);
 * records both forms for the schema check (the final response under schema, when given).
 * Returns the final response. */
json_t *itest_outcome(const char *dir, int port, const char *name, const char *call_id,
                      int timeout_s, const char *schema);
/* Record a JSON value for the schema check. */
void itest_record_json(const char *schema, const json_t *j);
/* /bin/sh -c cmd; its output in out; says what failed on stderr. Returns the exit code. */
int itest_sh(const char *cmd, char *out, size_t n);
/* Start SM_BIN_DIR/<bin> -c dir/<conf> [extra], its output in dir/<name>.log. */
int itest_spawn_conf(const char *dir, struct itest_proc *p, const char *name, const char *bin,
                     const char *conf, const char *extra);

/* Simulated cards under dir: dir/sim.conf (factory from dir/pki, SMPP to smsc_port as
 * euicc-sim / simpw, notifications to smsr_msisdn, card_extra lines added to [card]), n cards
 * made, their EIDs in eids. Returns 0 or -1. */
int itest_make_cards(const char *dir, int smsc_port, const char *smsr_msisdn,
                     const char *card_extra, unsigned n, char (*eids)[33]);
/* dir/<name> (0600) holding "<eum_id> aes-ecb <key>" with the factory's transport key. */
int itest_transport_keys(const char *dir, const char *eum_id, const char *name);
/* The EIS the factory wrote for a card (dir/eis/<eid>.json), or NULL. */
json_t *itest_card_eis(const char *dir, const char *eid);

/* Register cards eids[0..n) at the SM-SR on port through ES1 as eum1, with the EISs the
 * factory wrote. Returns 0 or -1. */
int itest_register_cards(const char *dir, int port, char (*eids)[33], unsigned n);
/* Stop the processes that run, the receiver (may be NULL), and remove dir unless
 * SM_KEEP_TEST_DIR is set. Returns 0 or -1. */
int itest_teardown(const char *dir, struct itest_proc *const *procs, size_t n,
                   struct MHD_Daemon *receiver);

/* dir/<name>.conf for an SM-SR that can take part in an SM-SR change: OID id, TLS identity
 * pki/<tls>, SMS address +address (SMPP account <name> / pw at smsc_port), EUM transport keys
 * file, the bearer of SM_ES5_BEARER, short PoR and admin-session timeouts. Returns 0 or -1. */
int itest_smsr_conf(const char *dir, const char *name, const char *id, const char *tls,
                    const char *address, int smsc_port, const char *transport_keys);

/* SM_ES5_BEARER: "sms" (SCP80 only) or "https" (SCP81 after a trigger; the default). CTest runs
 * the SM-SR's engine tests once each way. */
const char *itest_bearer(void);

#endif
