/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMDB_DAEMON_H
#define SMDB_DAEMON_H

#include <stddef.h>

#include "sm/api.h"
#include "sm/buf.h"
#include "sm/cfg.h"
#include "sm/daemon.h"
#include "sm/embed.h"
#include "smdb/db.h"

/*
 * The start-up and shutdown sequence shared by smdp and smsr: command line, configuration,
 * logging, database and migrations, entity administration, the HTTPS API and the signal loop.
 * What differs (config keys, routes, background services) comes in the descriptor.
 */
struct smdb_daemon_desc {
    const char *name;        /* "smsr" */
    const char *title;       /* one line for --help */
    const char *iface_label; /* what the API port serves, for the start-up log */
    const struct sm_embedded_file *migrations;
    enum smdb_schema schema; /* the statements to prepare (SMDB_SCHEMA_DAEMON by default) */
    const struct sm_cfg_table *tables; /* including sm_daemon_cfg_table */
    size_t ntables;
    size_t cfg_size; /* the daemon's config struct, starting with sm_daemon_cfg */
    const struct sm_api_route *routes;
    size_t nroutes;
    /* Optional: start/stop background services once the database is open. app is passed to
     * handlers as sm_api_call.app. start returns 0 or a negative errno. */
    int (*start)(void *cfg, struct smdb *db, void **app);
    void (*stop)(void *app);
    /* Optional: the daemon's own metrics, appended to GET /metrics (sm_api_config.metrics). */
    int (*metrics)(void *app, struct sm_buf *b);
    /* Optional: administration commands of the daemon's own, run with the database open instead
     * of serving (argv[0] is the command). Returns the exit code, or -1 when argv[0] is not one
     * of them. */
    int (*command)(void *cfg, struct smdb *db, int argc, char **argv);
    /* Optional: results of calls this daemon made, POSTed back (sm_api_config.callback). */
    int (*callback)(void *app, const struct sm_entity *who, const json_t *body,
                    struct sm_status *st);
};

/* main() of a daemon. Returns the process exit code. */
int smdb_daemon_main(const struct smdb_daemon_desc *d, int argc, char **argv);

#endif
