/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm/daemon.h"
#include "sm/entity.h"
#include "sm/log.h"
#include "sm/tls.h"

#define OFF(f) offsetof(struct sm_daemon_cfg, f)

static const char *const log_formats[] = {"text", "json", NULL};
static const char *const sync_modes[] = {"group", "full", "normal", NULL};

static const struct sm_cfg_key keys[] = {
    {"", "test_mode", SM_CFG_BOOL, OFF(test_mode), "no", 0, 0, NULL,
     "accept test certificates and test keys; logged loudly; never in production"},
    {"", "id", SM_CFG_STRING, OFF(id), NULL, 0, 0, NULL,
     "this daemon's own identity, an OID (SGP.02 Smdp-id / Smsr-id)"},
    {"log", "level", SM_CFG_STRING, OFF(log_level), "info", 0, 0, NULL,
     "error|warn|notice|info|debug, optionally per category: info,http=debug,db=warn"},
    {"log", "format", SM_CFG_ENUM, OFF(log_format), "text", 0, 0, log_formats,
     "text lines, or one JSON object per line"},
    {"log", "file", SM_CFG_PATH, OFF(log_file), "", 0, 0, NULL,
     "append to this file instead of standard error"},
    {"log", "show_keys", SM_CFG_BOOL, OFF(log_show_keys), "no", 0, 0, NULL,
     "print key material in debug dumps (only allowed with test_mode)"},
    {"api", "threads", SM_CFG_INT, OFF(threads), "4", 1, 256, NULL, "HTTPS worker threads"},
    {"api", "body_limit", SM_CFG_SIZE, OFF(body_limit), "1M", 0, 0, NULL,
     "largest request body accepted; larger ones get HTTP 413"},
    {"api", "connection_timeout", SM_CFG_INT, OFF(connection_timeout), "30", 1, 3600, NULL,
     "seconds of inactivity before a connection is closed"},
    {"api", "connection_limit", SM_CFG_INT, OFF(connection_limit), "1024", 1, 65535, NULL,
     "simultaneous connections"},
    {"api", "port_file", SM_CFG_PATH, OFF(port_file), "", 0, 0, NULL,
     "write the bound port here once listening (useful with port 0)"},
    {"tls", "cert", SM_CFG_PATH, OFF(tls_cert), NULL, 0, 0, NULL,
     "PEM server certificate (chain) of this daemon"},
    {"tls", "key", SM_CFG_PATH, OFF(tls_key), NULL, 0, 0, NULL, "PEM private key of tls.cert"},
    {"tls", "client_ca", SM_CFG_PATH, OFF(tls_client_ca), NULL, 0, 0, NULL,
     "PEM CA certificates that client certificates must chain to"},
    {"tls", "crl", SM_CFG_PATH, OFF(tls_crl), "", 0, 0, NULL,
     "PEM certificate revocation lists for client certificates"},
    {"tls", "priorities", SM_CFG_STRING, OFF(tls_priorities),
     "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", 0, 0, NULL, "GnuTLS priority string"},
    {"db", "pool", SM_CFG_INT, OFF(db_pool), "8", 1, 64, NULL, "database connections"},
    {"db", "synchronous", SM_CFG_ENUM, OFF(db_synchronous), "group", 0, 0, sync_modes,
     "group: commits reach the disk before anything reports them (an answer, a request, an SMS), "
     "one flush for many; full: each commit is flushed on its own; normal: faster, may lose the "
     "last commits on power loss"},
    {"db", "busy_timeout", SM_CFG_INT, OFF(db_busy_timeout), "5000", 0, 600000, NULL,
     "milliseconds to wait for a database lock"},
    {"client", "ca", SM_CFG_PATH, OFF(client_ca), "", 0, 0, NULL,
     "PEM CAs for servers this daemon calls (default: tls.client_ca)"},
    {"client", "cert", SM_CFG_PATH, OFF(client_cert), "", 0, 0, NULL,
     "PEM client certificate for outgoing calls (default: tls.cert)"},
    {"client", "key", SM_CFG_PATH, OFF(client_key), "", 0, 0, NULL,
     "PEM private key of client.cert (default: tls.key)"},
    {"client", "timeout", SM_CFG_INT, OFF(client_timeout), "30000", 100, 600000, NULL,
     "milliseconds for one outgoing request"},
    {"client", "connect_timeout", SM_CFG_INT, OFF(client_connect_timeout), "5000", 100, 60000, NULL,
     "milliseconds to establish a connection"},
    {"client", "retries", SM_CFG_INT, OFF(client_retries), "3", 0, 20, NULL,
     "extra attempts after a transport failure or HTTP 502/503/504"},
    {"client", "backoff", SM_CFG_INT, OFF(client_backoff), "200", 10, 60000, NULL,
     "milliseconds before the first retry; doubles each time"},
};

