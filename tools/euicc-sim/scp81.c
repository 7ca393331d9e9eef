/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCP81 on the card side: after an HTTPS trigger (GP Amendment B; es5 spec 3) the card opens a
 * TLS-PSK connection to the SM-SR's admin agent and runs the admin session:
 *   POST <admin URI>  (no body)                            -> 200 + script, X-Admin-Next-URI
 *   POST <next URI>   (the script's response, chunked)     -> 200 + script | 204 [+ Next-URI]
 * until a 204 without X-Admin-Next-URI ends it. X-Admin-Targeted-Application names an ISD-P
 * (SCP03t download); without it scripts go to the ISD-R.
 *
 * TLS: 1.2 with PSK suites (00A8, 00AE, 008C), PSK = the ISD-R's SCP81 key set (KVN 40-4F,
 * KID 1); identity per [smsr] psk_identity: the SGP.02 TLV (80 01 02, 81 EID, 4F ISD-R AID,
 * 82 KID, 83 KVN) as upper-case hex, or the EID (es5 spec 3.3, open question 5).
 *
 * Each session runs in its own thread; the card is locked only while a script executes.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ota.h"
#include "scp81.h"
#include "sm/hex.h"
#include "sm/ids.h"
#include "sm/log.h"
#include "sm/tlv.h"

#define MAX_SESSIONS 512 /* admin sessions at a time, all cards together */
#define MAX_BODY     (64 * 1024)

struct session {
    struct sim_app *a;
    char eid[SM_EID_DIGITS + 1];
    uint8_t trigger[512];
    size_t trigger_len;
    /* from the trigger and the card */
    char url[512];
    char identity[128];
    uint8_t psk[16];
    uint8_t kvn;
};

#define MAX_PENDING 4096 /* triggers waiting for a free session slot */

static pthread_mutex_t sessions_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sessions_cv = PTHREAD_COND_INITIALIZER;
static unsigned sessions_running;
static bool sessions_stopping;
/* triggers that came while MAX_SESSIONS sessions ran: the simulator's host is busy, the cards
 * are not, so none is lost; each starts when a session ends (FIFO) */
static struct session *pending[MAX_PENDING];
static unsigned pending_head, pending_n;

static void session_free(struct session *s)
{
    sm_wipe(s, sizeof(*s));
    free(s);
}

void sim_scp81_init(struct sim_app *a)
{
    (void)a;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sessions_stopping = false;
}

void sim_scp81_shutdown(struct sim_app *a)
{
    (void)a;
    pthread_mutex_lock(&sessions_mu);
    sessions_stopping = true;
    while (sessions_running)
        pthread_cond_wait(&sessions_cv, &sessions_mu);
    for (; pending_n; pending_n--, pending_head = (pending_head + 1) % MAX_PENDING)
        session_free(pending[pending_head]);
    pthread_mutex_unlock(&sessions_mu);
}

/* ---- the trigger (es5 spec 3.2) ---- */

