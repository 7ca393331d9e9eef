/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <openssl/sha.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm/api.h"
#include "sm/err.h"
#include "sm/log.h"

/* Metrics: per route (plus pseudo-routes), counters by HTTP status and by execution status, and
 * a latency histogram. Lock-free: relaxed atomics, read by /metrics. */
static const int status_codes[] = {200, 202, 400, 403, 404, 405, 409, 413, 500, 501, 503};
#define NSTATUS (sizeof(status_codes) / sizeof(status_codes[0]) + 1) /* +1: any other */
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                 0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_metrics {
    char name[96];
    _Atomic unsigned long by_status[NSTATUS];
    _Atomic unsigned long by_exec[SM_EXEC_EXPIRED + 1];
    _Atomic unsigned long bucket[NBUCKETS];
    _Atomic unsigned long count;
    _Atomic unsigned long long sum_ns;
};

enum pseudo_route { PR_HEALTH, PR_METRICS, PR_OPERATIONS, PR_OTHER, PR_COUNT };
static const char *const pseudo_names[PR_COUNT] = {"health", "metrics", "operations", "other"};

struct sm_api {
    struct sm_api_config cfg;
    struct route_metrics *m; /* nroutes + PR_COUNT */
    int64_t started_ms;
};

void sm_rfc3339(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint32_t sm_today(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

int64_t sm_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sm_api_new(const struct sm_api_config *cfg, struct sm_api **out)
{
    struct sm_api *api = calloc(1, sizeof(*api));

    if (!api)
        return -ENOMEM;
    api->cfg = *cfg;
    api->m = calloc(cfg->nroutes + PR_COUNT, sizeof(*api->m));
    if (!api->m) {
        free(api);
        return -ENOMEM;
    }
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct sm_api_route *r = &cfg->routes[i];

        for (size_t j = 0; j < i; j++) {
            if (!strcmp(r->iface, cfg->routes[j].iface) &&
                !strcmp(r->function, cfg->routes[j].function)) {
                sm_api_free(api);
                return -EINVAL;
            }
        }
        snprintf(api->m[i].name, sizeof(api->m[i].name), "%s.%s", r->iface, r->function);
    }
    for (int i = 0; i < PR_COUNT; i++)
        snprintf(api->m[cfg->nroutes + (size_t)i].name, sizeof(api->m[0].name), "%s",
                 pseudo_names[i]);
    api->started_ms = sm_wall_ms();
    *out = api;
    return 0;
}

void sm_api_free(struct sm_api *api)
{
    if (!api)
        return;
    free(api->m);
    free(api);
}

static void observe(struct route_metrics *m, int http_status, int exec_status, uint64_t start_ns)
{
    uint64_t ns = sm_now_ns() - start_ns;
    double s = (double)ns / 1e9;
    size_t i = 0;

    while (i < NSTATUS - 1 && status_codes[i] != http_status)
        i++;
    atomic_fetch_add_explicit(&m->by_status[i], 1, memory_order_relaxed);
    if (exec_status >= 0)
        atomic_fetch_add_explicit(&m->by_exec[exec_status], 1, memory_order_relaxed);
    for (size_t b = 0; b < NBUCKETS; b++)
        if (s <= buckets[b])
            atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, ns, memory_order_relaxed);
}

