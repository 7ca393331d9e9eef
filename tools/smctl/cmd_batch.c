/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smctl batch IFACE.FUNCTION FILE: one call per row of a CSV file (a header line naming the
 * members, or their option names) or of a JSON-lines file (one object of members per line),
 * --concurrency at a time, each waited for. Every finished row is appended to a result file
 * (JSON lines). Its first line names the batch ({"batch": NAME}, a new name per result file);
 * a second run with the same result file skips the rows that are there, and the rows that were
 * on their way go again under the same functionCallIdentifier (NAME-<row>), which the server
 * answers from its journal: a batch can be stopped and resumed without doing anything twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_rows.h"
#include "call.h"
#include "catalogue.h"
#include "client.h"
#include "sm/json.h"
#include "sm/status.h"
#include "smctl.h"

#define MAX_ROWS (1u << 22)

struct batch {
    struct smctl_client c;
    struct smctl_function fn;
    char name[96];
    json_t **rows; /* members per row (NULL: a row already done) */
    size_t nrows, todo;
    atomic_size_t next;
    long timeout, validity;
    FILE *results;
    bool progress, json;
    pthread_mutex_t mu; /* results file, counters, progress line */
    size_t done, ok, failed, running;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smctl batch IFACE.FUNCTION FILE [OPTIONS]\n"
            "  One call per row of FILE: CSV with a header line naming the members\n"
            "  (eid,profileType,enableProfile or eid,profile-type,...), or JSON lines (one\n"
            "  object of members per line). For example:\n"
            "    smctl batch es2.downloadProfile orders.csv --concurrency 16\n"
            "options:\n"
            "  --concurrency N  calls at a time (default 8, at most 256)\n"
            "  --results FILE   the result of every finished row, JSON lines (default\n"
            "                   FILE.results.jsonl); rows found there are not called again\n"
            "  --name NAME      functionCallIdentifier prefix: row R is NAME-R (default: a new\n"
            "                   name, kept in the result file, so a second run resumes)\n"
            "  --timeout S      seconds to wait for each row's result\n"
            "  --validity S     validityPeriod of each request\n"
            "  --progress       a progress line on standard error (default when it is a "
            "terminal)\n"
            "  --json           the summary as one JSON object\n"
            "%s"
            "exit codes: 0 every row Executed-Success or -WithWarning, 1 a row failed,\n"
            "  2 usage, configuration or a bad row, 3 rows not finished (run it again)\n",
            smctl_conn_help);
}

/* ---- reading the file ---- */

static int read_rows(struct batch *b, const char *path)
{
    FILE *f = fopen(path, "r");
    struct smctl_batch_rows rows;
    char *line = NULL;
    size_t linecap = 0, cap, lineno = 0;
    ssize_t len;
    int rc = 0;

    if (!f) {
        fprintf(stderr, "smctl batch: %s: %s\n", path, strerror(errno));
        return -1;
    }
    smctl_batch_rows_init(&rows, &b->fn);
    b->rows = calloc(1024, sizeof(*b->rows));
    cap = 1024;
    while ((len = getline(&line, &linecap, f)) >= 0) {
        json_t *m;
        char why[300] = "";
        int k;

        lineno++;
        k = smctl_batch_line(&rows, line, (size_t)len, &m, why, sizeof(why));
        if (k < 0) {
            fprintf(stderr, "smctl batch: %s:%zu: %s\n", path, lineno, why);
            rc = -1;
            break;
        }
        if (!k)
            continue;
        if (b->nrows == cap) {
            json_t **r = cap < MAX_ROWS ? realloc(b->rows, 2 * cap * sizeof(*b->rows)) : NULL;

            if (!r) {
                fprintf(stderr, "smctl batch: more than %u rows\n", MAX_ROWS);
                json_decref(m);
                rc = -1;
                break;
            }
            b->rows = r;
            cap *= 2;
        }
        b->rows[b->nrows++] = m;
    }
    free(line);
    smctl_batch_rows_free(&rows);
    fclose(f);
    return rc;
}

