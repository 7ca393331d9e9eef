/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smsc-sim configuration: fixed keys plus one [account.NAME] section per ESME account. The
 * sections are found by a first pass over the file with libinih; then sm_cfg reads the whole
 * file against the fixed table and a table made for those sections, so that every error names
 * its line the way the daemons' do.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sm/log.h"
#include "smsc.h"

#define OFF(f)  offsetof(struct smsc_cfg, f)
#define AOFF(f) offsetof(struct smsc_account_cfg, f)

static const char *const log_formats[] = {"text", "json", NULL};
static const char *const throttle_modes[] = {"reject", "delay", NULL};

static const struct sm_cfg_key keys[] = {
    {"smpp", "listen", SM_CFG_ADDR, OFF(listen), "127.0.0.1:2775", 0, 0, NULL,
     "address and port of the SMPP server (port 0: any free port); loopback unless allow_remote"},
    {"smpp", "allow_remote", SM_CFG_BOOL, OFF(allow_remote), "no", 0, 0, NULL,
     "allow a listen address other than loopback"},
    {"smpp", "port_file", SM_CFG_PATH, OFF(port_file), "", 0, 0, NULL,
     "write the bound port here once listening (useful with port 0)"},
    {"smpp", "system_id", SM_CFG_STRING, OFF(system_id), "smsc-sim", 0, 0, NULL,
     "system_id this SMSC gives in bind responses (at most 15 characters)"},
    {"smpp", "max_pdu", SM_CFG_SIZE, OFF(max_pdu), "16k", 0, 0, NULL,
     "largest command_length accepted (1k-70000); a larger PDU closes the connection"},
    {"smpp", "max_connections", SM_CFG_INT, OFF(max_connections), "1024", 1, 65536, NULL,
     "simultaneous ESME connections; more are closed at once"},
    {"smpp", "bind_timeout", SM_CFG_INT, OFF(bind_timeout), "10000", 100, 3600000, NULL,
     "milliseconds a connection may stay unbound (SMPP 3.4 session_init_timer)"},
    {"smpp", "enquire_link", SM_CFG_INT, OFF(enquire_link), "0", 0, 3600000, NULL,
     "milliseconds of silence before the SMSC sends enquire_link to a session (0: never)"},
    {"smpp", "response_timeout", SM_CFG_INT, OFF(response_timeout), "10000", 50, 600000, NULL,
     "milliseconds to wait for deliver_sm_resp, enquire_link_resp, unbind_resp"},
    {"smpp", "window", SM_CFG_INT, OFF(window), "16", 1, 1024, NULL,
     "deliver_sm in flight per session"},
    {"smpp", "reject_unroutable", SM_CFG_BOOL, OFF(reject_unroutable), "no", 0, 0, NULL,
     "refuse submit_sm to an address that no route or bound address_range matches "
     "(ESME_RINVDSTADR) instead of storing it"},
    {"log", "level", SM_CFG_STRING, OFF(log_level), "info", 0, 0, NULL,
     "error|warn|notice|info|debug, optionally per category: info,ota=debug"},
    {"log", "format", SM_CFG_ENUM, OFF(log_format), "text", 0, 0, log_formats,
     "text lines, or one JSON object per line"},
    {"log", "file", SM_CFG_PATH, OFF(log_file), "", 0, 0, NULL,
     "append to this file instead of standard error"},
    {"store", "queue_limit", SM_CFG_INT, OFF(queue_limit), "100000", 1, 10000000, NULL,
     "messages held (undelivered messages and receipts); beyond it submit_sm gets ESME_RMSGQFUL"},
    {"store", "validity", SM_CFG_INT, OFF(validity), "3600", 1, 31536000, NULL,
     "seconds a message is kept when submit_sm has no validity_period"},
    {"store", "retry_initial", SM_CFG_INT, OFF(retry_initial), "1000", 10, 3600000, NULL,
     "milliseconds before the first delivery retry; doubles on each retry"},
    {"store", "retry_max", SM_CFG_INT, OFF(retry_max), "60000", 10, 86400000, NULL,
     "longest wait between two delivery retries, in milliseconds"},
    {"network", "latency", SM_CFG_INT, OFF(latency), "0", 0, 3600000, NULL,
     "milliseconds between accepting a message and delivering it"},
    {"network", "jitter", SM_CFG_INT, OFF(jitter), "0", 0, 3600000, NULL,
     "up to this many more milliseconds of latency, uniformly drawn per message"},
    {"network", "loss", SM_CFG_STRING, OFF(loss), "0", 0, 0, NULL,
     "fraction (0 to 1) of accepted messages silently never delivered"},
    {"network", "seed", SM_CFG_INT, OFF(seed), "0", 0, LONG_MAX, NULL,
     "seed of the loss and jitter draws (0: from the clock; the seed used is logged)"},
    {"network", "throughput", SM_CFG_INT, OFF(throughput), "0", 0, 10000000, NULL,
     "submit_sm per second over all accounts (token bucket; 0: unlimited)"},
    {"network", "burst", SM_CFG_INT, OFF(burst), "0", 0, 10000000, NULL,
     "token bucket size (0: one second of throughput)"},
    {"network", "throttle", SM_CFG_ENUM, OFF(throttle), "reject", 0, 0, throttle_modes,
     "over the limit: reject (ESME_RTHROTTLED) or delay (answer once a token is there)"},
    {"stats", "file", SM_CFG_PATH, OFF(stats_file), "", 0, 0, NULL,
     "write the counters as JSON here on SIGUSR1 and at exit"},
};