int sm_api_metrics(struct sm_api *api, struct sm_buf *b)
{
    size_t n = api->cfg.nroutes + PR_COUNT;
    const char *d = api->cfg.daemon;
    int rc = 0;

    rc |= sm_buf_printf(b, "# HELP sm_requests_total HTTP requests by function and status code.\n"
                           "# TYPE sm_requests_total counter\n");
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < NSTATUS; i++) {
            unsigned long v = atomic_load_explicit(&api->m[r].by_status[i], memory_order_relaxed);
            if (!v)
                continue;
            if (i < NSTATUS - 1)
                rc |= sm_buf_printf(
                    b, "sm_requests_total{daemon=\"%s\",function=\"%s\",code=\"%d\"} %lu\n", d,
                    api->m[r].name, status_codes[i], v);
            else
                rc |= sm_buf_printf(
                    b, "sm_requests_total{daemon=\"%s\",function=\"%s\",code=\"other\"} %lu\n", d,
                    api->m[r].name, v);
        }
    }
    rc |= sm_buf_printf(
        b, "# HELP sm_function_results_total Function results by SGP.02 execution status.\n"
           "# TYPE sm_function_results_total counter\n");
    for (size_t r = 0; r < n; r++) {
        for (int e = 0; e <= SM_EXEC_EXPIRED; e++) {
            unsigned long v = atomic_load_explicit(&api->m[r].by_exec[e], memory_order_relaxed);
            if (v)
                rc |= sm_buf_printf(
                    b,
                    "sm_function_results_total{daemon=\"%s\",function=\"%s\",status=\"%s\"} %lu\n",
                    d, api->m[r].name, sm_exec_status_name((enum sm_exec_status)e), v);
        }
    }
    rc |= sm_buf_printf(
        b, "# HELP sm_request_duration_seconds Time from request headers to response.\n"
           "# TYPE sm_request_duration_seconds histogram\n");
    for (size_t r = 0; r < n; r++) {
        unsigned long count = atomic_load_explicit(&api->m[r].count, memory_order_relaxed);
        if (!count)
            continue;
        for (size_t i = 0; i < NBUCKETS; i++)
            rc |= sm_buf_printf(
                b,
                "sm_request_duration_seconds_bucket{daemon=\"%s\",function=\"%s\",le=\"%g\"} %lu\n",
                d, api->m[r].name, buckets[i],
                atomic_load_explicit(&api->m[r].bucket[i], memory_order_relaxed));
        rc |= sm_buf_printf(
            b,
            "sm_request_duration_seconds_bucket{daemon=\"%s\",function=\"%s\",le=\"+Inf\"} %lu\n",
            d, api->m[r].name, count);
        rc |= sm_buf_printf(
            b, "sm_request_duration_seconds_sum{daemon=\"%s\",function=\"%s\"} %.6f\n", d,
            api->m[r].name,
            (double)atomic_load_explicit(&api->m[r].sum_ns, memory_order_relaxed) / 1e9);
        rc |= sm_buf_printf(
            b, "sm_request_duration_seconds_count{daemon=\"%s\",function=\"%s\"} %lu\n", d,
            api->m[r].name, count);
    }
    rc |= sm_buf_printf(b,
                        "# HELP sm_db_errors_total Storage errors since start.\n"
                        "# TYPE sm_db_errors_total counter\n"
                        "sm_db_errors_total{daemon=\"%s\"} %lu\n",
                        d, api->cfg.store_ops->error_count(api->cfg.store));
    rc |= sm_buf_printf(b,
                        "# HELP sm_start_time_seconds Start time of the daemon.\n"
                        "# TYPE sm_start_time_seconds gauge\n"
                        "sm_start_time_seconds{daemon=\"%s\"} %lld\n",
                        d, (long long)(api->started_ms / 1000));
    if (!rc && api->cfg.metrics)
        rc = api->cfg.metrics(api->cfg.app, b);
    return rc ? -ENOMEM : 0;
}

/* ---- responses ---- */

static void respond_json(struct sm_http_response *resp, int http, json_t *root)
{
    char *text = sm_json_dump(root);

    resp->status = http;
    resp->content_type = "application/json";
    if (!text || sm_buf_append_str(&resp->body, text)) {
        resp->status = 500;
        sm_buf_reset(&resp->body);
    }
    free(text);
}

/* A body carrying only header.functionExecutionStatus. */
static void respond_status(struct sm_http_response *resp, const struct sm_status *st)
{
    json_t *root = json_object();

    if (root && sm_resp_set_header(root, st) == 0)
        respond_json(resp, st->http_status, root);
    else
        resp->status = 500;
    json_decref(root);
}

static void fail(struct sm_http_response *resp, int http, const char *subject, const char *reason,
                 const char *sid, const char *msg)
{
    struct sm_status st;

    sm_status_fail(&st, http, subject, reason, sid, "%s", msg);
    respond_status(resp, &st);
}

/* ---- authentication ---- */

/* Map the verified client certificate to an entity. Returns 0, or fills resp and returns -1. */
static int authenticate(struct sm_api *api, const struct sm_http_request *req,
                        struct sm_entity *who, struct sm_http_response *resp)
{
    const struct sm_http_peer *p = req->peer;
    char msg[200];
    int rc;