/* Rows the result file has already: not called again; the batch's name, when it has one. */
static void skip_done(struct batch *b, const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;

    b->todo = b->nrows;
    while (f && getline(&line, &cap, f) >= 0) {
        json_t *j = json_loads(line, 0, NULL);
        json_int_t row = json_integer_value(json_object_get(j, "row"));
        const char *state = sm_json_str(j, "state");

        if (sm_json_str(j, "batch") && !b->name[0])
            snprintf(b->name, sizeof(b->name), "%s", sm_json_str(j, "batch"));

        if (state && !strcmp(state, "done") && row >= 1 && (size_t)row <= b->nrows &&
            b->rows[row - 1]) {
            json_decref(b->rows[row - 1]);
            b->rows[row - 1] = NULL;
            b->todo--;
        }
        json_decref(j);
    }
    free(line);
    if (f)
        fclose(f);
}

/* ---- running ---- */

static void progress_line(struct batch *b)
{
    unsigned width = 30, fill = b->todo ? (unsigned)(width * b->done / b->todo) : width;
    char bar[64];

    memset(bar, '=', fill);
    memset(bar + fill, ' ', width - fill);
    bar[width] = 0;
    fprintf(stderr, "\r[%s] %zu/%zu  ok %zu  failed %zu  running %zu ", bar, b->done, b->todo,
            b->ok, b->failed, b->running);
    fflush(stderr);
}

static void *worker(void *arg)
{
    struct batch *b = arg;
    size_t i;

    while ((i = atomic_fetch_add(&b->next, 1)) < b->nrows) {
        char call_id[160], err[600] = "";
        json_t *resp = NULL, *line;
        enum smctl_outcome o;
        int ex;
        char *text;

        if (!b->rows[i])
            continue;
        snprintf(call_id, sizeof(call_id), "%s-%zu", b->name, i + 1);
        if (b->c.smsr_id && b->c.smsr_id[0] && smctl_member_named(&b->fn, "smsrId") &&
            !json_object_get(b->rows[i], "smsrId"))
            json_object_set_new(b->rows[i], "smsrId", json_string(b->c.smsr_id));
        o = smctl_invoke(&b->c, b->fn.iface, b->fn.name, json_deep_copy(b->rows[i]), call_id,
                         b->validity, true, b->timeout, &resp, err, sizeof(err));
        ex = smctl_exit_of(o, resp);
        line = json_pack("{s:I, s:s, s:s}", "row", (json_int_t)(i + 1), "functionCallIdentifier",
                         call_id, "state",
                         o == SMCTL_DONE      ? "done"
                         : o == SMCTL_RUNNING ? "running"
                                              : "no-reply");
        if (o == SMCTL_DONE)
            json_object_set(line, "response", resp);
        else if (o == SMCTL_NO_REPLY)
            json_object_set_new(line, "error", json_string(err));
        text = line ? json_dumps(line, JSON_COMPACT) : NULL;
        pthread_mutex_lock(&b->mu);
        if (text && b->results) {
            fprintf(b->results, "%s\n", text);
            fflush(b->results);
        }
        b->done++;
        if (ex == SMCTL_OK)
            b->ok++;
        else if (ex == SMCTL_RUNNING_EXIT || o == SMCTL_NO_REPLY)
            b->running++;
        else
            b->failed++;
        if (b->progress)
            progress_line(b);
        pthread_mutex_unlock(&b->mu);
        free(text);
        json_decref(line);
        json_decref(resp);
    }
    return NULL;
}

