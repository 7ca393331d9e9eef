/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the file of `smctl batch FUNCTION FILE`, CSV with a header or JSON lines, read line
 * by line as smctl reads it (tools/smctl/batch_rows.c), until the first bad line. The first byte
 * picks the function, so that every kind of member (text, boolean, number, object, list of
 * texts) is read from CSV cells.
 * Properties: a row is a JSON object with every required member (smsrId aside); a CSV row has
 * only the function's members, each of its schema's JSON type; a bad line says why; a line that
 * is no row (empty, '#', the header) gives nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch_rows.h"

static const char *const functions[][2] = {
    {"es2", "downloadProfile"},   {"es4", "auditEIS"},    {"es3", "createISDP"},
    {"es2", "updatePolicyRules"}, {"es1", "registerEIS"}, {"es7", "createAdditionalKeySet"},
};
#define NFN (sizeof(functions) / sizeof(functions[0]))
static struct smctl_function fns[NFN];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < NFN; i++)
        if (smctl_function(functions[i][0], functions[i][1], &fns[i]))
            abort();
    return 0;
}

static bool typed(const json_t *v, enum smctl_type t)
{
    size_t i;
    json_t *e;

    switch (t) {
    case SMCTL_STRING:
        return json_is_string(v);
    case SMCTL_BOOL:
        return json_is_boolean(v);
    case SMCTL_INT:
        return json_is_integer(v);
    case SMCTL_OBJECT:
        return json_is_object(v);
    case SMCTL_STRINGS:
        json_array_foreach(v, i, e) {
            if (!json_is_string(e))
                return false;
        }
        return json_is_array(v);
    case SMCTL_ARRAY:
        return json_is_array(v);
    }
    return false;
}

static void check_row(const struct smctl_batch_rows *r, const json_t *m)
{
    const struct smctl_function *fn = r->fn;
    const char *key;
    json_t *v;

    if (!json_is_object(m))
        abort();
    for (size_t i = 0; i < fn->nmembers; i++)
        if (fn->member[i].required && strcmp(fn->member[i].name, "smsrId") &&
            !json_object_get(m, fn->member[i].name))
            abort();
    if (r->json)
        return;
    json_object_foreach((json_t *)m, key, v) {
        size_t i = 0;

        while (i < fn->nmembers && strcmp(fn->member[i].name, key))
            i++;
        if (i == fn->nmembers || !typed(v, fn->member[i].type))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smctl_batch_rows rows;
    size_t pos = 1;

    if (!size)
        return 0;
    smctl_batch_rows_init(&rows, &fns[data[0] % NFN]);
    /* the lines as getline returns them: up to and with the '\n', NUL-terminated */
    while (pos < size) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (data + pos)) + 1 : size - pos;
        char *line = malloc(len + 1), why[300] = "";
        json_t *m = NULL;
        int k;

        if (!line)
            break;
        memcpy(line, data + pos, len);
        line[len] = 0;
        pos += len;
        k = smctl_batch_line(&rows, line, len, &m, why, sizeof(why));
        if (k > 0)
            check_row(&rows, m);
        else if (m || (k < 0 && !why[0]))
            abort();
        json_decref(m);
        free(line);
        if (k < 0)
            break;
    }
    smctl_batch_rows_free(&rows);
    return 0;
}