    if (!p->has_cert || !p->verified) {
        snprintf(msg, sizeof(msg), "client not authenticated: %s", p->why);
        SM_LOGN(SM_LOG_TLS, p->has_cert ? p->cert.subject : "-", "refused: %s", p->why);
        fail(resp, 403, SM_SUBJ_REQUESTER, SM_RSN_UNKNOWN_REQUESTER, NULL, msg);
        return -1;
    }
    if (p->test_cert && !api->cfg.test_mode) {
        SM_LOGW(SM_LOG_TLS, p->cert.subject, "refused a test certificate: test_mode is off");
        fail(resp, 403, SM_SUBJ_REQUESTER, SM_RSN_UNKNOWN_REQUESTER, NULL,
             "test certificates are not accepted by this server");
        return -1;
    }
    rc = api->cfg.store_ops->entity_by_cert(api->cfg.store, p->cert.fingerprint, who);
    if (rc == -ENOENT) {
        SM_LOGN(SM_LOG_TLS, p->cert.subject, "refused: certificate %s is not registered",
                p->cert.fingerprint_hex);
        fail(resp, 403, SM_SUBJ_REQUESTER, SM_RSN_UNKNOWN_REQUESTER, NULL,
             "client certificate is not registered for any entity");
        return -1;
    }
    if (rc) {
        fail(resp, 503, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, NULL, "storage unavailable");
        return -1;
    }
    return 0;
}

/* ---- POST /gsma/<iface>/<function> ---- */

static const struct sm_api_route *find_route(struct sm_api *api, const char *iface,
                                             const char *function, size_t *idx)
{
    for (size_t i = 0; i < api->cfg.nroutes; i++) {
        const struct sm_api_route *r = &api->cfg.routes[i];
        if (!strcmp(r->iface, iface) && !strcmp(r->function, function)) {
            *idx = i;
            return r;
        }
    }
    return NULL;
}

static const struct sm_json_field no_members[] = {{NULL, 0, false, 0, NULL, NULL, NULL, 0, 0}};

/* SHA-256 over the canonical form of the body without its header: a retry must carry the
 * same request, whatever its key order or validity period. */
static int body_hash(const json_t *root, uint8_t out[32])
{
    json_t *copy = json_copy((json_t *)root);
    char *text;

    if (!copy)
        return -ENOMEM;
    json_object_del(copy, "header");
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(copy);
    if (!text)
        return -ENOMEM;
    SHA256((const unsigned char *)text, strlen(text), out);
    free(text);
    return 0;
}

static json_t *operation_json(const struct sm_api_call_record *rec)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "functionCallIdentifier", rec->call_id, "function",
                          rec->function, "state", rec->state);

    if (o && rec->response) {
        json_t *r = json_loads(rec->response, 0, NULL);
        if (r)
            json_object_set_new(o, "response", r);
    }
    return o;
}

static void replay(struct sm_http_response *resp, const struct sm_api_call_record *rec)
{
    json_t *o;

    if (!strcmp(rec->state, "done") && rec->response) {
        resp->status = rec->http_status;
        resp->content_type = "application/json";
        if (sm_buf_append_str(&resp->body, rec->response))
            resp->status = 500;
        return;
    }
    o = operation_json(rec);
    if (!o) {
        resp->status = 500;
        return;
    }
    respond_json(resp, 202, o);
    json_decref(o);
}

static int handle_function(struct sm_api *api, const struct sm_http_request *req,
                           const struct sm_entity *who, const struct sm_api_route *route,
                           struct sm_http_response *resp, struct sm_status *st)
{
    struct sm_api_call_record rec = {0}, existing = {0};
    struct sm_req_header hdr;
    json_t *root = NULL, *rest = NULL, *out = NULL;
    int rc, exec = -1;

