/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ES5 over HTTPS (es5-secure-channels 3; GP Amendment B): the SM-SR's admin agent. A trigger
 * SMS (an SCP80 packet whose data is the 81 TLV) makes the card open TLS 1.2 with a PSK of its
 * ISD-R SCP81 key set to this server, then:
 *   POST <uri>            -> 200, the operation's script, X-Admin-Next-URI <uri>/<operation>
 *                            (and X-Admin-Targeted-Application for an ISD-P)
 *   POST <uri>/<op>       -> the card's response script: the engine takes it as it takes a
 *                            PoR; then the next script waiting for this card, or 204 (end).
 * The PSK identity names the card (the SGP.02 TLV 80 01 02, 81 EID, 4F ISD-R, 82 KID, 83 KVN as
 * hex, or the EID alone); requests name the operation they answer, and only that card's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "es5_engine.h"
#include "es5_https.h"
#include "es5_transport.h"
#include "isdr_keys.h"
#include "sm/durable.h"
#include "sm/err.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/keystore.h"
#include "sm/log.h"
#include "sm/secret.h"
#include "sm/tlv.h"

#define MAX_BODY (64 * 1024)

struct smsr_https {
    struct smsr_app *a;
    struct smsr_engine *g;
    struct MHD_Daemon *d;
    uint16_t port;
};

/* The card and SCP81 key version a PSK identity names. */
static int identity_card(const char *id, char eid[33], unsigned *kvn)
{
    uint8_t tlv[64];
    struct sm_decode_err err;
    struct sm_tlv t;
    size_t pos = 0;
    ssize_t n;

    *kvn = 0;
    eid[0] = 0;
    if (strlen(id) == 32 && !sm_eid_check(id)) {
        snprintf(eid, 33, "%s", id);
        return 0;
    }
    n = strlen(id) < 2 * sizeof(tlv) ? sm_hex_decode(id, tlv, sizeof(tlv)) : -1;
    if (n <= 0)
        return -EINVAL;
    while (sm_tlv_next(tlv, (size_t)n, &pos, &t, &err) == 0) {
        if (t.tag == 0x81 && t.len == 16 && sm_eid_from_bytes(t.value, eid))
            return -EINVAL;
        if (t.tag == 0x83 && t.len == 1)
            *kvn = t.value[0];
    }
    return eid[0] ? 0 : -EINVAL;
}

/* The PSK (key index 1, 16 bytes) of the card's SCP81 set kvn, or of its first one. */
static int card_psk(struct smsr_app *a, const char *eid, unsigned kvn, uint8_t psk[16])
{
    struct smsr_isdr_keys k;
    int rc = smsr_isdr_keys_load(a, eid, "SCP81", kvn ? kvn : 0x40, kvn ? kvn : 0x4F, &k);

    if (!rc && k.key[1].len != 16)
        rc = -ENOKEY;
    if (!rc)
        memcpy(psk, k.key[1].v, 16);
    smsr_isdr_keys_wipe(&k);
    return rc;
}

bool smsr_https_usable(struct smsr_https *h, const struct smdb_eis *e)
{
    /* a key set is there (no unwrapping here: this runs for every operation) */
    for (unsigned kvn = 0x40; h && e->http_support && kvn <= 0x4F; kvn++) {
        struct smdb_keyset ks;

        if (smdb_keyset_get(h->a->db, e->eid, "SCP81", kvn, &ks) == 0) {
            free(ks.wrapped);
            return true;
        }
    }
    return false;
}

int smsr_https_trigger(struct smsr_https *h, struct sm_buf *out)
{
    const struct smsr_cfg *cfg = h->a->cfg;
    struct sm_buf conn = SM_BUF_INIT, http = SM_BUF_INIT, sd = SM_BUF_INIT;
    uint8_t ip[4] = {127, 0, 0, 1}, port[3] = {0x02, (uint8_t)(h->port >> 8), (uint8_t)h->port};
    uint8_t ip5[5] = {0x21};
    int rc;

    if (sscanf(cfg->es5_admin_listen.host, "%hhu.%hhu.%hhu.%hhu", &ip[0], &ip[1], &ip[2], &ip[3]) !=
        4)
        return -EINVAL;
    memcpy(ip5 + 1, ip, 4);
    /* 84: bearer default, buffer 0500, TCP client to the agent's port and IPv4 address */
    rc = sm_tlv_put(&conn, 0x35, "\x03", 1);
    if (!rc)
        rc = sm_tlv_put(&conn, 0x39, "\x05\x00", 2);
    if (!rc)
        rc = sm_tlv_put(&conn, 0x3C, port, 3);
    if (!rc)
        rc = sm_tlv_put(&conn, 0x3E, ip5, 5);
    /* 89: host and URI of the POSTs */
    if (!rc)
        rc =
            sm_tlv_put(&http, 0x8A, cfg->es5_admin_listen.host, strlen(cfg->es5_admin_listen.host));
    if (!rc)
        rc = sm_tlv_put(&http, 0x8C, cfg->es5_admin_uri, strlen(cfg->es5_admin_uri));
    if (!rc)
        rc = sm_tlv_put(&sd, 0x84, conn.data, conn.len);
    if (!rc)
        rc = sm_tlv_put(&sd, 0x89, http.data, http.len);
    if (!rc) {
        size_t mark = out->len;

        rc = sm_tlv_put(out, 0x83, sd.data, sd.len);
        if (!rc)
            rc = sm_tlv_wrap(out, mark, 0x81);
    }
    sm_buf_free(&conn);
    sm_buf_free(&http);
    sm_buf_free(&sd);
    return rc;
}

