/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/err.h"
#include "sm/log.h"
#include "sm/durable.h"
#include "smdb/daemon.h"

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

static void usage(const struct smdb_daemon_desc *d, FILE *f)
{
    fprintf(f,
            "%s - %s\n\n"
            "usage: %s -c FILE                 run in the foreground\n"
            "       %s -c FILE --check-config  check the configuration and exit\n"
            "       %s -c FILE --print-config  print the effective configuration\n"
            "       %s -c FILE entity ...      manage who may call (entity help)\n"
            "       %s --help-config           list every configuration key\n"
            "       %s --version\n\n"
            "exit codes: 0 success, 1 runtime failure, 2 usage or configuration error\n",
            d->name, d->title, d->name, d->name, d->name, d->name, d->name, d->name);
}

static int load(const struct smdb_daemon_desc *d, const char *path, void *cfg)
{
    struct sm_cfg_error err;
    int rc = sm_cfg_load(path, d->tables, d->ntables, cfg, &err);

    if (!rc && sm_daemon_cfg_check(path, cfg, &err)) {
        sm_cfg_free(d->tables, d->ntables, cfg);
        rc = -EINVAL;
    }
    if (rc)
        sm_cfg_error_print(&err, d->name, stderr);
    return rc;
}

static int open_db(const struct smdb_daemon_desc *d, const struct sm_daemon_cfg *c,
                   struct smdb **db)
{
    struct smdb_config dc = {
        .path = c->db_path,
        .schema = d->schema,
        .migrations = d->migrations,
        .pool_size = (unsigned)c->db_pool,
        .synchronous = c->db_synchronous,
        .busy_timeout_ms = (unsigned)c->db_busy_timeout,
    };
    char why[256] = "";
    int rc = smdb_open(&dc, db, why, sizeof(why));

    if (rc)
        SM_LOGE(SM_LOG_DB, c->db_path, "cannot open the database: %s", why);
    return rc;
}

static int smdb_durable(void *db)
{
    return smdb_sync(db);
}

static int serve(const struct smdb_daemon_desc *d, void *cfg, struct smdb *db)
{
    const struct sm_daemon_cfg *c = cfg;
    struct sm_api_config ac = {
        .daemon = d->name,
        .self_id = c->id,
        .version = SM_VERSION,
        .routes = d->routes,
        .nroutes = d->nroutes,
        .store_ops = &smdb_api_store_ops,
        .store = db,
        .test_mode = c->test_mode,
    };
    struct sm_http_server_config hc;
    struct sm_http_server *srv = NULL;
    struct sm_api *api = NULL;
    void *app = NULL;
    char why[256] = "", port[16];
    int rc, sig;

    /* synchronous calls a crash interrupted: forget them, a retry runs them again */
    for (size_t i = 0; i < d->nroutes; i++) {
        char fn[128];
        unsigned n = 0;

        if (d->routes[i].async || !d->routes[i].fn)
            continue;
        snprintf(fn, sizeof(fn), "%s.%s", d->routes[i].iface, d->routes[i].function);
        if (!smdb_call_forget_unfinished(db, fn, &n) && n)
            SM_LOGN(SM_LOG_API, c->id, "%u interrupted %s call%s forgotten (a retry runs it again)",
                    n, fn, n == 1 ? "" : "s");
    }
    sm_daemon_block_signals();
    if (d->start) {
        rc = d->start(cfg, db, &app);
        if (rc) {
            SM_LOGE(SM_LOG_MAIN, c->id, "cannot start services: %s", sm_strerror(rc));
            return rc;
        }
    }
    ac.app = app;
    ac.metrics = d->metrics;
    ac.callback = d->callback;
    rc = sm_api_new(&ac, &api);
    if (rc)
        goto out;
    sm_daemon_http_config(c, &hc);
    rc = sm_http_server_start(&hc, sm_api_http_handler, api, &srv, why, sizeof(why));
    if (rc) {
        SM_LOGE(SM_LOG_HTTP, c->id, "%s", why);
        goto out;
    }
    SM_LOGN(SM_LOG_MAIN, c->id, "%s %s listening on https://%s%s%s:%u (%s), %ld threads", d->name,
            SM_VERSION, strchr(c->listen.host, ':') ? "[" : "", c->listen.host,
            strchr(c->listen.host, ':') ? "]" : "", sm_http_server_port(srv), d->iface_label,
            c->threads);
    if (c->port_file && *c->port_file) {
        snprintf(port, sizeof(port), "%u\n", sm_http_server_port(srv));
        rc = sm_daemon_write_file(c->port_file, port);
        if (rc) {
            SM_LOGE(SM_LOG_MAIN, c->port_file, "cannot write the port file: %s", sm_strerror(rc));
            goto out;
        }
    }
    while ((sig = sm_daemon_wait_signal()) == SIGHUP)
        SM_LOGN(SM_LOG_MAIN, c->id, "SIGHUP ignored: restart to apply configuration changes");
    SM_LOGN(SM_LOG_MAIN, c->id, "%s received, stopping", strsignal(sig));
out:
    sm_http_server_stop(srv);
    if (d->stop)
        d->stop(app);
    sm_api_free(api);
    if (!rc)
        SM_LOGN(SM_LOG_MAIN, c->id, "stopped");
    return rc;
}