    if (req->error == SM_HTTP_REQ_TOO_LARGE) {
        sm_status_fail(st, 413, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL,
                       "request body larger than the server accepts");
        respond_status(resp, st);
        return SM_EXEC_FAILED;
    }
    if (!(route->roles & who->role)) {
        SM_LOGN(SM_LOG_API, who->id, "%s (%s) may not call %s.%s", who->name,
                sm_role_name(who->role), route->iface, route->function);
        sm_status_fail(st, 403, SM_SUBJ_REQUESTER, SM_RSN_NOT_ALLOWED, who->id,
                       "role %s may not call %s.%s", sm_role_name(who->role), route->iface,
                       route->function);
        respond_status(resp, st);
        return SM_EXEC_FAILED;
    }
    root = sm_json_parse_body(req->body, req->body_len, st);
    if (!root)
        goto refuse;
    if (sm_req_header_parse(root, &hdr, st))
        goto refuse;
    if (strcmp(hdr.requester, who->id)) {
        sm_status_fail(st, 403, SM_SUBJ_REQUESTER, SM_RSN_NOT_ALLOWED, hdr.requester,
                       "functionRequesterIdentifier does not match the client certificate");
        goto refuse;
    }
    if (!route->fn) {
        sm_status_fail(st, 501, SM_SUBJ_FUNCTION, SM_RSN_UNSUPPORTED, NULL,
                       "%s.%s is not provided by this server version", route->iface,
                       route->function);
        goto refuse;
    }
    rest = json_copy(root);
    if (!rest) {
        rc = -ENOMEM;
        goto internal;
    }
    json_object_del(rest, "header");
    if (sm_json_check(rest, route->body ? route->body : no_members, "request", st))
        goto refuse;

    /* journal the call before acting on it: retries are recognised, nothing runs twice */
    snprintf(rec.requester, sizeof(rec.requester), "%s", who->id);
    snprintf(rec.call_id, sizeof(rec.call_id), "%s", hdr.call_id);
    snprintf(rec.function, sizeof(rec.function), "%s.%s", route->iface, route->function);
    snprintf(rec.state, sizeof(rec.state), "accepted");
    rec.received_ms = sm_wall_ms();
    rec.deadline_ms = hdr.has_validity ? rec.received_ms + hdr.validity_period * 1000 : 0;
    rc = body_hash(root, rec.request_hash);
    if (rc)
        goto internal;
    rc = api->cfg.store_ops->call_begin(api->cfg.store, &rec, &existing);
    if (rc == -EEXIST) {
        if (strcmp(existing.function, rec.function) ||
            memcmp(existing.request_hash, rec.request_hash, 32)) {
            sm_status_fail(st, 409, SM_SUBJ_FUNCTION, SM_RSN_ALREADY_IN_USE, hdr.call_id,
                           "functionCallIdentifier already used for a different request");
            free(existing.response);
            goto refuse;
        }
        SM_LOGI(SM_LOG_API, hdr.call_id, "retry of %s by %s: answering from the journal",
                rec.function, who->name);
        replay(resp, &existing);
        free(existing.response);
        json_decref(root);
        json_decref(rest);
        return -1;
    }
    if (rc) {
        sm_status_fail(st, 503, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, NULL,
                       "storage unavailable, request not accepted");
        goto refuse;
    }

