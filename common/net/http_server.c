/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "sm/durable.h"
#include "sm/http_server.h"
#include "sm/log.h"

struct sm_http_server {
    struct MHD_Daemon *mhd;
    sm_http_handler_fn fn;
    void *arg;
    size_t body_limit;
    uint16_t port;
    struct sm_trust *trust; /* NULL: client certificates are not asked for */
    char *cert_pem, *key_pem, *ca_pem;
};

/* Per connection: the result of verifying the client certificate, done once. */
struct conn_state {
    bool checked;
    struct sm_http_peer peer;
};

/* Per request: made on the first callback, freed in the completion callback. */
struct req_state {
    struct sm_buf body;
    bool too_large; /* over the limit: the rest is read and dropped, then 413 */
    size_t dropped;
    bool answered;
    uint64_t start_ns;
};

/* An oversized body is read and dropped (so the client, still sending, reliably gets the 413
 * instead of a reset connection) up to this many times the limit; beyond, the 413 goes out at
 * once and the connection is closed. */
#define DRAIN_FACTOR 8

uint64_t sm_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *sm_http_request_header(const struct sm_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int sm_http_response_add_header(struct sm_http_response *resp, const char *name, const char *value)
{
    if (resp->nheaders >= SM_HTTP_MAX_EXTRA_HEADERS)
        return -ENOSPC;
    resp->headers[resp->nheaders].name = name;
    snprintf(resp->headers[resp->nheaders].value, sizeof(resp->headers[0].value), "%s", value);
    resp->nheaders++;
    return 0;
}

static void check_peer(struct sm_http_server *s, struct MHD_Connection *c, struct conn_state *cs)
{
    const union MHD_ConnectionInfo *ci;
    const gnutls_datum_t *certs;
    unsigned n = 0;
    const uint8_t *der[8];
    size_t len[8];

    cs->checked = true;
    memset(&cs->peer, 0, sizeof(cs->peer));
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session) {
        snprintf(cs->peer.why, sizeof(cs->peer.why), "not a TLS connection");
        return;
    }
    certs = gnutls_certificate_get_peers(ci->tls_session, &n);
    if (!certs || n == 0) {
        snprintf(cs->peer.why, sizeof(cs->peer.why), "no client certificate");
        return;
    }
    cs->peer.has_cert = true;
    if (sm_cert_info_der(certs[0].data, certs[0].size, &cs->peer.cert)) {
        snprintf(cs->peer.why, sizeof(cs->peer.why), "client certificate cannot be parsed");
        return;
    }
    cs->peer.test_cert = cs->peer.cert.is_test;
    if (n > 8)
        n = 8;
    for (unsigned i = 0; i < n; i++) {
        der[i] = certs[i].data;
        len[i] = certs[i].size;
    }
    if (sm_trust_verify(s->trust, der, len, n, SM_PURPOSE_CLIENT, cs->peer.why,
                        sizeof(cs->peer.why)) == 0)
        cs->peer.verified = true;
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct sm_http_response *r)
{
    static const char unavailable[] =
        "{\"header\":{\"functionExecutionStatus\":{\"status\":\"Failed\",\"statusCodeData\":{"
        "\"subjectCode\":\"1.2\",\"reasonCode\":\"3.7\",\"message\":\"storage unavailable\"}}}}";
    struct MHD_Response *mr;
    size_t len;
    uint8_t *data = sm_buf_take(&r->body, &len);
    enum MHD_Result ret;

    /* what the answer reports must be on disk first (group commit, sm/durable.h) */
    if (sm_durable()) {
        free(data);
        data = NULL;
        r->status = 503;
        r->content_type = "application/json";
        mr = MHD_create_response_from_buffer(sizeof(unavailable) - 1, (void *)unavailable,
                                             MHD_RESPMEM_PERSISTENT);
        if (!mr)
            return MHD_NO;
        ret = MHD_queue_response(c, 503, mr);
        MHD_destroy_response(mr);
        return ret;
    }
    mr = MHD_create_response_from_buffer(len, data ? data : (uint8_t *)"",
                                         data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!mr) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    for (unsigned i = 0; i < r->nheaders; i++)
        MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
    ret = MHD_queue_response(c, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result dispatch(struct sm_http_server *s, struct MHD_Connection *c, const char *url,
                                const char *method, struct req_state *rs)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_state *cs = ci ? ci->socket_context : NULL;
    static const struct sm_http_peer no_peer = {.why = "client certificates not requested"};
    struct sm_http_request req = {
        .method = method,
        .path = url,
        .body = rs->too_large ? NULL : rs->body.data,
        .body_len = rs->too_large ? 0 : rs->body.len,
        .error = rs->too_large ? SM_HTTP_REQ_TOO_LARGE : SM_HTTP_REQ_OK,
        .start_ns = rs->start_ns,
        .conn = c,
    };
    struct sm_http_response resp = {.status = 500};
    enum MHD_Result ret;

    if (rs->answered)
        return MHD_YES;
    rs->answered = true;

    if (s->trust && cs) {
        if (!cs->checked)
            check_peer(s, c, cs);
        req.peer = &cs->peer;
    } else {
        req.peer = &no_peer;
    }
    s->fn(s->arg, &req, &resp);
    ret = send_response(c, &resp);
    sm_buf_free(&resp.body);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct sm_http_server *s = cls;
    struct req_state *rs = *req_cls;

    if (!rs) {
        const char *cl, *expect;

        rs = calloc(1, sizeof(*rs));
        if (!rs)
            return MHD_NO;
        rs->start_ns = sm_now_ns();
        rs->body.limit = s->body_limit;
        *req_cls = rs;
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        if (cl) {
            char *end;
            unsigned long long v = strtoull(cl, &end, 10);

            if (*end == 0 && v > s->body_limit) {
                rs->too_large = true;
                /* the client waits for "100 Continue" or would send too much: answer now */
                if (expect || v / DRAIN_FACTOR > s->body_limit)
                    return dispatch(s, c, url, method, rs);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rs->too_large && sm_buf_append(&rs->body, upload_data, *upload_data_size)) {
            rs->too_large = true;
            sm_buf_free(&rs->body);
        }
        if (rs->too_large) {
            rs->dropped += *upload_data_size;
            if (rs->dropped / DRAIN_FACTOR > s->body_limit) {
                /* endless body: answer now; libmicrohttpd closes the connection after it */
                *upload_data_size = 0;
                return dispatch(s, c, url, method, rs);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(s, c, url, method, rs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_state *rs = *req_cls;

    if (!rs)
        return;
    sm_buf_free(&rs->body);
    free(rs);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(struct conn_state));
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's logger hands us its own format strings */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    size_t n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    /* TLS handshake failures from scanners and wrong clients are routine: debug level */
    sm_log(SM_LOG_HTTP, SM_LOG_DEBUG, NULL, "libmicrohttpd: %s", msg);
}

static char *load_pem(const char *path, char *why, size_t whylen)
{
    gnutls_datum_t d = {NULL, 0};
    char *s;

    if (gnutls_load_file(path, &d) < 0) {
        snprintf(why, whylen, "cannot read %s", path);
        return NULL;
    }
    s = malloc(d.size + 1);
    if (s) {
        memcpy(s, d.data, d.size);
        s[d.size] = 0;
    }
    gnutls_memset(d.data, 0, d.size); /* may be a private key */
    gnutls_free(d.data);
    return s;
}

static void free_pem(char *s)
{
    if (s) {
        gnutls_memset(s, 0, strlen(s));
        free(s);
    }
}

/* libmicrohttpd only says "failed" on a bad pair: check it first for a useful message. */
static int check_key_pair(const char *cert, const char *key, char *why, size_t whylen)
{
    gnutls_certificate_credentials_t cred;
    gnutls_datum_t c = {(unsigned char *)cert, (unsigned)strlen(cert)};
    gnutls_datum_t k = {(unsigned char *)key, (unsigned)strlen(key)};
    int rc;

    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return -ENOMEM;
    rc = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM);
    gnutls_certificate_free_credentials(cred);
    if (rc < 0) {
        snprintf(why, whylen, "server certificate and key unusable: %s", gnutls_strerror(rc));
        return -EINVAL;
    }
    return 0;
}

static void server_free(struct sm_http_server *s)
{
    sm_trust_free(s->trust);
    free_pem(s->cert_pem);
    free_pem(s->key_pem);
    free_pem(s->ca_pem);
    free(s);
}

int sm_http_server_start(const struct sm_http_server_config *cfg, sm_http_handler_fn fn, void *arg,
                         struct sm_http_server **out, char *why, size_t whylen)
{
    struct sm_http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *di;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS | MHD_USE_ERROR_LOG;
    int rc;

    if (!s)
        return -ENOMEM;
    s->fn = fn;
    s->arg = arg;
    s->body_limit = cfg->body_limit;
    memset(&ss, 0, sizeof(ss));
    if (strchr(cfg->bind_host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(cfg->port);
        rc = inet_pton(AF_INET6, cfg->bind_host, &a->sin6_addr);
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(cfg->port);
        rc = inet_pton(AF_INET, cfg->bind_host, &a->sin_addr);
    }
    if (rc != 1) {
        snprintf(why, whylen, "bind address %s is not a numeric address", cfg->bind_host);
        server_free(s);
        return -EINVAL;
    }
    s->cert_pem = load_pem(cfg->cert_file, why, whylen);
    s->key_pem = s->cert_pem ? load_pem(cfg->key_file, why, whylen) : NULL;
    if (!s->key_pem) {
        server_free(s);
        return -ENOENT;
    }
    rc = check_key_pair(s->cert_pem, s->key_pem, why, whylen);
    if (rc) {
        server_free(s);
        return rc;
    }
    if (cfg->client_ca_file) {
        s->ca_pem = load_pem(cfg->client_ca_file, why, whylen);
        if (!s->ca_pem) {
            server_free(s);
            return -ENOENT;
        }
        rc = sm_trust_load(cfg->client_ca_file, cfg->crl_file, &s->trust, why, whylen);
        if (rc) {
            server_free(s);
            return rc;
        }
    }
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 1u,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, MHD_OPTION_CONNECTION_LIMIT,
        cfg->connection_limit ? cfg->connection_limit : 256u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, s, MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, s->key_pem,
        MHD_OPTION_HTTPS_PRIORITIES,
        cfg->priorities ? cfg->priorities : "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
        s->ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, s->ca_pem, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(why, whylen,
                 "cannot listen on %s:%u (address in use, bad certificate/key, or "
                 "bad TLS priorities)",
                 cfg->bind_host, cfg->port);
        server_free(s);
        return -EADDRINUSE;
    }
    di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    *out = s;
    return 0;
}

uint16_t sm_http_server_port(const struct sm_http_server *s)
{
    return s->port;
}

void sm_http_server_stop(struct sm_http_server *s)
{
    if (!s)
        return;
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    server_free(s);
}