static const struct sm_cfg_key acc_template[] = {
    {"account.NAME", "password", SM_CFG_STRING, AOFF(password), NULL, 0, 0, NULL,
     "password of the ESME whose system_id is NAME (at most 8 characters)"},
    {"account.NAME", "routes", SM_CFG_STRING, AOFF(routes), "", 0, 0, NULL,
     "destination address prefixes delivered to NAME, e.g. +4479, 4479; * for every address"},
    {"account.NAME", "max_binds", SM_CFG_INT, AOFF(max_binds), "1", 1, 64, NULL,
     "sessions NAME may have bound at the same time"},
    {"account.NAME", "throughput", SM_CFG_INT, AOFF(throughput), "0", 0, 10000000, NULL,
     "submit_sm per second for NAME (token bucket; 0: only the global limit)"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define NACC  (sizeof(acc_template) / sizeof(acc_template[0]))

static const char acc_prefix[] = "account.";

struct scan {
    struct smsc_cfg_tables *tables;
    size_t n;
    bool too_many;
};

/* First pass: the [account.NAME] sections, in order of appearance. */
static int scan_entry(void *user, const char *section, const char *name, const char *value)
{
    struct scan *sc = user;

    if (strncmp(section, acc_prefix, sizeof(acc_prefix) - 1))
        return 1;
    for (size_t i = 0; i < sc->n; i++)
        if (!strcmp(sc->tables->sections[i], section))
            return 1;
    if (sc->n == SMSC_MAX_ACCOUNTS) {
        sc->too_many = true;
        return 1;
    }
    sc->tables->sections[sc->n] = strdup(section);
    if (sc->tables->sections[sc->n])
        sc->n++;
    return 1;
}

int smsc_cfg_load(const char *path, struct smsc_cfg *c, struct smsc_cfg_tables *tables,
                  struct sm_cfg_error *err)
{
    struct scan sc = {.tables = tables};
    int rc;

    memset(c, 0, sizeof(*c));
    memset(tables, 0, sizeof(*tables));
    memset(err, 0, sizeof(*err));
    tables->t[0] = (struct sm_cfg_table){keys, NKEYS};
    if (path) {
        ini_parse(path, scan_entry, &sc); /* errors are reported by sm_cfg_load below */
        if (sc.too_many) {
            snprintf(err->file, sizeof(err->file), "%s", path);
            snprintf(err->msg, sizeof(err->msg), "more than %d [account.NAME] sections",
                     SMSC_MAX_ACCOUNTS);
            smsc_cfg_free(c, tables);
            return -EINVAL;
        }
    }
    if (sc.n) {
        tables->acc_keys = calloc(sc.n * NACC, sizeof(*tables->acc_keys));
        if (!tables->acc_keys) {
            smsc_cfg_free(c, tables);
            return -ENOMEM;
        }
        for (size_t i = 0; i < sc.n; i++) {
            for (size_t k = 0; k < NACC; k++) {
                struct sm_cfg_key *key = &tables->acc_keys[i * NACC + k];

                *key = acc_template[k];
                key->section = tables->sections[i];
                key->offset += OFF(acc) + i * sizeof(struct smsc_account_cfg);
            }
        }
        tables->t[1] = (struct sm_cfg_table){tables->acc_keys, sc.n * NACC};
    }
    rc = path ? sm_cfg_load(path, tables->t, 2, c, err) : sm_cfg_defaults(tables->t, 2, c);
    if (rc) {
        if (!path)
            snprintf(err->msg, sizeof(err->msg), "internal error: defaults do not parse");
        smsc_cfg_free(c, tables);
        return rc;
    }
    for (size_t i = 0; i < sc.n; i++) {
        c->account_names[i] = strdup(tables->sections[i] + sizeof(acc_prefix) - 1);
        if (!c->account_names[i]) {
            smsc_cfg_free(c, tables);
            return -ENOMEM;
        }
    }
    c->naccounts = c->nfile_accounts = sc.n;
    return 0;
}

void smsc_cfg_free(struct smsc_cfg *c, struct smsc_cfg_tables *tables)
{
    /* sm_cfg frees what the tables describe; command-line accounts are ours */
    sm_cfg_free(tables->t, 2, c);
    for (size_t i = c->nfile_accounts; i < c->naccounts; i++) {
        free(c->acc[i].password);
        free(c->acc[i].routes);
    }
    for (size_t i = 0; i < c->naccounts; i++)
        free(c->account_names[i]);
    for (size_t i = 0; i < SMSC_MAX_ACCOUNTS; i++)
        free(tables->sections[i]);
    free(tables->acc_keys);
    memset(tables, 0, sizeof(*tables));
    c->naccounts = c->nfile_accounts = 0;
}

int smsc_cfg_add_account(struct smsc_cfg *c, const char *spec, char *why, size_t whylen)
{
    const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    struct smsc_account_cfg *a;
    char *name;

    if (!c1) {
        snprintf(why, whylen, "--account '%s': expected SYSTEM_ID:PASSWORD[:ROUTE,...]", spec);
        return -EINVAL;
    }
    if (c->naccounts == SMSC_MAX_ACCOUNTS) {
        snprintf(why, whylen, "more than %d accounts", SMSC_MAX_ACCOUNTS);
        return -ENOSPC;
    }
    name = strndup(spec, (size_t)(c1 - spec));
    if (!name)
        return -ENOMEM;
    for (size_t i = 0; i < c->naccounts; i++) {
        if (!strcmp(c->account_names[i], name)) {
            snprintf(why, whylen, "--account: account '%s' is defined twice", name);
            free(name);
            return -EEXIST;
        }
    }
    a = &c->acc[c->naccounts];
    memset(a, 0, sizeof(*a));
    a->password = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : strdup(c1 + 1);
    a->routes = strdup(c2 ? c2 + 1 : "");
    a->max_binds = 1;
    if (!a->password || !a->routes) {
        free(a->password);
        free(a->routes);
        free(name);
        return -ENOMEM;
    }
    c->account_names[c->naccounts++] = name;
    return 0;
}

static bool is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;

    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static bool name_valid(const char *n)
{
    size_t l = strlen(n);

    if (l == 0 || l >= SM_SMPP_SYSTEM_ID_SIZE)
        return false;
    for (size_t i = 0; i < l; i++)
        if (!isalnum((unsigned char)n[i]) && !strchr("_-.", n[i]))
            return false;
    return true;
}

int smsc_cfg_check(const char *path, struct smsc_cfg *c, struct sm_cfg_error *err)
{
    const char *file = path ? path : "(command line)";
    char *end;
    double loss;

    if (!c->allow_remote && !is_loopback(c->listen.host))
        return sm_cfg_fail(err, file, "smpp", "listen",
                           "smpp.listen %s is not a loopback address; set smpp.allow_remote = "
                           "yes to serve other hosts",
                           c->listen.host);
    if (strlen(c->system_id) >= SM_SMPP_SYSTEM_ID_SIZE)
        return sm_cfg_fail(err, file, "smpp", "system_id", "smpp.system_id is longer than 15");
    if (c->max_pdu < SM_SMPP_PDU_MIN_LIMIT || c->max_pdu > SM_SMPP_PDU_MAX_LIMIT)
        return sm_cfg_fail(err, file, "smpp", "max_pdu", "smpp.max_pdu must be %d to %d",
                           SM_SMPP_PDU_MIN_LIMIT, SM_SMPP_PDU_MAX_LIMIT);
    if (sm_log_levels_valid(c->log_level))
        return sm_cfg_fail(err, file, "log", "level", "log.level '%s' is not a level",
                           c->log_level);
    if (c->retry_max < c->retry_initial)
        return sm_cfg_fail(err, file, "store", "retry_max",
                           "store.retry_max is below store.retry_initial");
    errno = 0;
    loss = strtod(c->loss, &end);
    if (!*c->loss || *end || errno || !(loss >= 0.0 && loss <= 1.0))
        return sm_cfg_fail(err, file, "network", "loss",
                           "network.loss '%s' is not a fraction between 0 and 1", c->loss);
    c->loss_rate = loss;
    c->throttle_delay = !strcmp(c->throttle, "delay");
    for (size_t i = 0; i < c->naccounts; i++) {
        const char *n = c->account_names[i];
        char section[64], why[160];
        struct smsc_route *r = NULL;
        size_t nr = 0;

        snprintf(section, sizeof(section), "%s%s", acc_prefix, n);
        if (!name_valid(n))
            return sm_cfg_fail(err, file, section, "password",
                               "account name '%s' is not a system_id (1-15 letters, digits, "
                               "'_', '-', '.')",
                               n);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->account_names[j], n))
                return sm_cfg_fail(err, file, section, "password", "account '%s' is defined twice",
                                   n);
        if (strlen(c->acc[i].password) >= SM_SMPP_PASSWORD_SIZE)
            return sm_cfg_fail(err, file, section, "password",
                               "password of account '%s' is longer than 8 characters", n);
        if (smsc_routes_parse(c->acc[i].routes, &r, &nr, why, sizeof(why)))
            return sm_cfg_fail(err, file, section, "routes", "routes of account '%s': %s", n, why);
        smsc_routes_free(r, nr);
    }
    return 0;
}

void smsc_cfg_print_help(FILE *out)
{
    struct sm_cfg_table t[2] = {{keys, NKEYS}, {acc_template, NACC}};

    sm_cfg_print_help(out, t, 2);
}

void smsc_cfg_print(FILE *out, const struct smsc_cfg *c, const struct smsc_cfg_tables *tables)
{
    sm_cfg_print(out, tables->t, 2, c);
    for (size_t i = c->nfile_accounts; i < c->naccounts; i++)
        fprintf(out, "\n[%s%s]\npassword = %s\nroutes = %s\nmax_binds = %ld\nthroughput = %ld\n",
                acc_prefix, c->account_names[i], c->acc[i].password, c->acc[i].routes,
                c->acc[i].max_binds, c->acc[i].throughput);
}
