/* SPDX-License-Identifier: Apache-2.0 */
/* The rows of an `smctl batch` file (batch_rows.h), apart from the calls so that the fuzzer
 * reaches them too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_rows.h"

/* Split one CSV line (RFC 4180 quotes) into at most max fields, in place. */
static size_t csv_split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;

    while (n < max) {
        char *out = p;

        f[n++] = p;
        if (*p == '"') {
            char *q = p + 1;

            for (;;) {
                if (!*q)
                    break;
                if (*q == '"' && q[1] == '"') {
                    *out++ = '"';
                    q += 2;
                } else if (*q == '"') {
                    q++;
                    break;
                } else {
                    *out++ = *q++;
                }
            }
            p = q;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        if (*p != ',') {
            *out = 0;
            break;
        }
        *out = 0;
        p++;
    }
    return n;
}

const struct smctl_member *smctl_member_named(const struct smctl_function *fn, const char *name)
{
    for (size_t i = 0; i < fn->nmembers; i++)
        if (!strcmp(fn->member[i].name, name) || !strcmp(fn->member[i].option, name))
            return &fn->member[i];
    return NULL;
}

void smctl_batch_rows_init(struct smctl_batch_rows *r, const struct smctl_function *fn)
{
    memset(r, 0, sizeof(*r));
    r->fn = fn;
}

void smctl_batch_rows_free(struct smctl_batch_rows *r)
{
    free(r->hcopy);
    memset(r, 0, sizeof(*r));
}

/* The CSV header: every cell names a member. */
static int header(struct smctl_batch_rows *r, const char *line, char *why, size_t whylen)
{
    r->hcopy = strdup(line);
    if (!r->hcopy) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    r->ncols = csv_split(r->hcopy, r->head, 64);
    for (size_t i = 0; i < r->ncols; i++)
        if (!smctl_member_named(r->fn, r->head[i])) {
            snprintf(why, whylen, "%s.%s has no member '%s'", r->fn->iface, r->fn->name,
                     r->head[i]);
            return -1;
        }
    return 0;
}

int smctl_batch_line(struct smctl_batch_rows *r, char *line, size_t len, json_t **members,
                     char *why, size_t whylen)
{
    json_t *m;

    *members = NULL;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = 0;
    if (!len || line[0] == '#')
        return 0;
    if (!r->ncols && !r->json) {
        if (line[0] != '{')
            return header(r, line, why, whylen);
        r->json = true;
    }
    if (r->json) {
        json_error_t je;

        m = json_loads(line, 0, &je);
        if (!json_is_object(m)) {
            snprintf(why, whylen, "not a JSON object: %s", je.text);
            goto bad;
        }
    } else {
        char *cells[64];
        size_t n = csv_split(line, cells, 64);

        m = json_object();
        for (size_t i = 0; i < n && i < r->ncols; i++)
            if (cells[i][0] &&
                smctl_member_set(m, smctl_member_named(r->fn, r->head[i]), cells[i], why, whylen))
                goto bad;
    }
    for (size_t i = 0; i < r->fn->nmembers; i++)
        if (r->fn->member[i].required && strcmp(r->fn->member[i].name, "smsrId") &&
            !json_object_get(m, r->fn->member[i].name)) {
            snprintf(why, whylen, "%s is missing", r->fn->member[i].name);
            goto bad;
        }
    *members = m;
    return 1;
bad:
    json_decref(m);
    return -1;
}