/* ---- the admin agent ---- */

static int psk_cb(void *cls, struct MHD_Connection *c, const char *username, void **psk,
                  size_t *psk_size)
{
    struct smsr_https *h = cls;
    char eid[33];
    unsigned kvn;
    uint8_t key[16];

    (void)c;
    if (identity_card(username, eid, &kvn) || card_psk(h->a, eid, kvn, key)) {
        SM_LOGW(SM_LOG_TLS, "scp81", "PSK identity %.64s: no such card or key set", username);
        return -1;
    }
    *psk = malloc(16);
    if (!*psk) {
        sm_wipe(key, sizeof(key));
        return -1;
    }
    memcpy(*psk, key, 16);
    *psk_size = 16;
    sm_wipe(key, sizeof(key));
    return 0;
}

struct upload {
    struct sm_buf body;
    bool too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const uint8_t *body,
                             size_t len, const char *next, const char *target)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    /* the script handed out (its session's claim on it) is on disk first (sm/durable.h) */
    if (sm_durable()) {
        code = MHD_HTTP_SERVICE_UNAVAILABLE;
        len = 0;
        next = target = NULL;
    }
    r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "X-Admin-Protocol", "globalplatform-remote-admin/1.0");
    if (next)
        MHD_add_response_header(r, "X-Admin-Next-URI", next);
    if (target)
        MHD_add_response_header(r, "X-Admin-Targeted-Application", target);
    if (len)
        MHD_add_response_header(r, "Content-Type",
                                "application/vnd.globalplatform.card-content-mgt;version=1.0");
    ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* The next script waiting for this card's session, or the end of the session. */
static enum MHD_Result next_script(struct smsr_https *h, struct MHD_Connection *c, const char *eid)
{
    struct smdb_op op;
    char next[160], target[64] = "";
    uint8_t tar[3];
    enum MHD_Result ret;

    int64_t now = sm_wall_ms();

    /* a script taken by a session that vanished goes again after es5.https_timeout */
    if (smdb_op_https_next(h->a->db, eid, now, now - h->a->cfg->es5_https_timeout * 1000, &op) ||
        !op.script_len) {
        smdb_op_free(&op);
        return reply(c, MHD_HTTP_NO_CONTENT, NULL, 0, NULL, NULL);
    }
    snprintf(next, sizeof(next), "%s/%lld", h->a->cfg->es5_admin_uri, (long long)op.id);
    smsr_op_tar(&op, tar);
    if (tar[0] || tar[1] || tar[2] != 0x01) {
        /* the ISD-P whose TAR this is (es5-secure-channels 1.5): //aid/<RID>/<PIX> */
        char pix[23];
        uint8_t aid[SMSR_AID_LEN];
        json_t *p = json_loads(op.params ? op.params : "{}", 0, NULL);

        /* the profile's ISD-P, or the security domain SendData names */
        if (!smsr_aid_bytes(op.isdp_aid[0] ? op.isdp_aid : sm_json_str(p, "sdAid"), aid)) {
            sm_hex_encode_upper(aid + 5, 11, pix);
            snprintf(target, sizeof(target), "//aid/A000000559/%s", pix);
        }
        json_decref(p);
    }
    SM_LOGI(SM_LOG_OTA, eid, "%s %s: script handed out in the admin session", op.function,
            op.call_id);
    ret = reply(c, MHD_HTTP_OK, op.script, op.script_len, next, target[0] ? target : NULL);
    smdb_op_free(&op);
    return ret;
}

