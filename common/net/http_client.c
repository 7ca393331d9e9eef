/* SPDX-License-Identifier: Apache-2.0 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm/durable.h"
#include "sm/http_client.h"
#include "sm/json.h"
#include "sm/log.h"

#define SM_HTTP_POOL_MAX 128 /* idle connections kept, all threads together */

struct sm_http_client {
    char *ca_file, *cert_file, *key_file;
    long timeout_ms, connect_timeout_ms, backoff_ms;
    unsigned retries;
    size_t max_response;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc;
/* Each thread keeps one easy handle (reset before each request): a new one per request also
 * made a new multi handle inside curl_easy_perform, a tenth of an outbox delivery's CPU. */
static pthread_key_t handle_key;

static void handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
    if (!global_rc && pthread_key_create(&handle_key, handle_free))
        global_rc = -EIO;
}

/* This thread's easy handle, as new. */
static CURL *thread_handle(void)
{
    CURL *h = pthread_getspecific(handle_key);

    if (h) {
        curl_easy_reset(h);
        return h;
    }
    h = curl_easy_init();
    if (h && pthread_setspecific(handle_key, h)) {
        curl_easy_cleanup(h);
        h = NULL;
    }
    return h;
}

int sm_http_client_global_init(void)
{
    pthread_once(&global_once, global_init);
    return global_rc;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *user)
{
    struct sm_http_client *c = user;

    pthread_mutex_lock(&c->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *user)
{
    struct sm_http_client *c = user;

    pthread_mutex_unlock(&c->locks[data]);
}

static char *dup_opt(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

int sm_http_client_new(const struct sm_http_client_config *cfg, struct sm_http_client **out)
{
    struct sm_http_client *c;

    if (!cfg->ca_file || !*cfg->ca_file)
        return -EINVAL;
    if (sm_http_client_global_init())
        return -EIO;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->ca_file = dup_opt(cfg->ca_file);
    c->cert_file = dup_opt(cfg->cert_file);
    c->key_file = dup_opt(cfg->key_file);
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000;
    c->backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 200;
    c->retries = cfg->retries;
    c->max_response = cfg->max_response ? cfg->max_response : 16u << 20;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    c->share = curl_share_init();
    if (!c->ca_file || !c->share) {
        sm_http_client_free(c);
        return -ENOMEM;
    }
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    *out = c;
    return 0;
}

void sm_http_client_free(struct sm_http_client *c)
{
    CURL *h;

    if (!c)
        return;
    /* the calling thread's handle goes too (other threads' go when they end) */
    h = pthread_getspecific(handle_key);
    if (h) {
        pthread_setspecific(handle_key, NULL);
        curl_easy_cleanup(h);
    }
    if (c->share)
        curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    free(c);
}

void sm_http_result_free(struct sm_http_result *res)
{
    sm_buf_free(&res->body);
}

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
    struct sm_buf *b = user;

    /* returning less than given makes libcurl fail the transfer with CURLE_WRITE_ERROR */
    return sm_buf_append(b, p, size * n) ? 0 : size * n;
}

static int map_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return -ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
        return -EHOSTUNREACH;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
        return -EPROTO;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return -EMSGSIZE;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return -EINVAL;
    default:
        return -EIO;
    }
}

/* Errors a retry can cure; a configuration problem (bad URL, bad local cert) it cannot. */
static bool retryable(int rc, long status)
{
    if (rc == 0)
        return status == 502 || status == 503 || status == 504;
    return rc == -ETIMEDOUT || rc == -ECONNREFUSED || rc == -EIO || rc == -EPROTO;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static int perform(struct sm_http_client *c, const char *url, const char *content_type,
                   const void *body, size_t len, bool post, struct sm_http_result *res)
{
    char errbuf[CURL_ERROR_SIZE];
    long backoff = c->backoff_ms;
    int rc = sm_durable(); /* what the request reports is on disk first */

    if (rc)
        return rc;
    rc = -EIO;
    res->body.limit = c->max_response;
    for (unsigned attempt = 0; attempt <= c->retries; attempt++) {
        CURL *h = thread_handle();
        struct curl_slist *hdrs = NULL;
        CURLcode cc;
        char ct[128];

        if (!h)
            return -ENOMEM;
        if (attempt) {
            /* full jitter keeps a crowd of retrying workers from moving in step */
            long wait =
                backoff / 2 + (long)((unsigned long)rand() % (unsigned long)(backoff / 2 + 1));
            sleep_ms(wait);
            backoff *= 2;
        }
        sm_buf_reset(&res->body);
        res->status = 0;
        res->attempts = attempt + 1;
        errbuf[0] = 0;
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(h, CURLOPT_SHARE, c->share);
        /* keep the pooled connections of every thread: left at its default, an easy handle
         * closes the oldest idle connection of the shared pool once it holds more than four,
         * and concurrent workers then pay a TLS handshake per request */
        curl_easy_setopt(h, CURLOPT_MAXCONNECTS, (long)SM_HTTP_POOL_MAX);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
        if (c->cert_file) {
            curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
            curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
        }
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &res->body);
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response);
        if (post) {
            snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
            hdrs = curl_slist_append(hdrs, ct);
            hdrs = curl_slist_append(hdrs, "Expect:");
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        }
        cc = curl_easy_perform(h);
        if (cc == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
            rc = 0;
        } else {
            rc = map_curl(cc);
            snprintf(res->error, sizeof(res->error), "%s",
                     errbuf[0] ? errbuf : curl_easy_strerror(cc));
        }
        /* the handle must not point at what is freed now, nor keep the share (whose pool keeps
         * the connection) from being cleaned up */
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(h, CURLOPT_SHARE, NULL);
        curl_slist_free_all(hdrs);
        if (!retryable(rc, res->status))
            break;
        SM_LOGI(SM_LOG_HTTP, url, "attempt %u failed (%s), %s", attempt + 1,
                rc ? res->error : "server busy", attempt < c->retries ? "retrying" : "giving up");
    }
    return rc;
}

int sm_http_post(struct sm_http_client *c, const char *url, const char *content_type,
                 const void *body, size_t len, struct sm_http_result *res)
{
    return perform(c, url, content_type, body, len, true, res);
}

int sm_http_get(struct sm_http_client *c, const char *url, struct sm_http_result *res)
{
    return perform(c, url, NULL, NULL, 0, false, res);
}

int sm_http_post_json(struct sm_http_client *c, const char *url, const json_t *req,
                      struct sm_http_result *res, json_t **resp_out)
{
    char *text = sm_json_dump(req);
    int rc;

    *resp_out = NULL;
    if (!text)
        return -ENOMEM;
    rc = sm_http_post(c, url, "application/json", text, strlen(text), res);
    free(text);
    if (rc == 0 && res->body.len)
        *resp_out = json_loadb((const char *)res->body.data, res->body.len, 0, NULL);
    return rc;
}