static int parse_trigger(struct session *s, const char *default_url)
{
    struct sm_decode_err de;
    struct sm_tlv t81, t83, t;
    char host[128] = "", uri[256] = "";
    unsigned port = 0;
    uint8_t ip[16];
    size_t iplen = 0;

    s->kvn = 0;
    if (sm_tlv_parse_one(s->trigger, s->trigger_len, &t81, &de) || t81.tag != 0x81)
        return -EBADMSG;
    /* 81 00: the parameters stored in the ISD-R (here: the configured admin URL) */
    if (t81.len && !sm_tlv_find(t81.value, t81.len, 0x83, &t83, &de)) {
        if (!sm_tlv_find(t83.value, t83.len, 0x84, &t, &de)) {
            struct sm_tlv c;

            if (!sm_tlv_find(t.value, t.len, 0x3C, &c, &de) && c.len == 3 && c.value[0] == 0x02)
                port = (unsigned)(c.value[1] << 8 | c.value[2]);
            if (!sm_tlv_find(t.value, t.len, 0x3E, &c, &de) && c.len == 5 && c.value[0] == 0x21) {
                memcpy(ip, c.value + 1, 4);
                iplen = 4;
            }
        }
        if (!sm_tlv_find(t83.value, t83.len, 0x85, &t, &de) && t.len >= 3) {
            /* L <PSK identity> 02 <KVN> <KID> */
            size_t idl = t.value[0];

            if (idl + 1 + 3 <= t.len && t.value[idl + 1] == 0x02) {
                snprintf(s->identity, sizeof(s->identity), "%.*s", (int)idl,
                         (const char *)t.value + 1);
                s->kvn = t.value[idl + 2];
            }
        }
        if (!sm_tlv_find(t83.value, t83.len, 0x89, &t, &de)) {
            struct sm_tlv h;

            if (!sm_tlv_find(t.value, t.len, 0x8A, &h, &de) && h.len < sizeof(host))
                snprintf(host, sizeof(host), "%.*s", (int)h.len, (const char *)h.value);
            if (!sm_tlv_find(t.value, t.len, 0x8C, &h, &de) && h.len < sizeof(uri))
                snprintf(uri, sizeof(uri), "%.*s", (int)h.len, (const char *)h.value);
        }
    }
    if (!host[0] && iplen == 4)
        snprintf(host, sizeof(host), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
    if (!host[0]) {
        snprintf(s->url, sizeof(s->url), "%s", default_url);
        return 0;
    }
    /* what the trigger leaves out comes from the configured URL */
    {
        const char *path = strstr(default_url, "://");

        path = path ? strchr(path + 3, '/') : NULL;
        snprintf(s->url, sizeof(s->url), "https://%s:%u%s", host, port ? port : 443,
                 uri[0] ? uri : (path ? path : "/"));
    }
    return 0;
}

/* ---- TLS-PSK through libcurl's OpenSSL ---- */

static unsigned psk_client_cb(SSL *ssl, const char *hint, char *identity, unsigned max_identity_len,
                              unsigned char *psk, unsigned max_psk_len)
{
    struct session *s = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

    (void)hint;
    if (!s || strlen(s->identity) + 1 > max_identity_len || max_psk_len < 16)
        return 0;
    memcpy(identity, s->identity, strlen(s->identity) + 1);
    memcpy(psk, s->psk, 16);
    return 16;
}

static CURLcode ssl_ctx_cb(CURL *curl, void *ctx, void *arg)
{
    (void)curl;
    SSL_CTX_set_app_data((SSL_CTX *)ctx, arg);
    SSL_CTX_set_psk_client_callback((SSL_CTX *)ctx, psk_client_cb);
    return CURLE_OK;
}

struct body {
    struct sm_buf b;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct body *b = arg;

    if (sm_buf_append(&b->b, p, size * n))
        return 0; /* too large: the transfer fails */
    return size * n;
}

struct headers {
    char next_uri[512];
    char target[128];
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct headers *h = arg;
    size_t len = size * n;
    char line[700];

    snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) - 1 ? len : sizeof(line) - 1), p);
    line[strcspn(line, "\r\n")] = 0;
    /* header names are case-insensitive (HTTP); the card reads the two it needs */
    if (!strncasecmp(line, "X-Admin-Next-URI:", 17))
        snprintf(h->next_uri, sizeof(h->next_uri), "%s", line + 17 + strspn(line + 17, " \t"));
    else if (!strncasecmp(line, "X-Admin-Targeted-Application:", 29))
        snprintf(h->target, sizeof(h->target), "%s", line + 29 + strspn(line + 29, " \t"));
    return len;
}

/* //aid/A000000559/1010FFFFFFFF8900001300 -> the 16-byte AID */
static bool target_aid(const char *t, uint8_t aid[16])
{
    char hex[40];
    const char *rid = strstr(t, "//aid/"), *pix;

    if (!rid)
        return false;
    rid += 6;
    pix = strchr(rid, '/');
    if (!pix || pix - rid != 10 || strlen(pix + 1) > 22)
        return false;
    snprintf(hex, sizeof(hex), "%.10s%s", rid, pix + 1);
    return sm_hex_decode(hex, aid, 16) == 16;
}

static int spawn_session(struct session *s);