/* The card's answer to operation id. */
static enum MHD_Result result(struct smsr_https *h, struct MHD_Connection *c, const char *eid,
                              int64_t id, const struct sm_buf *body)
{
    const char *status = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Admin-Script-Status");
    struct smdb_op op;

    if (smdb_op_by_id(h->a->db, id, &op) == 0) {
        if (strcmp(op.eid, eid) || strcmp(op.state, "sent") || strcmp(op.bearer, "https")) {
            SM_LOGW(SM_LOG_OTA, eid,
                    "admin session answers operation %lld, which is not its "
                    "own or not waiting: ignored",
                    (long long)id);
        } else if (status && strcasecmp(status, "ok")) {
            smsr_engine_session_failed(h->g, &op, status);
        } else {
            smsr_engine_answer(h->g, &op, 0, body->data, body->len);
        }
        smdb_op_free(&op);
    }
    return next_script(h, c, eid);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **ctx)
{
    struct smsr_https *h = cls;
    struct upload *u = *ctx;
    const union MHD_ConnectionInfo *ci;
    const char *uri = h->a->cfg->es5_admin_uri;
    size_t ulen = strlen(uri);
    char *user = NULL, eid[33];
    unsigned kvn;
    enum MHD_Result ret;

    (void)version;
    if (!u) {
        u = calloc(1, sizeof(*u));
        if (!u)
            return MHD_NO;
        u->body.limit = MAX_BODY;
        *ctx = u;
        return MHD_YES;
    }
    if (*size) {
        if (sm_buf_append(&u->body, data, *size))
            u->too_big = true;
        *size = 0;
        return MHD_YES;
    }
    /* the card, as its PSK identity names it */
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci && ci->tls_session) {
        const char *name = gnutls_psk_server_get_username(ci->tls_session);

        user = name ? strdup(name) : NULL;
    }
    if (!user || identity_card(user, eid, &kvn)) {
        ret = reply(c, MHD_HTTP_FORBIDDEN, NULL, 0, NULL, NULL);
    } else if (strcmp(method, "POST") || u->too_big || strncmp(url, uri, ulen) ||
               (url[ulen] && url[ulen] != '/')) {
        ret = reply(c, u->too_big ? 413u : (unsigned)MHD_HTTP_NOT_FOUND, NULL, 0, NULL, NULL);
    } else if (!url[ulen]) {
        SM_LOGI(SM_LOG_OTA, eid, "admin session opened");
        atomic_fetch_add(&h->a->stats.sessions, 1);
        ret = next_script(h, c, eid);
    } else {
        char *end;
        long long id = strtoll(url + ulen + 1, &end, 10);

        ret = *end || id <= 0 ? reply(c, MHD_HTTP_NOT_FOUND, NULL, 0, NULL, NULL)
                              : result(h, c, eid, id, &u->body);
    }
    free(user);
    sm_buf_free(&u->body);
    free(u);
    *ctx = NULL;
    return ret;
}

int smsr_https_start(struct smsr_app *a, struct smsr_engine *g, struct smsr_https **out)
{
    struct smsr_https *h = calloc(1, sizeof(*h));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    const union MHD_DaemonInfo *info;

    if (!h)
        return -ENOMEM;
    h->a = a;
    h->g = g;
    if (inet_pton(AF_INET, a->cfg->es5_admin_listen.host, &sa.sin_addr) != 1) {
        free(h);
        return -EINVAL;
    }
    sa.sin_port = htons(a->cfg->es5_admin_listen.port);
    /* TLS 1.2 with the PSK suites of SGP.02 (es5-secure-channels 3.3) */
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler,
        h, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_HTTPS_CRED_TYPE, GNUTLS_CRD_PSK,
        MHD_OPTION_GNUTLS_PSK_CRED_HANDLER, psk_cb, h, MHD_OPTION_HTTPS_PRIORITIES,
        "NONE:+VERS-TLS1.2:+PSK:+AES-128-GCM:+AES-128-CBC:+AEAD:+SHA256:+SHA1:+COMP-NULL:"
        "+SIGN-ALL:+CURVE-ALL",
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2,
        MHD_OPTION_END);
    if (!h->d) {
        SM_LOGE(SM_LOG_TLS, "scp81", "admin agent %s:%u could not start",
                a->cfg->es5_admin_listen.host, a->cfg->es5_admin_listen.port);
        free(h);
        return -EADDRINUSE;
    }
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : a->cfg->es5_admin_listen.port;
    SM_LOGN(SM_LOG_TLS, "scp81", "admin agent on %s:%u%s (TLS-PSK)", a->cfg->es5_admin_listen.host,
            h->port, a->cfg->es5_admin_uri);
    *out = h;
    return 0;
}

void smsr_https_stop(struct smsr_https *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