const struct sm_cfg_table sm_daemon_cfg_table = {keys, sizeof(keys) / sizeof(keys[0])};

static int check_file(struct sm_cfg_error *err, const char *cfgpath, const char *section,
                      const char *name, const char *path)
{
    if (!path || !*path)
        return 0;
    if (access(path, R_OK))
        return sm_cfg_fail(err, cfgpath, section, name, "%s.%s: cannot read %s: %s", section, name,
                           path, strerror(errno));
    return 0;
}

static int check_no_test(struct sm_cfg_error *err, const char *cfgpath, const char *section,
                         const char *name, const char *path)
{
    if (!path || !*path)
        return 0;
    if (sm_cert_file_has_test(path) > 0)
        return sm_cfg_fail(err, cfgpath, section, name,
                           "%s.%s: %s holds a test certificate; set test_mode = yes to use it",
                           section, name, path);
    return 0;
}

int sm_daemon_cfg_check(const char *path, const struct sm_daemon_cfg *c, struct sm_cfg_error *err)
{
    const struct {
        const char *section, *name, *file;
        bool cert; /* holds certificates that must not be test ones outside test mode */
    } files[] = {
        {"tls", "cert", c->tls_cert, true},           {"tls", "key", c->tls_key, false},
        {"tls", "client_ca", c->tls_client_ca, true}, {"tls", "crl", c->tls_crl, false},
        {"client", "ca", c->client_ca, true},         {"client", "cert", c->client_cert, true},
        {"client", "key", c->client_key, false},
    };
    int rc = 0;

    if (sm_oid_check(c->id))
        return sm_cfg_fail(err, path, "", "id", "id '%s' is not an OID (e.g. 1.3.6.1.4.1.n.m)",
                           c->id);
    if (sm_log_levels_valid(c->log_level))
        return sm_cfg_fail(err, path, "log", "level", "log.level '%s' is not a level",
                           c->log_level);
    if (c->log_show_keys && !c->test_mode)
        return sm_cfg_fail(err, path, "log", "show_keys",
                           "log.show_keys needs test_mode = yes: keys are never logged in "
                           "production");
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !rc; i++)
        rc = check_file(err, path, files[i].section, files[i].name, files[i].file);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !rc && !c->test_mode; i++)
        if (files[i].cert)
            rc = check_no_test(err, path, files[i].section, files[i].name, files[i].file);
    return rc;
}

int sm_daemon_log_setup(const struct sm_daemon_cfg *c, const char *ident)
{
    int rc;

    sm_log_set_ident(ident);
    sm_log_set_format(!strcmp(c->log_format, "json") ? SM_LOG_JSON : SM_LOG_TEXT);
    rc = sm_log_set_levels(c->log_level);
    if (rc)
        return rc;
    sm_log_set_show_keys(c->test_mode && c->log_show_keys);
    if (c->log_file && *c->log_file)
        return sm_log_open_file(c->log_file);
    return 0;
}

void sm_daemon_http_config(const struct sm_daemon_cfg *c, struct sm_http_server_config *out)
{
    memset(out, 0, sizeof(*out));
    out->bind_host = c->listen.host;
    out->port = c->listen.port;
    out->threads = (unsigned)c->threads;
    out->body_limit = c->body_limit;
    out->connection_timeout = (unsigned)c->connection_timeout;
    out->connection_limit = (unsigned)c->connection_limit;
    out->cert_file = c->tls_cert;
    out->key_file = c->tls_key;
    out->client_ca_file = c->tls_client_ca;
    out->crl_file = c->tls_crl;
    out->priorities = c->tls_priorities;
}

static const char * or (const char *a, const char *b)
{
    return a && *a ? a : b;
}

void sm_daemon_client_config(const struct sm_daemon_cfg *c, struct sm_http_client_config *out)
{
    memset(out, 0, sizeof(*out));
    out->ca_file = or (c->client_ca, c->tls_client_ca);
    out->cert_file = or (c->client_cert, c->tls_cert);
    out->key_file = or (c->client_key, c->tls_key);
    out->timeout_ms = c->client_timeout;
    out->connect_timeout_ms = c->client_connect_timeout;
    out->retries = (unsigned)c->client_retries;
    out->backoff_ms = c->client_backoff;
}

static sigset_t stop_set(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

void sm_daemon_block_signals(void)
{
    sigset_t set = stop_set();

    signal(SIGPIPE, SIG_IGN);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int sm_daemon_wait_signal(void)
{
    sigset_t set = stop_set();
    int sig = 0;

    while (sigwait(&set, &sig))
        ;
    return sig;
}

int sm_daemon_write_file(const char *path, const char *text)
{
    char tmp[4096];
    int fd, rc = 0;
    size_t n = strlen(text);

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    if (write(fd, text, n) != (ssize_t)n || fsync(fd))
        rc = -errno ? -errno : -EIO;
    close(fd);
    if (!rc && rename(tmp, path))
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}
