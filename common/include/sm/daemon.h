/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_DAEMON_H
#define SM_DAEMON_H

#include <signal.h>
#include <stdbool.h>

#include "sm/cfg.h"
#include "sm/http_client.h"
#include "sm/http_server.h"

/*
 * What smdp and smsr share: the configuration keys common to both daemons, their checks, log
 * set-up and the signal loop. A daemon's own config struct starts with struct sm_daemon_cfg so
 * that the common key table's offsets apply to it.
 */
struct sm_daemon_cfg {
    bool test_mode;
    char *id; /* the daemon's own OID (Smdp-id / Smsr-id) */
    char *log_level, *log_format, *log_file;
    bool log_show_keys;
    struct sm_cfg_addr listen;
    long threads, connection_timeout, connection_limit;
    size_t body_limit;
    char *port_file;
    char *tls_cert, *tls_key, *tls_client_ca, *tls_crl, *tls_priorities;
    char *db_path, *db_synchronous;
    long db_pool, db_busy_timeout;
    char *client_ca, *client_cert, *client_key;
    long client_timeout, client_connect_timeout, client_retries, client_backoff;
};

/* Keys of struct sm_daemon_cfg except api.listen and db.path, whose defaults differ per
 * daemon (each daemon's table adds them). */
extern const struct sm_cfg_table sm_daemon_cfg_table;

/* Cross-key checks after loading: the id is an OID, files are readable, key display and test
 * certificates only in test mode. Returns 0 or -EINVAL with err naming the key's line. */
int sm_daemon_cfg_check(const char *path, const struct sm_daemon_cfg *c, struct sm_cfg_error *err);
/* Apply [log]. Returns 0 or a negative errno. */
int sm_daemon_log_setup(const struct sm_daemon_cfg *c, const char *ident);
void sm_daemon_http_config(const struct sm_daemon_cfg *c, struct sm_http_server_config *out);
void sm_daemon_client_config(const struct sm_daemon_cfg *c, struct sm_http_client_config *out);

/* Block SIGINT, SIGTERM and SIGHUP in the calling thread (call before starting threads, so
 * they inherit the mask) and ignore SIGPIPE. */
void sm_daemon_block_signals(void);
/* Wait for SIGINT or SIGTERM; returns the signal number. SIGHUP is reported too. */
int sm_daemon_wait_signal(void);
/* Write text to path atomically (temporary file + rename). Returns 0 or a negative errno. */
int sm_daemon_write_file(const char *path, const char *text);

#endif
