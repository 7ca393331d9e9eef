/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int itest_spawn(struct itest_proc *p, const char *name, char *const argv[], const char *log_path)
{
    pid_t pid;

    snprintf(p->name, sizeof(p->name), "%s", name);
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    p->pid = pid;
    return 0;
}

int itest_wait_port_file(const char *path, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        FILE *f = fopen(path, "r");
        int port = -1;

        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = -1;
            fclose(f);
            if (port > 0)
                return port;
        }
        sleep_ms(50);
    }
    return -1;
}

bool itest_alive(struct itest_proc *p)
{
    int status;

    return p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == 0;
}

int itest_stop(struct itest_proc *p, int timeout_ms)
{
    int status;

    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);

        if (r == p->pid) {
            p->pid = 0;
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
        sleep_ms(20);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    p->pid = 0;
    return -1;
}

int itest_run(char *const argv[], char *out, size_t outlen)
{
    int fds[2], status;
    size_t used = 0;
    pid_t pid;

    if (pipe(fds))
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char tmp[512];
        ssize_t n = read(fds[0], tmp, sizeof(tmp));

        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n && used + 1 < outlen; i++)
            out[used++] = tmp[i];
    }
    if (outlen)
        out[used] = 0;
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    struct itest_resp *r = user;
    char *nb = realloc(r->body, r->len + size * n + 1);

    if (!nb)
        return 0;
    memcpy(nb + r->len, p, size * n);
    r->len += size * n;
    nb[r->len] = 0;
    r->body = nb;
    return size * n;
}

int itest_request(const struct itest_identity *id, const char *method, const char *url,
                  const char *body, size_t len, struct itest_resp *r)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char *ct = NULL;
    CURLcode cc;

    memset(r, 0, sizeof(*r));
    r->body = calloc(1, 1);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, id->ca);
    if (id->cert) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, id->cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY, id->key);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->content_type, sizeof(r->content_type), "%s", ct ? ct : "");
    } else {
        snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(cc));
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return cc == CURLE_OK ? 0 : -1;
}

void itest_resp_free(struct itest_resp *r)
{
    free(r->body);
    r->body = NULL;
}

json_t *itest_json(const struct itest_resp *r)
{
    return r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

static int connect_local(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Write data on an established TLS connection, read what comes until it closes, outlen fills
 * or timeout_ms passes without data. Returns the bytes read (out NUL-terminated) or -1. */
static long tls_exchange(SSL *ssl, int fd, const void *data, size_t len, char *out, size_t outlen,
                         int timeout_ms)
{
    long got = 0;

    if (len && SSL_write(ssl, data, (int)len) <= 0)
        return -1;
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int n;

        if (!SSL_pending(ssl) && poll(&pfd, 1, timeout_ms) <= 0)
            break;
        n = SSL_read(ssl, out + got, (int)(outlen - 1 - (size_t)got));
        if (n <= 0)
            break;
        got += n;
        if ((size_t)got + 1 >= outlen)
            break;
    }
    out[got] = 0;
    return got;
}

static void tls_close(SSL_CTX *ctx, SSL *ssl, int fd)
{
    if (ssl) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    SSL_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    ERR_clear_error();
}

long itest_raw_tls(const struct itest_identity *id, uint16_t port, const void *data, size_t len,
                   char *out, size_t outlen, int timeout_ms)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    long got = -1;
    int fd = connect_local(port);

    if (fd < 0 || !ctx)
        goto out;
    SSL_CTX_load_verify_locations(ctx, id->ca, NULL);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (id->cert && (SSL_CTX_use_certificate_chain_file(ctx, id->cert) != 1 ||
                     SSL_CTX_use_PrivateKey_file(ctx, id->key, SSL_FILETYPE_PEM) != 1))
        goto out;
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1)
        got = tls_exchange(ssl, fd, data, len, out, outlen, timeout_ms);
out:
    tls_close(ctx, ssl, fd);
    return got;
}

/* the PSK of the connection being made (tests are single-threaded here) */
static const char *psk_identity;
static const uint8_t *psk_key;
static size_t psk_len;

static unsigned int psk_client(SSL *ssl, const char *hint, char *identity, unsigned int max_id,
                               unsigned char *psk, unsigned int max_psk)
{
    (void)ssl;
    (void)hint;
    if (strlen(psk_identity) + 1 > max_id || psk_len > max_psk)
        return 0;
    memcpy(identity, psk_identity, strlen(psk_identity) + 1);
    memcpy(psk, psk_key, psk_len);
    return (unsigned int)psk_len;
}