int smctl_batch(int argc, char **argv)
{
    struct smctl_conn_opts conn = {0};
    struct batch b = {.progress = isatty(STDERR_FILENO)};
    const char *function = NULL, *file = NULL, *results = NULL, *name = NULL;
    char iface[8] = "", fn[64] = "", rpath[4096];

    long concurrency = 8;
    pthread_t *th = NULL;
    int rc = SMCTL_USAGE;

    for (int i = 1; i < argc; i++) {
        int k = smctl_conn_option(argc, argv, &i, &conn);
        const char *a = argv[i];

        if (k > 0)
            continue;
        if (k < 0 || !strcmp(a, "--help")) {
            usage(k < 0 ? stderr : stdout);
            return k < 0 ? SMCTL_USAGE : SMCTL_OK;
        }
        if (!strcmp(a, "--progress")) {
            b.progress = true;
        } else if (!strcmp(a, "--json")) {
            b.json = true;
        } else if (i + 1 < argc && (!strcmp(a, "--concurrency") || !strcmp(a, "--timeout") ||
                                    !strcmp(a, "--validity"))) {
            long v = atol(argv[++i]);

            if (v < 1 || (!strcmp(a, "--concurrency") && v > 256)) {
                fprintf(stderr, "smctl batch: %s %s is out of range\n", a, argv[i]);
                return SMCTL_USAGE;
            }
            *(!strcmp(a, "--concurrency") ? &concurrency
              : !strcmp(a, "--timeout")   ? &b.timeout
                                          : &b.validity) = v;
        } else if (i + 1 < argc && !strcmp(a, "--results")) {
            results = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--name")) {
            name = argv[++i];
        } else if (a[0] != '-' && !function) {
            function = a;
        } else if (a[0] != '-' && !file) {
            file = a;
        } else {
            usage(stderr);
            return SMCTL_USAGE;
        }
    }
    if (!function || !file || sscanf(function, "%7[a-z0-9].%63s", iface, fn) != 2 ||
        smctl_function(iface, fn, &b.fn)) {
        if (function && file)
            fprintf(stderr, "smctl batch: no function %s\n", function);
        usage(stderr);
        return SMCTL_USAGE;
    }
    pthread_mutex_init(&b.mu, NULL);
    if (read_rows(&b, file))
        goto out;
    snprintf(rpath, sizeof(rpath), "%s", results ? results : file);
    if (!results)
        strncat(rpath, ".results.jsonl", sizeof(rpath) - strlen(rpath) - 1);
    if (name)
        snprintf(b.name, sizeof(b.name), "%s", name);
    skip_done(&b, rpath);
    b.results = fopen(rpath, "a");
    if (!b.results) {
        fprintf(stderr, "smctl batch: %s: %s\n", rpath, strerror(errno));
        goto out;
    }
    if (!b.name[0]) {
        /* a new batch: a name nobody used, kept as the result file's first line */
        char id[64], *text;
        json_t *head;

        smctl_new_call_id(id, sizeof(id));
        snprintf(b.name, sizeof(b.name), "batch%s", id + 5);
        head = json_pack("{s:s, s:s, s:s}", "batch", b.name, "function", function, "file", file);
        text = head ? json_dumps(head, JSON_COMPACT) : NULL;
        if (text)
            fprintf(b.results, "%s\n", text);
        free(text);
        json_decref(head);
    }
    if (smctl_client_open(&conn, &b.c))
        goto out;
    if (!b.timeout)
        b.timeout = b.c.timeout;
    th = calloc((size_t)concurrency, sizeof(*th));
    for (long i = 0; th && i < concurrency; i++)
        pthread_create(&th[i], NULL, worker, &b);
    for (long i = 0; th && i < concurrency; i++)
        pthread_join(th[i], NULL);
    if (b.progress)
        fprintf(stderr, "\n");
    if (b.json)
        printf("{\"rows\":%zu,\"skipped\":%zu,\"ok\":%zu,\"failed\":%zu,\"notFinished\":%zu,"
               "\"results\":\"%s\"}\n",
               b.nrows, b.nrows - b.todo, b.ok, b.failed, b.running, rpath);
    else
        printf("%zu rows: %zu done before, %zu ok, %zu failed, %zu not finished; results in %s\n",
               b.nrows, b.nrows - b.todo, b.ok, b.failed, b.running, rpath);
    rc = b.failed ? SMCTL_FAILED : b.running ? SMCTL_RUNNING_EXIT : SMCTL_OK;
    smctl_client_close(&b.c);
out:
    free(th);
    if (b.results)
        fclose(b.results);
    for (size_t i = 0; i < b.nrows; i++)
        json_decref(b.rows[i]);
    free(b.rows);
    pthread_mutex_destroy(&b.mu);
    return rc;
}
