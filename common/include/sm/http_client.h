/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_HTTP_CLIENT_H
#define SM_HTTP_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sm/buf.h"

/*
 * HTTPS client on libcurl (OpenSSL backend) with mutual TLS, timeouts and bounded retries, for
 * ES3/ES7 calls between the daemons and for callbacks to MNO systems. One client is shared by
 * all threads of a daemon: connections and TLS sessions are pooled.
 *
 * Retries: POSTs to SGP.02 functions are idempotent by functionCallIdentifier, so a request is
 * repeated after a transport failure (connect, TLS, timeout) or an HTTP 502/503/504, at most
 * `retries` more times, with exponential back-off starting at backoff_ms (with jitter).
 */
struct sm_http_client_config {
    const char *ca_file;     /* PEM CAs for the server certificate; required */
    const char *cert_file;   /* PEM client certificate (chain); NULL: no client certificate */
    const char *key_file;    /* PEM private key of cert_file */
    long timeout_ms;         /* whole request; default 30000 */
    long connect_timeout_ms; /* default 5000 */
    unsigned retries;        /* extra attempts after the first */
    long backoff_ms;         /* first back-off; doubles each attempt; default 200 */
    size_t max_response;     /* bytes; default 16 MiB */
};

struct sm_http_result {
    long status;        /* HTTP status, 0 when no response was received */
    struct sm_buf body; /* response body (owned; sm_http_result_free) */
    unsigned attempts;
    char error[256]; /* transport error of the last attempt */
};

struct sm_http_client;

/* Call once before any thread uses libcurl (idempotent). Returns 0 or -EIO. */
int sm_http_client_global_init(void);
/* Returns 0 with *out set, or -EINVAL / -ENOMEM. */
int sm_http_client_new(const struct sm_http_client_config *cfg, struct sm_http_client **out);
void sm_http_client_free(struct sm_http_client *c);

/*
 * POST body to url and wait for the answer (with retries). Returns 0 when an HTTP response was
 * received (any status: see res->status), or a negative errno for a transport failure after the
 * last attempt: -ETIMEDOUT, -ECONNREFUSED, -EPROTO (TLS), -EMSGSIZE (response too big), -EIO.
 * res must be zero-initialised; release it with sm_http_result_free().
 */
int sm_http_post(struct sm_http_client *c, const char *url, const char *content_type,
                 const void *body, size_t len, struct sm_http_result *res);
int sm_http_get(struct sm_http_client *c, const char *url, struct sm_http_result *res);
/* POST a JSON value; on a JSON answer *resp_out gets it (new reference), else NULL. */
int sm_http_post_json(struct sm_http_client *c, const char *url, const json_t *req,
                      struct sm_http_result *res, json_t **resp_out);
void sm_http_result_free(struct sm_http_result *res);

#endif
