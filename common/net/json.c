/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "sm/json.h"

static const char *type_name(enum sm_json_type t)
{
    switch (t) {
    case SM_JT_STRING:
        return "a string";
    case SM_JT_INTEGER:
        return "an integer";
    case SM_JT_BOOLEAN:
        return "a boolean";
    case SM_JT_OBJECT:
        return "an object";
    case SM_JT_ARRAY:
        return "an array";
    }
    return "?";
}

static bool type_ok(const json_t *v, enum sm_json_type t)
{
    switch (t) {
    case SM_JT_STRING:
        return json_is_string(v);
    case SM_JT_INTEGER:
        return json_is_integer(v);
    case SM_JT_BOOLEAN:
        return json_is_boolean(v);
    case SM_JT_OBJECT:
        return json_is_object(v);
    case SM_JT_ARRAY:
        return json_is_array(v);
    }
    return false;
}

static const char *subj(const struct sm_json_field *f)
{
    return f && f->subject ? f->subject : SM_SUBJ_FORMAT;
}

/* The elements of an array member: its size within [min, max] when min < max; objects checked
 * against members, or strings checked by validate (and max_len). */
static int check_items(const json_t *v, const struct sm_json_field *f, const char *path,
                       struct sm_status *st)
{
    size_t n = json_array_size(v), max = f->max_len ? f->max_len : 1024;

    if (f->min < f->max && ((json_int_t)n < f->min || (json_int_t)n > f->max)) {
        sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, NULL,
                       "%s.%s must have between %lld and %lld elements", path, f->name,
                       (long long)f->min, (long long)f->max);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        char sub[128];

        snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, f->name, i);
        if (f->members) {
            if (sm_json_check(e, f->members, sub, st))
                return -EINVAL;
        } else if (f->validate) {
            const char *s = json_string_value(e);

            if (!s || json_string_length(e) != strlen(s) || strlen(s) > max || f->validate(s)) {
                sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, s && strlen(s) <= 64 ? s : NULL,
                               "%s is not valid", sub);
                return -EINVAL;
            }
        }
    }
    return 0;
}

int sm_json_check(const json_t *obj, const struct sm_json_field *fields, const char *path,
                  struct sm_status *st)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL, "%s must be an object", path);
        return -EINVAL;
    }
    /* unknown members first: a misspelt optional member must not pass silently */
    json_object_foreach((json_t *)obj, key, v) {
        const struct sm_json_field *f = fields;

        while (f->name && strcmp(f->name, key))
            f++;
        if (!f->name) {
            sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL, "unknown member %s.%.64s",
                           path, key);
            return -EINVAL;
        }
    }
    for (const struct sm_json_field *f = fields; f->name; f++) {
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required) {
                sm_status_fail(st, 400, subj(f), SM_RSN_MANDATORY_MISSING, NULL,
                               "mandatory member %s.%s is missing", path, f->name);
                return -EINVAL;
            }
            continue;
        }
        if (!type_ok(v, f->type)) {
            sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, NULL, "%s.%s must be %s", path,
                           f->name, type_name(f->type));
            return -EINVAL;
        }
        if (f->type == SM_JT_STRING) {
            const char *s = json_string_value(v);
            size_t max = f->max_len ? f->max_len : 1024;

            if (json_string_length(v) != strlen(s)) {
                sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, NULL,
                               "%s.%s contains a NUL character", path, f->name);
                return -EINVAL;
            }
            if (strlen(s) > max) {
                sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, NULL,
                               "%s.%s is longer than %zu characters", path, f->name, max);
                return -EINVAL;
            }
            if (f->validate && f->validate(s)) {
                sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, s, "%s.%s is not valid", path,
                               f->name);
                return -EINVAL;
            }
        } else if (f->type == SM_JT_INTEGER && f->min < f->max) {
            json_int_t i = json_integer_value(v);

            if (i < f->min || i > f->max) {
                sm_status_fail(st, 400, subj(f), SM_RSN_INVALID, NULL,
                               "%s.%s must be between %lld and %lld", path, f->name,
                               (long long)f->min, (long long)f->max);
                return -EINVAL;
            }
        } else if (f->type == SM_JT_OBJECT && f->members) {
            char sub[128];

            snprintf(sub, sizeof(sub), "%s.%s", path, f->name);
            if (sm_json_check(v, f->members, sub, st))
                return -EINVAL;
        } else if (f->type == SM_JT_ARRAY && check_items(v, f, path, st)) {
            return -EINVAL;
        }
    }
    return 0;
}

json_t *sm_json_parse_body(const uint8_t *body, size_t len, struct sm_status *st)
{
    json_error_t e;
    json_t *root;

    if (!len) {
        sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_MANDATORY_MISSING, NULL,
                       "request body is empty");
        return NULL;
    }
    root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL,
                       "malformed JSON at line %d column %d: %.120s", e.line, e.column, e.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        sm_status_fail(st, 400, SM_SUBJ_FORMAT, SM_RSN_INVALID, NULL,
                       "request body must be a JSON object");
        return NULL;
    }
    return root;
}

static void wiping_free(void *p)
{
    if (p)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

void sm_json_use_wiping_allocator(void)
{
    json_set_alloc_funcs(malloc, wiping_free);
}

char *sm_json_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
}

const char *sm_json_str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

json_int_t sm_json_int(const json_t *obj, const char *name, json_int_t fallback)
{
    json_t *v = json_object_get(obj, name);

    return json_is_integer(v) ? json_integer_value(v) : fallback;
}