static void *session_main(void *arg)
{
    struct session *s = arg;
    struct sim_app *a = s->a;
    struct sm_buf response = SM_BUF_INIT;
    char url[600], from[160];
    CURL *curl = curl_easy_init();
    const char *status = NULL;
    int exchanges = 0;

    snprintf(url, sizeof(url), "%s", s->url);
    snprintf(from, sizeof(from),
             "X-Admin-From: //se-id/eid/%s;//aa-id/aid/A000000559/1010FFFFFFFF8900000100", s->eid);
    while (curl && exchanges++ < 1000) {
        struct curl_slist *hl = NULL;
        struct headers h = {0};
        struct body b = {.b = {.limit = MAX_BODY}};
        long code = 0;
        CURLcode cc;
        char st[64];

        hl = curl_slist_append(hl, "X-Admin-Protocol: globalplatform-remote-admin/1.0");
        hl = curl_slist_append(hl, from);
        hl = curl_slist_append(
            hl, "Content-Type: application/vnd.globalplatform.card-content-mgt-response;"
                "version=1.0");
        if (status) {
            snprintf(st, sizeof(st), "X-Admin-Script-Status: %s", status);
            hl = curl_slist_append(hl, st);
        }
        hl = curl_slist_append(hl, "Expect:");
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, response.len ? (char *)response.data : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)response.len);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(curl, CURLOPT_SSLVERSION,
                         (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
        curl_easy_setopt(curl, CURLOPT_SSL_CIPHER_LIST,
                         "PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256:PSK-AES128-CBC-SHA");
        /* PSK: there is no certificate to verify; the key authenticates both ends */
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
        curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, s);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, a->cfg.admin_timeout);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        cc = curl_easy_perform(curl);
        curl_slist_free_all(hl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        sm_buf_reset(&response);
        if (cc != CURLE_OK || (code != 200 && code != 204)) {
            SM_LOGW(SM_LOG_OTA, s->eid, "admin session %s: %s (HTTP %ld)", url,
                    cc != CURLE_OK ? curl_easy_strerror(cc) : "refused", code);
            sm_buf_free(&b.b);
            break;
        }
        if (code == 204 && !h.next_uri[0]) {
            sm_buf_free(&b.b);
            SM_LOGI(SM_LOG_OTA, s->eid, "admin session ended after %d exchanges", exchanges);
            break; /* the SM-SR ends the session */
        }
        if (code == 200 && b.b.len) {
            struct sim_card *c;
            struct sim_target t = {.in_session = true};
            uint8_t aid[16];
            bool failed = false;

            status = "ok";
            if (sim_app_card_get(a, s->eid, &c) == 0) {
                struct sim_ctx x = {
                    .card = c, .pol = &a->pol, .rng = &sm_rng_system, .now_ms = sim_now_ms()};

                if (h.target[0] &&
                    (!target_aid(h.target, aid) ||
                     (memcmp(aid, sim_aid_isdr, 16) && !(t.isdp = sim_card_isdp(c, aid, 16))))) {
                    status = "unknown-application";
                } else if (sim_ota_execute(&x, &t, b.b.data, b.b.len, false, &response, &failed)) {
                    status = "security-error";
                }
                sim_app_card_put(a, c, sim_now_ms());
            }
        } else {
            status = NULL; /* 204 with a Next-URI: poll again with nothing to say */
            usleep(200 * 1000);
        }
        sm_buf_free(&b.b);
        if (h.next_uri[0]) {
            /* Next-URI is a path on the same agent */
            const char *p = strstr(s->url, "://");
            const char *slash = p ? strchr(p + 3, '/') : NULL;

            snprintf(url, sizeof(url), "%.*s%s",
                     (int)(slash ? slash - s->url : (long)strlen(s->url)), s->url, h.next_uri);
        }
    }
    if (curl)
        curl_easy_cleanup(curl);
    /* the session is over: so is what no script chain keeps (es5 spec 1.5) */
    {
        struct sim_card *c;

        if (sim_app_card_get(a, s->eid, &c) == 0) {
            sim_card_chain_end(c);
            sim_app_card_put(a, c, sim_now_ms());
        }
    }
    sm_buf_free(&response);
    session_free(s);
    /* the slot goes to the oldest waiting trigger, if any */
    pthread_mutex_lock(&sessions_mu);
    if (!sessions_stopping && pending_n) {
        s = pending[pending_head];
        pending_head = (pending_head + 1) % MAX_PENDING;
        pending_n--;
    } else {
        s = NULL;
        sessions_running--;
    }
    pthread_cond_broadcast(&sessions_cv);
    pthread_mutex_unlock(&sessions_mu);
    if (s && spawn_session(s)) {
        session_free(s);
        pthread_mutex_lock(&sessions_mu);
        sessions_running--;
        pthread_cond_broadcast(&sessions_cv);
        pthread_mutex_unlock(&sessions_mu);
    }
    return NULL;
}