int smdb_daemon_main(const struct smdb_daemon_desc *d, int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"check-config", no_argument, NULL, 'k'},
                                         {"print-config", no_argument, NULL, 'p'},
                                         {"help-config", no_argument, NULL, 'H'},
                                         {"version", no_argument, NULL, 'V'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL;
    bool check = false, print = false;
    struct smdb *db = NULL;
    void *cfg;
    int o, rc;

    while ((o = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            path = optarg;
            break;
        case 'k':
            check = true;
            break;
        case 'p':
            print = true;
            break;
        case 'H':
            sm_cfg_print_help(stdout, d->tables, d->ntables);
            return 0;
        case 'V':
            printf("%s %s\n", d->name, SM_VERSION);
            return 0;
        case 'h':
            usage(d, stdout);
            return 0;
        default:
            usage(d, stderr);
            return 2;
        }
    }
    if (!path) {
        usage(d, stderr);
        return 2;
    }
    cfg = calloc(1, d->cfg_size);
    if (!cfg)
        return 1;
    if (load(d, path, cfg)) {
        free(cfg);
        return 2;
    }
    if (check || print) {
        if (print)
            sm_cfg_print(stdout, d->tables, d->ntables, cfg);
        else
            printf("%s: configuration OK\n", path);
        sm_cfg_free(d->tables, d->ntables, cfg);
        free(cfg);
        return 0;
    }
    rc = sm_daemon_log_setup(cfg, d->name);
    if (rc) {
        fprintf(stderr, "%s: cannot set up logging: %s\n", path, sm_strerror(rc));
        rc = 2;
        goto out;
    }
    if (optind < argc)
        sm_log_set_levels("warn"); /* administration commands: only problems */
    else if (((struct sm_daemon_cfg *)cfg)->test_mode)
        SM_LOGW(SM_LOG_MAIN, ((struct sm_daemon_cfg *)cfg)->id,
                "*** TEST MODE: test certificates and test keys are accepted. "
                "Never run like this in production. ***");
    if (open_db(d, cfg, &db)) {
        rc = 1;
        goto out;
    }
    if (optind < argc) {
        if (!strcmp(argv[optind], "entity")) {
            rc = smdb_entity_cli(db, ((struct sm_daemon_cfg *)cfg)->id, argc - optind,
                                 argv + optind, stdout);
        } else if (d->command && (rc = d->command(cfg, db, argc - optind, argv + optind)) >= 0) {
            /* the daemon's own */
        } else {
            fprintf(stderr, "%s: unknown command '%s'\n", d->name, argv[optind]);
            rc = 2;
        }
        goto out;
    }
    /* nothing leaves the daemon before what it reports is on disk (sm/durable.h) */
    sm_durable_set(smdb_durable, db);
    rc = serve(d, cfg, db) ? 1 : 0;
    sm_durable_set(NULL, NULL);
out:
    smdb_close(db);
    sm_cfg_free(d->tables, d->ntables, cfg);
    free(cfg);
    return rc;
}
