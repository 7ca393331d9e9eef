/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_API_H
#define SM_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sm/api_header.h"
#include "sm/entity.h"
#include "sm/http_server.h"
#include "sm/json.h"
#include "sm/status.h"

/*
 * The API edge of a daemon: everything between an HTTPS request and the handler of one ES
 * function. In order, for POST /gsma/<iface>/<function>:
 *   1. the client certificate (verified by the HTTP server) is mapped to an entity through the
 *      daemon's database; no, unknown, untrusted, expired or (outside test_mode) test
 *      certificates are refused (403, 1.1 / 1.1);
 *   2. the route table finds the function (404 otherwise) and checks the caller's role
 *      (403, 1.1 / 1.2);
 *   3. the body is parsed as JSON, the common header and the function's members are checked
 *      strictly (400, format codes), functionRequesterIdentifier must be the caller's OID;
 *   4. the call is journaled by (requester, functionCallIdentifier) and committed before the
 *      handler runs: a repeated identifier is a retry and gets the recorded answer;
 *   5. the handler decides; its result is recorded, then sent.
 * Also served: GET /gsma/operations/<functionCallIdentifier> (the caller's own calls),
 * GET /health (any registered entity) and GET /metrics (admin role, Prometheus text format).
 */

struct sm_api;
struct sm_api_route;

struct sm_api_call {
    struct sm_api *api;
    const struct sm_api_route *route;
    const struct sm_entity *caller;
    const struct sm_req_header *header;
    const json_t *request; /* the whole request object, header included */
    void *app;             /* the daemon's context (sm_api_config.app) */
    int64_t now_ms;        /* wall clock when the request arrived */
};

enum sm_api_outcome {
    SM_API_DONE = 0,     /* answered now (HTTP 200 unless st says otherwise) */
    SM_API_ACCEPTED = 1, /* persisted for asynchronous execution: HTTP 202 */
    SM_API_RETRY = 2,    /* answered now (st), not journaled: a retry of the call runs it again
                            (something downstream failed for the moment; nothing was done) */
};

/*
 * A function handler: decide, fill out (response members besides the header) and st.
 * Returns SM_API_DONE, SM_API_ACCEPTED, or a negative errno for an internal failure (the edge
 * answers 500 and forgets the call so that a retry runs it again; the handler must then have
 * changed nothing).
 */
typedef int (*sm_api_handler_fn)(struct sm_api_call *call, json_t *out, struct sm_status *st);

struct sm_api_route {
    const char *iface;    /* "es2" */
    const char *function; /* "downloadProfile" */
    unsigned roles;       /* enum sm_role bits allowed to call it */
    sm_api_handler_fn fn; /* NULL: in the catalogue but not provided by this build (501) */
    const struct sm_json_field *body; /* members besides "header"; NULL: only the header */
    const char *spec;                 /* the clause it implements, for docs and logs */
    bool async; /* its calls outlive a restart (an engine resumes them); a synchronous call
                   left unfinished by a crash is forgotten at start so that a retry reruns it */
};

/*
 * Route table entries (smdp/routes.c, smsr/routes.c): SM_ROUTE_TODO is a function of the
 * catalogue this build does not provide yet (501 "unsupported" after the role and header
 * checks); SM_ROUTE a function answered synchronously; SM_ROUTE_ASYNC one answered 202 and run
 * by the daemon's engine, whose calls outlive a restart.
 */
#define SM_ROUTE_TODO(iface, fn, roles, spec)                                                      \
    {                                                                                              \
        iface, fn, roles, NULL, NULL, spec, false                                                  \
    }
#define SM_ROUTE(iface, fn, roles, handler, body, spec)                                            \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, false                                               \
    }
#define SM_ROUTE_ASYNC(iface, fn, roles, handler, body, spec)                                      \
    {                                                                                              \
        iface, fn, roles, handler, body, spec, true                                                \
    }

/* One journaled call (table api_call). */
struct sm_api_call_record {
    char requester[SM_ID_MAX + 1];
    char call_id[SM_ID_MAX + 1];
    char function[96];        /* "es2.downloadProfile" */
    uint8_t request_hash[32]; /* SHA-256 of the canonical body without header */
    char state[16];           /* accepted | in-progress | done */
    int http_status;
    char *response; /* JSON text once done (malloc'd; free()) */
    int64_t received_ms, deadline_ms, finished_ms;
};

/* What the edge needs from the daemon's database. All return 0 or a negative errno. */
struct sm_api_store_ops {
    /* -ENOENT when no enabled entity owns a certificate with this SHA-256 fingerprint */
    int (*entity_by_cert)(void *store, const uint8_t fingerprint[32], struct sm_entity *out);
    /* Insert rec committed; -EEXIST with *existing filled when (requester, call_id) exists */
    int (*call_begin)(void *store, const struct sm_api_call_record *rec,
                      struct sm_api_call_record *existing);
    int (*call_finish)(void *store, const char *requester, const char *call_id, int http_status,
                       const char *response, int64_t finished_ms);
    int (*call_forget)(void *store, const char *requester, const char *call_id);
    /* -ENOENT when unknown; out->response malloc'd */
    int (*call_get)(void *store, const char *requester, const char *call_id,
                    struct sm_api_call_record *out);
    int (*ping)(void *store);
    unsigned long (*error_count)(void *store);
};

struct sm_api_config {
    const char *daemon;  /* "smdp" / "smsr", for /health and metrics */
    const char *self_id; /* the daemon's own OID */
    const char *version;
    const struct sm_api_route *routes;
    size_t nroutes;
    const struct sm_api_store_ops *store_ops;
    void *store;
    void *app;
    bool test_mode; /* accept test certificates */
    /* Optional: more Prometheus text appended to /metrics (the daemon's engines), with app. */
    int (*metrics)(void *app, struct sm_buf *b);
    /*
     * Optional: POST /gsma/operations, the result of a call this daemon made to another entity
     * ({"functionCallIdentifier", "function", "state", "response"}, architecture 4) delivered to
     * its callback URL. Returns 0 (answered 200) or 1 with st set (refused).
     */
    int (*callback)(void *app, const struct sm_entity *who, const json_t *body,
                    struct sm_status *st);
};

/* Returns 0 with *out set, or -ENOMEM / -EINVAL (duplicate route). */
int sm_api_new(const struct sm_api_config *cfg, struct sm_api **out);
void sm_api_free(struct sm_api *api);
/* The sm_http_handler_fn to give the HTTPS server, with the sm_api as arg. */
void sm_api_http_handler(void *arg, const struct sm_http_request *req,
                         struct sm_http_response *resp);
/* Write the Prometheus text exposition into b. Returns 0 or -ENOMEM. */
int sm_api_metrics(struct sm_api *api, struct sm_buf *b);

/* Wall clock in milliseconds since the epoch. */
int64_t sm_wall_ms(void);
/* ms as an RFC 3339 UTC timestamp (2026-12-05T07:42:35Z), the form of completionTimestamp. */
void sm_rfc3339(int64_t ms, char out[32]);
/* The UTC day of ms as YYYYMMDD (the form of GP certificate dates). */
uint32_t sm_today(int64_t ms);

#endif