long itest_psk_tls(uint16_t port, const char *identity, const uint8_t *psk, size_t psklen,
                   const void *data, size_t len, char *out, size_t outlen, int timeout_ms)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    long got = -1;
    int fd = connect_local(port);

    if (fd < 0 || !ctx)
        goto out;
    psk_identity = identity;
    psk_key = psk;
    psk_len = psklen;
    /* TLS 1.2 PSK suites as an SGP.02 card offers them (es5-secure-channels 3.3) */
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx, "PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA");
    SSL_CTX_set_psk_client_callback(ctx, psk_client);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1)
        got = tls_exchange(ssl, fd, data, len, out, outlen, timeout_ms);
out:
    tls_close(ctx, ssl, fd);
    return got;
}

int itest_raw_tcp(uint16_t port, const void *data, size_t len)
{
    int fd = connect_local(port);
    ssize_t w;

    if (fd < 0)
        return -1;
    w = write(fd, data, len);
    close(fd);
    return w < 0 ? -1 : 0;
}

static char record_dir[512];
static unsigned record_n;

void itest_record_dir(const char *dir)
{
    char cmd[600];

    snprintf(record_dir, sizeof(record_dir), "%s", dir);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd))
        record_dir[0] = 0;
}

void itest_record(const char *schema, const struct itest_resp *r)
{
    char path[700], mpath[700];
    FILE *f;

    if (!record_dir[0] || !r->body)
        return;
    snprintf(path, sizeof(path), "%s/%04u.json", record_dir, record_n++);
    f = fopen(path, "w");
    if (!f)
        return;
    fwrite(r->body, 1, r->len, f);
    fclose(f);
    snprintf(mpath, sizeof(mpath), "%s/manifest", record_dir);
    f = fopen(mpath, "a");
    if (f) {
        fprintf(f, "%s %s\n", schema, path);
        fclose(f);
    }
}

int itest_validate_recorded(const char *schema_dir, const char *validator)
{
    char cmd[2048];
    int rc;

    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' '%s/manifest'", validator, schema_dir,
             record_dir);
    rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *itest_path(const char *dir, const char *a, const char *b)
{
    /* per thread: benchmark threads build paths at once */
    static __thread char bufs[8][700];
    static __thread int next;
    char *p = bufs[next++ % 8];

    snprintf(p, sizeof(bufs[0]), "%s/%s%s", dir, a, b ? b : "");
    return p;
}

int itest_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* ---- a callback receiver ---- */

struct rx_server {
    itest_post_fn fn;
    void *arg;
};

struct rx_body {
    char data[65536];
    size_t len;
};

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ctx)
{
    struct rx_server *srv = cls;
    struct rx_body *u = *ctx;
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)version;
    (void)method;
    if (!u) {
        *ctx = calloc(1, sizeof(*u));
        return *ctx ? MHD_YES : MHD_NO;
    }
    if (*size) {
        size_t n = *size < sizeof(u->data) - 1 - u->len ? *size : sizeof(u->data) - 1 - u->len;

        memcpy(u->data + u->len, data, n);
        u->len += n;
        *size = 0;
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, srv->fn(srv->arg, url, u->data), r);
    MHD_destroy_response(r);
    free(u);
    *ctx = NULL;
    return ret;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *b = calloc(1, 65536);

    if (f && b && fread(b, 1, 65535, f) == 0) {
        free(b);
        b = NULL;
    }
    if (f)
        fclose(f);
    return b;
}

int itest_receiver_start(const char *dir, itest_post_fn fn, void *arg, struct MHD_Daemon **out)
{
    static struct rx_server servers[4];
    static int nservers;
    struct rx_server *srv = nservers < 4 ? &servers[nservers++] : NULL;
    char *key = slurp(itest_path(dir, "pki/smdp.key", NULL));
    char *cert = slurp(itest_path(dir, "pki/smdp.crt", NULL));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const union MHD_DaemonInfo *info;

    *out = NULL;
    if (srv && key && cert) {
        srv->fn = fn;
        srv->arg = arg;
        *out = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
                                rx_handler, srv, MHD_OPTION_SOCK_ADDR, &sa,
                                MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2, MHD_OPTION_END);
    }
    free(key);
    free(cert);
    info = *out ? MHD_get_daemon_info(*out, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    return info ? info->port : -1;
}

int itest_teardown(const char *dir, struct itest_proc *const *procs, size_t n,
                   struct MHD_Daemon *receiver)
{
    char cmd[600];