    {
        struct sm_api_call call = {.api = api,
                                   .route = route,
                                   .caller = who,
                                   .header = &hdr,
                                   .request = root,
                                   .app = api->cfg.app,
                                   .now_ms = rec.received_ms};
        out = json_object();
        if (!out) {
            rc = -ENOMEM;
            goto forget;
        }
        sm_status_ok(st);
        rc = route->fn(&call, out, st);
    }
    if (rc < 0)
        goto forget;
    if (rc == SM_API_ACCEPTED) {
        json_t *o = operation_json(&rec);
        respond_json(resp, 202, o);
        json_decref(o);
    } else {
        char *text;

        if (sm_resp_set_header(out, st)) {
            rc = -ENOMEM;
            goto forget;
        }
        text = sm_json_dump(out);
        if (!text) {
            rc = -ENOMEM;
            goto forget;
        }
        if (rc == SM_API_RETRY) {
            rc = api->cfg.store_ops->call_forget(api->cfg.store, rec.requester, rec.call_id);
            if (rc) {
                /* the call stays journaled: it must not be answered as if nothing was done */
                free(text);
                goto forget;
            }
        } else {
            /* the handler's work is committed: its outcome is the answer even when the journal
             * cannot take it (tried three times; an unfinished synchronous call is forgotten
             * at the next start, and a retry then meets the state the handler left) */
            for (int i = 0; i < 3; i++) {
                rc = api->cfg.store_ops->call_finish(api->cfg.store, rec.requester, rec.call_id,
                                                     st->http_status, text, sm_wall_ms());
                if (!rc)
                    break;
                usleep(50 * 1000);
            }
            if (rc)
                SM_LOGE(SM_LOG_API, hdr.call_id, "%s.%s: outcome not journaled: %s", route->iface,
                        route->function, sm_strerror(rc));
        }
        resp->status = st->http_status;
        resp->content_type = "application/json";
        sm_buf_append_str(&resp->body, text);
        free(text);
        exec = (int)st->status;
    }
    json_decref(root);
    json_decref(rest);
    json_decref(out);
    return exec;

forget:
    api->cfg.store_ops->call_forget(api->cfg.store, rec.requester, rec.call_id);
internal:
    SM_LOGE(SM_LOG_API, hdr.call_id, "%s.%s failed internally: %s", route->iface, route->function,
            sm_strerror(rc));
    sm_status_fail(st, rc == -EIO ? 503 : 500, SM_SUBJ_PROVIDER, SM_RSN_EXECUTION_ERROR, NULL,
                   "internal error; the request was not executed and may be retried");
refuse:
    respond_status(resp, st);
    json_decref(root);
    json_decref(rest);
    json_decref(out);
    return SM_EXEC_FAILED;
}

/* ---- GET endpoints ---- */

static void handle_operation(struct sm_api *api, const struct sm_entity *who, const char *id,
                             struct sm_http_response *resp)
{
    struct sm_api_call_record rec = {0};
    int rc = api->cfg.store_ops->call_get(api->cfg.store, who->id, id, &rec);
    json_t *o;

    if (rc == -ENOENT) {
        fail(resp, 404, SM_SUBJ_FUNCTION, SM_RSN_UNKNOWN, id, "no call with this identifier");
        return;
    }
    if (rc) {
        fail(resp, 503, SM_SUBJ_PROVIDER, SM_RSN_UNAVAILABLE, NULL, "storage unavailable");
        return;
    }
    o = operation_json(&rec);
    free(rec.response);
    if (!o) {
        resp->status = 500;
        return;
    }
    respond_json(resp, 200, o);
    json_decref(o);
}

/* POST /gsma/operations: the result of a call this daemon made, at its callback URL. */
static void handle_callback(struct sm_api *api, const struct sm_http_request *req,
                            const struct sm_entity *who, struct sm_http_response *resp)
{
    struct sm_status st;
    json_t *root;

    sm_status_ok(&st);
    if (strcmp(req->method, "POST")) {
        sm_http_response_add_header(resp, "Allow", "POST");
        fail(resp, 405, SM_SUBJ_PROTOCOL, SM_RSN_UNSUPPORTED, NULL, "results are POSTed");
        return;
    }
    if (!api->cfg.callback) {
        fail(resp, 404, SM_SUBJ_FUNCTION, SM_RSN_UNKNOWN, NULL,
             "this server makes no calls whose results come back");
        return;
    }
    if (req->error == SM_HTTP_REQ_TOO_LARGE) {
        fail(resp, 413, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL,
             "request body larger than the server accepts");
        return;
    }
    root = sm_json_parse_body(req->body, req->body_len, &st);
    if (root && !json_is_string(json_object_get(root, "functionCallIdentifier")))
        sm_status_fail(&st, 400, SM_SUBJ_FORMAT, SM_RSN_MANDATORY_MISSING, "functionCallIdentifier",
                       "functionCallIdentifier is missing");
    else if (root && api->cfg.callback(api->cfg.app, who, root, &st) == 0)
        sm_status_ok(&st);
    json_decref(root);
    respond_status(resp, &st);
}

static void handle_health(struct sm_api *api, struct sm_http_response *resp)
{
    int db = api->cfg.store_ops->ping(api->cfg.store);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "status", db ? "degraded" : "ok", "daemon",
                  api->cfg.daemon, "id", api->cfg.self_id ? api->cfg.self_id : "", "version",
                  api->cfg.version ? api->cfg.version : "", "database", db ? "unavailable" : "ok",
                  "uptimeSeconds", (json_int_t)((sm_wall_ms() - api->started_ms) / 1000));

    if (!o) {
        resp->status = 500;
        return;
    }
    json_object_set_new(o, "testMode", json_boolean(api->cfg.test_mode));
    respond_json(resp, db ? 503 : 200, o);
    json_decref(o);
}

