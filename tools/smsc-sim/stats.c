/* SPDX-License-Identifier: Apache-2.0 */
/* What smsc-sim carried: a table for people (SIGUSR1, exit) and a JSON file for scripts. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "sm/daemon.h"
#include "smsc.h"

static const struct {
    const char *name;
    size_t off;
} fields[] = {
#define F(n)                                                                                       \
    {                                                                                              \
#n, offsetof(struct smsc_counters, n)                                                      \
    }
    F(submitted), F(delivered), F(receipts),      F(lost),     F(throttled),
    F(expired),   F(retried),   F(undeliverable), F(rejected), F(received),
#undef F
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static uint64_t get(const struct smsc_counters *c, size_t i)
{
    return *(const uint64_t *)(const void *)((const char *)c + fields[i].off);
}

static void row(FILE *out, const char *name, const struct smsc_counters *c)
{
    fprintf(out, "  %-15s", name);
    for (size_t i = 0; i < NFIELDS; i++)
        fprintf(out, " %13llu", (unsigned long long)get(c, i));
    fputc('\n', out);
}

void smsc_stats_print(const struct smsc *s, FILE *out)
{
    fprintf(out,
            "smsc-sim: up %lld s, %zu connection%s, %zu message%s held, seed %llu, "
            "%llu generic_nack sent, %llu connection%s closed for bad framing, %llu receipt%s "
            "dropped\n",
            (long long)((smsc_now_ms() - s->start_ms) / 1000), s->nconns, s->nconns == 1 ? "" : "s",
            s->nmsgs, s->nmsgs == 1 ? "" : "s", (unsigned long long)s->seed,
            (unsigned long long)s->nacks_sent, (unsigned long long)s->malformed_closed,
            s->malformed_closed == 1 ? "" : "s", (unsigned long long)s->receipts_dropped,
            s->receipts_dropped == 1 ? "" : "s");
    fprintf(out, "  %-15s", "account");
    for (size_t i = 0; i < NFIELDS; i++)
        fprintf(out, " %13s", fields[i].name);
    fputc('\n', out);
    row(out, "(all)", &s->total);
    for (size_t i = 0; i < s->nacc; i++)
        row(out, s->acc[i].system_id, &s->acc[i].cnt);
}

static json_t *counters(const struct smsc_counters *c)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < NFIELDS; i++)
        json_object_set_new(o, fields[i].name, json_integer((json_int_t)get(c, i)));
    return o;
}

int smsc_stats_write(const struct smsc *s, const char *path)
{
    json_t *root = json_object(), *accs = json_object();
    char *text = NULL;
    int rc = -ENOMEM;

    if (!root || !accs)
        goto out;
    json_object_set_new(root, "uptime_ms", json_integer(smsc_now_ms() - s->start_ms));
    json_object_set_new(root, "seed", json_integer((json_int_t)s->seed));
    json_object_set_new(root, "port", json_integer(s->port));
    json_object_set_new(root, "connections", json_integer((json_int_t)s->nconns));
    json_object_set_new(root, "held", json_integer((json_int_t)s->nmsgs));
    json_object_set_new(root, "generic_nack_sent", json_integer((json_int_t)s->nacks_sent));
    json_object_set_new(root, "closed_bad_framing", json_integer((json_int_t)s->malformed_closed));
    json_object_set_new(root, "receipts_dropped", json_integer((json_int_t)s->receipts_dropped));
    json_object_set_new(root, "total", counters(&s->total));
    for (size_t i = 0; i < s->nacc; i++) {
        json_t *a = counters(&s->acc[i].cnt);

        if (a)
            json_object_set_new(a, "bound", json_integer(s->acc[i].binds));
        json_object_set_new(accs, s->acc[i].system_id, a);
    }
    json_object_set(root, "accounts", accs);
    text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        goto out;
    rc = sm_daemon_write_file(path, text);
out:
    free(text);
    json_decref(accs);
    json_decref(root);
    return rc;
}
