/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_BATCH_ROWS_H
#define SMCTL_BATCH_ROWS_H

/*
 * The rows of an `smctl batch` file (batch_rows.c), read a line at a time without the network:
 * CSV with a header line naming the members (or their option names), or JSON lines.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalogue.h"

struct smctl_batch_rows {
    const struct smctl_function *fn;
    char *hcopy; /* the CSV header line, its cells at head[] */
    char *head[64];
    size_t ncols;
    bool json; /* the first line was a JSON object: every row is one */
};

/* The member of fn with this name or option name, or NULL. */
const struct smctl_member *smctl_member_named(const struct smctl_function *fn, const char *name);

/* Start reading a file of rows for fn (borrowed). */
void smctl_batch_rows_init(struct smctl_batch_rows *r, const struct smctl_function *fn);
/*
 * One line of the file, len bytes as getline read them (its end, changed in place). Returns 1
 * with *members (the caller frees it) for a row, 0 for a line that is none (empty, '#', the CSV
 * header), -1 with why: a header naming no member, a bad cell or JSON line, a required member
 * missing (smsrId aside: the call adds it).
 */
int smctl_batch_line(struct smctl_batch_rows *r, char *line, size_t len, json_t **members,
                     char *why, size_t whylen);
void smctl_batch_rows_free(struct smctl_batch_rows *r);

#endif