    for (size_t i = 0; i < n; i++)
        if (procs[i]->pid)
            itest_stop(procs[i], 5000);
    if (receiver)
        MHD_stop_daemon(receiver);
    if (getenv("SM_KEEP_TEST_DIR"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) ? -1 : 0;
}

int itest_spawn_conf(const char *dir, struct itest_proc *p, const char *name, const char *bin,
                     const char *conf, const char *extra)
{
    char b[700], log[700];
    char *argv[] = {b, "-c", itest_path(dir, conf, NULL), (char *)extra, NULL};

    snprintf(b, sizeof(b), "%s/%s", SM_BIN_DIR, bin);
    snprintf(log, sizeof(log), "%s/%s.log", dir, name);
    return itest_spawn(p, name, argv, log);
}

int itest_transport_keys(const char *dir, const char *eum_id, const char *name)
{
    char hex[40] = "", text[256];
    FILE *f = fopen(itest_path(dir, "eum-smsr-transport.key", NULL), "r");
    const char *path = itest_path(dir, name, NULL);

    if (!f || !fgets(hex, sizeof(hex), f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    snprintf(text, sizeof(text), "%s aes-ecb %.32s\n", eum_id, hex);
    return itest_write_file(path, text) || chmod(path, 0600) ? -1 : 0;
}

int itest_smsr_conf(const char *dir, const char *name, const char *id, const char *tls,
                    const char *address, int smsc_port, const char *transport_keys)
{
    char text[2048], path[64];

    snprintf(text, sizeof(text),
             "test_mode = yes\nid = %s\n[log]\nlevel = info\n[api]\nlisten = 127.0.0.1:0\n"
             "port_file = %s.port\n[tls]\ncert = pki/%s.crt\nkey = pki/%s.key\nclient_ca = "
             "pki/ca.crt\n[db]\npath = %s.db\n[keystore]\nkek_file = %s.kek\n[es1]\nci_certs = "
             "pki/ca.crt\ntransport_keys = %s\n[es5]\nsmsc = 127.0.0.1:%d\nsystem_id = %s\n"
             "password = pw\naddress = +%s\npor_timeout = 3\nbearer = %s\nadmin_listen = "
             "127.0.0.1:0\nhttps_timeout = 3\n[es7]\ncertificate = pki/%s.gpcert\nkey = "
             "pki/%s.key\n[client]\nca = pki/ca.crt\ntimeout = 10000\n",
             id, name, tls, tls, name, name, transport_keys, smsc_port, name, address,
             itest_bearer(), tls, tls);
    snprintf(path, sizeof(path), "%s.conf", name);
    return itest_write_file(itest_path(dir, path, NULL), text);
}

const char *itest_bearer(void)
{
    const char *b = getenv("SM_ES5_BEARER");

    return b && !strcmp(b, "sms") ? "sms" : "https";
}

/* ---- a receiver that records every POST ---- */

static pthread_mutex_t rx_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *rx_log; /* [{path, body}] */

static unsigned rx_record(void *arg, const char *path, const char *body)
{
    (void)arg;
    pthread_mutex_lock(&rx_mu);
    json_array_append_new(rx_log, json_pack("{s:s, s:s}", "path", path, "body", body));
    pthread_mutex_unlock(&rx_mu);
    return 200;
}

int itest_rx_start(const char *dir, struct MHD_Daemon **out)
{
    pthread_mutex_lock(&rx_mu);
    if (!rx_log)
        rx_log = json_array();
    pthread_mutex_unlock(&rx_mu);
    return itest_receiver_start(dir, rx_record, NULL, out);
}

int itest_rx_count(const char *suffix, const char *needle)
{
    const json_t *e;
    size_t i, ls = strlen(suffix);
    int n = 0;

    pthread_mutex_lock(&rx_mu);
    json_array_foreach(rx_log, i, e) {
        const char *p = json_string_value(json_object_get(e, "path")),
                   *b = json_string_value(json_object_get(e, "body"));
        size_t lp = strlen(p);

        if (lp >= ls && !strcmp(p + lp - ls, suffix) && strstr(b, needle))
            n++;
    }
    pthread_mutex_unlock(&rx_mu);
    return n;
}

int itest_rx_position(const char *part, const char *n1, const char *n2)
{
    const json_t *e;
    size_t i;
    int at = -1;

    pthread_mutex_lock(&rx_mu);
    json_array_foreach(rx_log, i, e) {
        const char *b = json_string_value(json_object_get(e, "body"));

        if (strstr(json_string_value(json_object_get(e, "path")), part) && strstr(b, n1) &&
            strstr(b, n2)) {
            at = (int)i;
            break;
        }
    }
    pthread_mutex_unlock(&rx_mu);
    return at;
}

void itest_rx_free(void)
{
    pthread_mutex_lock(&rx_mu);
    json_decref(rx_log);
    rx_log = NULL;
    pthread_mutex_unlock(&rx_mu);
}