static int spawn_session(struct session *s)
{
    pthread_attr_t attr;
    pthread_t th;
    int rc;

    SM_LOGI(SM_LOG_OTA, s->eid, "admin session to %s", s->url);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&th, &attr, session_main, s);
    pthread_attr_destroy(&attr);
    return -rc;
}

int sim_scp81_start(struct sim_app *a, const char *eid, const uint8_t *trigger, size_t len)
{
    struct session *s = calloc(1, sizeof(*s));
    struct sim_card *c;
    int rc;

    if (!s)
        return -ENOMEM;
    s->a = a;
    snprintf(s->eid, sizeof(s->eid), "%s", eid);
    if (len > sizeof(s->trigger) ||
        parse_trigger((memcpy(s->trigger, trigger, len), s->trigger_len = len, s),
                      a->cfg.admin_url)) {
        SM_LOGN(SM_LOG_OTA, eid, "HTTPS trigger not understood");
        free(s);
        return -EBADMSG;
    }
    /* the PSK of the key set the trigger names, or the first SCP81 set */
    rc = sim_app_card_get(a, eid, &c);
    if (rc) {
        free(s);
        return rc;
    }
    rc = -ENOKEY;
    for (unsigned i = 0; i < c->npsk; i++) {
        if (s->kvn && c->psk[i].kvn != s->kvn)
            continue;
        memcpy(s->psk, c->psk[i].psk, 16);
        s->kvn = c->psk[i].kvn;
        rc = 0;
        break;
    }
    sim_app_card_put(a, c, sim_now_ms());
    if (rc) {
        SM_LOGN(SM_LOG_OTA, eid, "HTTPS trigger: no SCP81 key set");
        free(s);
        return rc;
    }
    if (!s->identity[0]) {
        if (!strcmp(a->cfg.psk_identity, "eid")) {
            snprintf(s->identity, sizeof(s->identity), "%s", eid);
        } else {
            /* 80 01 02 | 81 10 EID | 4F 10 ISD-R AID | 82 01 KID | 83 01 KVN, upper-case hex */
            uint8_t tlv[48], e[16];
            size_t n = 0;

            sm_eid_to_bytes(eid, e);
            memcpy(tlv + n, "\x80\x01\x02\x81\x10", 5);
            n += 5;
            memcpy(tlv + n, e, 16);
            n += 16;
            tlv[n++] = 0x4F;
            tlv[n++] = 0x10;
            memcpy(tlv + n, sim_aid_isdr, 16);
            n += 16;
            memcpy(tlv + n, "\x82\x01\x01\x83\x01", 5);
            n += 5;
            tlv[n++] = s->kvn;
            sm_hex_encode_upper(tlv, n, s->identity);
        }
    }
    pthread_mutex_lock(&sessions_mu);
    if (sessions_stopping || (sessions_running >= MAX_SESSIONS && pending_n == MAX_PENDING)) {
        pthread_mutex_unlock(&sessions_mu);
        SM_LOGW(SM_LOG_OTA, eid, "admin session not started: %s",
                sessions_stopping ? "stopping" : "too many sessions waiting");
        session_free(s);
        return -EBUSY;
    }
    if (sessions_running >= MAX_SESSIONS) {
        pending[(pending_head + pending_n) % MAX_PENDING] = s;
        pending_n++;
        pthread_mutex_unlock(&sessions_mu);
        SM_LOGI(SM_LOG_OTA, eid, "admin session waits for a free slot (%u sessions)", MAX_SESSIONS);
        return 0;
    }
    sessions_running++;
    pthread_mutex_unlock(&sessions_mu);
    rc = spawn_session(s);
    if (rc) {
        pthread_mutex_lock(&sessions_mu);
        sessions_running--;
        pthread_cond_broadcast(&sessions_cv);
        pthread_mutex_unlock(&sessions_mu);
        session_free(s);
    }
    return rc;
}
