/* SPDX-License-Identifier: Apache-2.0 */
/* smsc-sim: command line, configuration, logging, then the event loop (server.c). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm/daemon.h"
#include "sm/err.h"
#include "sm/log.h"
#include "smsc.h"

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

static void usage(FILE *f)
{
    fprintf(f, "smsc-sim - SMPP 3.4 SMSC simulator on loopback (store and forward, receipts,\n"
               "           latency, loss and throughput limits for tests and benchmarks)\n\n"
               "usage: smsc-sim [-c FILE] [OPTION...]        run in the foreground\n"
               "       smsc-sim -c FILE --check-config       check the configuration and exit\n"
               "       smsc-sim -c FILE --print-config       print the effective configuration\n"
               "       smsc-sim --help-config                list every configuration key\n"
               "       smsc-sim --version\n\n"
               "options (they override the file):\n"
               "  -c, --config FILE                      configuration file (docs/smsc-sim.md)\n"
               "  -l, --listen ADDR:PORT                 numeric address, port 0: any free port\n"
               "  -a, --account ID:PASSWORD[:ROUTE,...]  an ESME account (repeatable)\n"
               "  -p, --port-file FILE                   write the bound port here\n"
               "  -s, --stats-file FILE                  counters as JSON (SIGUSR1, exit)\n"
               "      --seed N                           seed of the loss and jitter draws\n"
               "      --log-level SPEC                   e.g. info or info,ota=debug\n\n"
               "signals: SIGTERM/SIGINT unbind every session and stop, SIGUSR1 prints the "
               "counters\n"
               "exit codes: 0 success, 1 runtime failure, 2 usage or configuration error\n");
}

static int replace(char **field, const char *v)
{
    char *n = strdup(v);

    if (!n)
        return -ENOMEM;
    free(*field);
    *field = n;
    return 0;
}

int main(int argc, char **argv)
{
    enum { OPT_CHECK = 256, OPT_PRINT, OPT_HELP_CONFIG, OPT_VERSION, OPT_SEED, OPT_LOG_LEVEL };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"account", required_argument, NULL, 'a'},
        {"port-file", required_argument, NULL, 'p'},
        {"stats-file", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"check-config", no_argument, NULL, OPT_CHECK},
        {"print-config", no_argument, NULL, OPT_PRINT},
        {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *listen = NULL, *port_file = NULL, *stats_file = NULL;
    const char *seed = NULL, *log_level = NULL;
    const char *accounts[SMSC_MAX_ACCOUNTS + 1];
    size_t naccounts = 0;
    bool check = false, print = false;
    struct smsc_cfg_tables tables;
    struct sm_cfg_error err;
    struct smsc_cfg *cfg;
    struct smsc srv;
    char why[256];
    int o, rc;

    while ((o = getopt_long(argc, argv, "c:l:a:p:s:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            path = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'a':
            if (naccounts > SMSC_MAX_ACCOUNTS) {
                fprintf(stderr, "smsc-sim: more than %d accounts\n", SMSC_MAX_ACCOUNTS);
                return 2;
            }
            accounts[naccounts++] = optarg;
            break;
        case 'p':
            port_file = optarg;
            break;
        case 's':
            stats_file = optarg;
            break;
        case OPT_SEED:
            seed = optarg;
            break;
        case OPT_LOG_LEVEL:
            log_level = optarg;
            break;
        case OPT_CHECK:
            check = true;
            break;
        case OPT_PRINT:
            print = true;
            break;
        case OPT_HELP_CONFIG:
            smsc_cfg_print_help(stdout);
            return 0;
        case OPT_VERSION:
            printf("smsc-sim %s\n", SM_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "smsc-sim: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return 1;
    rc = smsc_cfg_load(path, cfg, &tables, &err);
    if (rc) {
        sm_cfg_error_print(&err, "smsc-sim", stderr);
        free(cfg);
        return 2;
    }
    rc = 0;
    if (listen && sm_cfg_parse_addr(listen, &cfg->listen)) {
        fprintf(stderr, "smsc-sim: --listen '%s' is not ADDR:PORT\n", listen);
        rc = 2;
    }
    if (!rc && seed) {
        char *end;
        long v;

        errno = 0;
        v = strtol(seed, &end, 10);
        if (!*seed || *end || errno || v < 0) {
            fprintf(stderr, "smsc-sim: --seed '%s' is not a non-negative integer\n", seed);
            rc = 2;
        }
        cfg->seed = v;
    }
    if (!rc && ((port_file && replace(&cfg->port_file, port_file)) ||
                (stats_file && replace(&cfg->stats_file, stats_file)) ||
                (log_level && replace(&cfg->log_level, log_level))))
        rc = 1;
    for (size_t i = 0; !rc && i < naccounts; i++) {
        if (smsc_cfg_add_account(cfg, accounts[i], why, sizeof(why))) {
            fprintf(stderr, "smsc-sim: %s\n", why);
            rc = 2;
        }
    }
    if (!rc && smsc_cfg_check(path, cfg, &err)) {
        sm_cfg_error_print(&err, "smsc-sim", stderr);
        rc = 2;
    }
    if (rc || check || print) {
        if (!rc && print)
            smsc_cfg_print(stdout, cfg, &tables);
        else if (!rc)
            printf("%s: configuration OK\n", path ? path : "(command line)");
        goto out;
    }

    sm_log_set_ident("smsc-sim");
    sm_log_set_format(!strcmp(cfg->log_format, "json") ? SM_LOG_JSON : SM_LOG_TEXT);
    rc = sm_log_set_levels(cfg->log_level);
    if (!rc && cfg->log_file && *cfg->log_file)
        rc = sm_log_open_file(cfg->log_file);
    if (rc) {
        fprintf(stderr, "smsc-sim: cannot set up logging: %s\n", sm_strerror(rc));
        rc = 2;
        goto out;
    }
    rc = smsc_server_init(&srv, cfg, why, sizeof(why));
    if (rc) {
        SM_LOGE(SM_LOG_MAIN, "smsc", "%s", why);
        smsc_server_free(&srv);
        rc = 1;
        goto out;
    }
    if (cfg->port_file && *cfg->port_file) {
        char port[16];

        snprintf(port, sizeof(port), "%u\n", srv.port);
        rc = sm_daemon_write_file(cfg->port_file, port);
        if (rc) {
            SM_LOGE(SM_LOG_MAIN, cfg->port_file, "cannot write the port file: %s", sm_strerror(rc));
            smsc_server_free(&srv);
            rc = 1;
            goto out;
        }
    }
    if (!cfg->naccounts)
        SM_LOGW(SM_LOG_MAIN, "smsc", "no accounts: every bind will be refused");
    SM_LOGN(SM_LOG_MAIN, "smsc", "smsc-sim %s listening on %s%s%s:%u, %zu account%s, seed %llu%s%s",
            SM_VERSION, strchr(cfg->listen.host, ':') ? "[" : "", cfg->listen.host,
            strchr(cfg->listen.host, ':') ? "]" : "", srv.port, cfg->naccounts,
            cfg->naccounts == 1 ? "" : "s", (unsigned long long)srv.seed,
            cfg->loss_rate > 0 ? ", loss " : "", cfg->loss_rate > 0 ? cfg->loss : "");
    rc = smsc_server_run(&srv) ? 1 : 0;
    smsc_server_free(&srv);
    if (!rc)
        SM_LOGN(SM_LOG_MAIN, "smsc", "stopped");
out:
    smsc_cfg_free(cfg, &tables);
    free(cfg);
    return rc;
}
