/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_HTTP_SERVER_H
#define SM_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sm/buf.h"
#include "sm/tls.h"

/*
 * HTTPS server on libmicrohttpd: explicit bind address, internal polling thread with epoll and a
 * thread pool, a request body limit, per-request state freed in the completion callback, and
 * mutual TLS. The client certificate chain is verified here against the configured CA file (and
 * CRL) on the first request of each connection; what was found is handed to the handler as
 * struct sm_http_peer. Deciding who the peer is (an entity in the database) is the handler's job.
 */

struct sm_http_peer {
    bool has_cert;  /* the client presented a certificate */
    bool verified;  /* ... and it verified for TLS client authentication */
    bool test_cert; /* ... and it is a test certificate (sm/tls.h) */
    struct sm_cert_info cert;
    char why[128]; /* when not verified: why */
};

enum sm_http_req_error {
    SM_HTTP_REQ_OK,
    SM_HTTP_REQ_TOO_LARGE, /* body exceeded the limit; body is NULL */
};

struct sm_http_request {
    const char *method;
    const char *path; /* without the query string */
    const uint8_t *body;
    size_t body_len;
    enum sm_http_req_error error;
    const struct sm_http_peer *peer;
    uint64_t start_ns; /* CLOCK_MONOTONIC when the request headers arrived */
    void *conn;        /* opaque, for sm_http_request_header() */
};

#define SM_HTTP_MAX_EXTRA_HEADERS 4

struct sm_http_response {
    int status;
    const char *content_type; /* static string; default application/json */
    struct sm_buf body;
    struct {
        const char *name; /* static string */
        char value[128];
    } headers[SM_HTTP_MAX_EXTRA_HEADERS];
    unsigned nheaders;
};

/* Value of a request header, or NULL. */
const char *sm_http_request_header(const struct sm_http_request *req, const char *name);
/* Add a response header (name must be a static string). Returns 0 or -ENOSPC. */
int sm_http_response_add_header(struct sm_http_response *resp, const char *name, const char *value);

/* Called once per complete request, on a pool thread. Fill resp; the server sends it. */
typedef void (*sm_http_handler_fn)(void *arg, const struct sm_http_request *req,
                                   struct sm_http_response *resp);

struct sm_http_server_config {
    const char *bind_host;       /* numeric address; required */
    uint16_t port;               /* 0: pick a free port (see sm_http_server_port) */
    unsigned threads;            /* pool size, >= 1 */
    size_t body_limit;           /* bytes */
    unsigned connection_timeout; /* seconds of inactivity */
    unsigned connection_limit;
    const char *cert_file;      /* PEM: server certificate (chain) */
    const char *key_file;       /* PEM: its private key */
    const char *client_ca_file; /* PEM: CAs for client certificates; NULL: no client auth */
    const char *crl_file;       /* PEM CRLs for client certificates; optional */
    const char *priorities;     /* GnuTLS priority string */
};

struct sm_http_server;

/* Start listening. Returns 0 with *out set, or a negative errno with why filled. */
int sm_http_server_start(const struct sm_http_server_config *cfg, sm_http_handler_fn fn, void *arg,
                         struct sm_http_server **out, char *why, size_t whylen);
/* The port actually bound. */
uint16_t sm_http_server_port(const struct sm_http_server *s);
/* Stop accepting, finish running requests, release everything. NULL is allowed. */
void sm_http_server_stop(struct sm_http_server *s);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t sm_now_ns(void);

#endif