/* ---- entry point ---- */

/* Split "/gsma/<iface>/<function>" without copying more than fits. */
static bool split_function_path(const char *path, char *iface, size_t il, char *fn, size_t fl)
{
    const char *p = path + strlen("/gsma/"), *slash = strchr(p, '/');

    if (!slash || (size_t)(slash - p) >= il || strlen(slash + 1) >= fl || !slash[1] ||
        strchr(slash + 1, '/'))
        return false;
    memcpy(iface, p, (size_t)(slash - p));
    iface[slash - p] = 0;
    strcpy(fn, slash + 1);
    return true;
}

void sm_api_http_handler(void *arg, const struct sm_http_request *req,
                         struct sm_http_response *resp)
{
    struct sm_api *api = arg;
    struct sm_entity who;
    struct sm_status st;
    size_t ridx = api->cfg.nroutes + PR_OTHER;
    int exec = -1;
    char iface[16], fn[64];
    const char *caller = "-";

    sm_status_ok(&st);
    if (authenticate(api, req, &who, resp))
        goto done;
    caller = who.name;
    if (!strcmp(req->path, "/gsma/operations")) {
        ridx = api->cfg.nroutes + PR_OPERATIONS;
        handle_callback(api, req, &who, resp);
    } else if (!strncmp(req->path, "/gsma/operations/", 17) && req->path[17]) {
        ridx = api->cfg.nroutes + PR_OPERATIONS;
        if (strcmp(req->method, "GET")) {
            sm_http_response_add_header(resp, "Allow", "GET");
            fail(resp, 405, SM_SUBJ_PROTOCOL, SM_RSN_UNSUPPORTED, NULL, "use GET");
        } else if (strlen(req->path + 17) > SM_ID_MAX) {
            fail(resp, 404, SM_SUBJ_FUNCTION, SM_RSN_UNKNOWN, NULL, "no call with this identifier");
        } else {
            handle_operation(api, &who, req->path + 17, resp);
        }
    } else if (!strncmp(req->path, "/gsma/", 6)) {
        const struct sm_api_route *route = NULL;

        if (split_function_path(req->path, iface, sizeof(iface), fn, sizeof(fn)))
            route = find_route(api, iface, fn, &ridx);
        if (!route) {
            fail(resp, 404, SM_SUBJ_FUNCTION, SM_RSN_UNKNOWN, NULL,
                 "no such function on this server");
        } else if (strcmp(req->method, "POST")) {
            sm_http_response_add_header(resp, "Allow", "POST");
            fail(resp, 405, SM_SUBJ_PROTOCOL, SM_RSN_UNSUPPORTED, NULL,
                 "SGP.02 functions are called with POST");
        } else {
            exec = handle_function(api, req, &who, route, resp, &st);
        }
    } else if (!strcmp(req->path, "/health")) {
        ridx = api->cfg.nroutes + PR_HEALTH;
        handle_health(api, resp);
    } else if (!strcmp(req->path, "/metrics")) {
        ridx = api->cfg.nroutes + PR_METRICS;
        if (who.role != SM_ROLE_ADMIN) {
            fail(resp, 403, SM_SUBJ_REQUESTER, SM_RSN_NOT_ALLOWED, who.id,
                 "metrics are for the admin role");
        } else if (sm_api_metrics(api, &resp->body)) {
            resp->status = 500;
        } else {
            resp->status = 200;
            resp->content_type = "text/plain; version=0.0.4";
        }
    } else {
        fail(resp, 404, SM_SUBJ_PROTOCOL, SM_RSN_UNKNOWN, NULL, "no such resource");
    }
done:
    observe(&api->m[ridx], resp->status, exec, req->start_ns);
    sm_log(SM_LOG_API, resp->status >= 500 && resp->status != 501 ? SM_LOG_WARN : SM_LOG_INFO,
           caller, "%s %s -> %d", req->method, req->path, resp->status);
}
