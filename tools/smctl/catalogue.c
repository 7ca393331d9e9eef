/* SPDX-License-Identifier: Apache-2.0 */
/* The functions smctl can call, from the embedded JSON Schemas (catalogue.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalogue.h"
#include "sm/embed.h"
#include "sm/json.h"

extern const struct sm_embedded_file smctl_schemas[];

static const struct sm_embedded_file *schema_file(const char *name)
{
    for (const struct sm_embedded_file *f = smctl_schemas; f->name; f++) {
        const char *base = strrchr(f->name, '/');

        if (!strcmp(base ? base + 1 : f->name, name))
            return f;
    }
    return NULL;
}

static json_t *schema_load(const char *name)
{
    const struct sm_embedded_file *f = schema_file(name);

    return f ? json_loadb(f->text, f->len, 0, NULL) : NULL;
}

/* The JSON type of a property: its own "type", or that of what its "$ref" names (another schema
 * file, or one of its $defs). */
static enum smctl_type type_of(const json_t *prop, int depth)
{
    const char *t = sm_json_str(prop, "type"), *ref = sm_json_str(prop, "$ref");

    if (t && !strcmp(t, "array")) {
        const json_t *items = json_object_get(prop, "items");

        return type_of(items, depth + 1) == SMCTL_STRING ? SMCTL_STRINGS : SMCTL_ARRAY;
    }
    if (t)
        return !strcmp(t, "boolean")   ? SMCTL_BOOL
               : !strcmp(t, "integer") ? SMCTL_INT
               : !strcmp(t, "object")  ? SMCTL_OBJECT
                                       : SMCTL_STRING;
    if (ref && depth < 4) {
        char file[128];
        const char *hash = strchr(ref, '#');
        json_t *s;
        enum smctl_type r = SMCTL_STRING;

        snprintf(file, sizeof(file), "%.*s", hash ? (int)(hash - ref) : (int)strlen(ref), ref);
        s = schema_load(file);
        if (s) {
            const json_t *target = s;

            /* #/$defs/<name> */
            if (hash && !strncmp(hash, "#/$defs/", 8))
                target = json_object_get(json_object_get(s, "$defs"), hash + 8);
            r = type_of(target, depth + 1);
            json_decref(s);
        }
        return r;
    }
    if (json_object_get(prop, "properties"))
        return SMCTL_OBJECT;
    return SMCTL_STRING;
}

static void option_name(const char *member, char *out, size_t n)
{
    size_t o = 0;

    for (const char *p = member; *p && o + 2 < n; p++) {
        if (isupper((unsigned char)*p)) {
            out[o++] = '-';
            out[o++] = (char)tolower((unsigned char)*p);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = 0;
}

/* Descriptions are kept as borrowed pointers into the embedded text's parse: the parsed
 * schemas live as long as the program. */
static json_t *kept;

int smctl_function(const char *iface, const char *name, struct smctl_function *out)
{
    char file[160];
    json_t *s, *props, *req;
    const char *key;
    json_t *v;

    snprintf(file, sizeof(file), "%s.%s.request.schema.json", iface, name);
    s = schema_load(file);
    if (!s)
        return -ENOENT;
    if (!kept)
        kept = json_array();
    json_array_append_new(kept, s);
    memset(out, 0, sizeof(*out));
    snprintf(out->iface, sizeof(out->iface), "%s", iface);
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->title = sm_json_str(s, "description");
    props = json_object_get(s, "properties");
    req = json_object_get(s, "required");
    json_object_foreach(props, key, v) {
        struct smctl_member *m;
        size_t i;
        json_t *r;

        if (!strcmp(key, "header") || out->nmembers >= sizeof(out->member) / sizeof(out->member[0]))
            continue;
        m = &out->member[out->nmembers++];
        snprintf(m->name, sizeof(m->name), "%s", key);
        option_name(key, m->option, sizeof(m->option));
        m->type = type_of(v, 0);
        m->description = sm_json_str(v, "description");
        json_array_foreach(req, i, r)
            if (json_is_string(r) && !strcmp(json_string_value(r), key))
                m->required = true;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void smctl_list_functions(const char *iface, FILE *f)
{
    const char *names[128];
    size_t n = 0, pre = strlen(iface);

    for (const struct sm_embedded_file *e = smctl_schemas; e->name && n < 128; e++) {
        const char *base = strrchr(e->name, '/');

        base = base ? base + 1 : e->name;
        if (!strncmp(base, iface, pre) && base[pre] == '.' && strstr(base, ".request.schema.json"))
            names[n++] = base;
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        const char *fn = names[i] + pre + 1;
        const char *end = strstr(fn, ".request.schema.json");

        fprintf(f, "  %.*s\n", (int)(end - fn), fn);
    }
}

static const char *type_name(enum smctl_type t)
{
    static const char *const names[] = {"TEXT", "", "N", "JSON", "TEXT (repeatable)", "JSON"};

    return names[t];
}

void smctl_function_usage(const struct smctl_function *fn, FILE *f)
{
    fprintf(f, "usage: smctl %s %s [OPTIONS]\n", fn->iface, fn->name);
    if (fn->title)
        fprintf(f, "  %s\n", fn->title);
    fprintf(f, "members:\n");
    for (size_t i = 0; i < fn->nmembers; i++) {
        const struct smctl_member *m = &fn->member[i];
        char left[96];

        snprintf(left, sizeof(left), "--%s%s%s", m->option,
                 m->type == SMCTL_BOOL ? "[=false]" : " ", type_name(m->type));
        fprintf(f, "  %-34s %s%s\n", left, m->required ? "(required) " : "",
                m->description ? m->description : "");
    }
}

/* Text of a JSON-valued option: the text itself, or the contents of @FILE. */
json_t *smctl_json_arg(const char *v, char *why, size_t n)
{
    json_error_t je;
    json_t *j = v[0] == '@' ? json_load_file(v + 1, JSON_DECODE_ANY, &je)
                            : json_loads(v, JSON_DECODE_ANY, &je);

    if (!j)
        snprintf(why, n, "%s", je.text);
    return j;
}

/* Set member m from text v (NULL for a flag without a value). 0, or -1 with why. */
int smctl_member_set(json_t *members, const struct smctl_member *m, const char *v, char *why,
                     size_t n)
{
    json_t *j = NULL, *arr;
    char *end;

    switch (m->type) {
    case SMCTL_BOOL:
        if (!v || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
            j = json_true();
        else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0"))
            j = json_false();
        else
            snprintf(why, n, "--%s takes true or false", m->option);
        break;
    case SMCTL_INT: {
        long long x;

        errno = 0;
        x = v ? strtoll(v, &end, 10) : 0;
        if (!v || !*v || *end)
            snprintf(why, n, "--%s takes a number", m->option);
        else if (errno == ERANGE) /* strtoll capped it: never send another number than given */
            snprintf(why, n, "--%s: %s is out of range", m->option, v);
        else
            j = json_integer(x);
        break;
    }
    case SMCTL_OBJECT:
    case SMCTL_ARRAY:
        if (!v)
            snprintf(why, n, "--%s takes JSON or @FILE", m->option);
        else if ((j = smctl_json_arg(v, why, n)) &&
                 (m->type == SMCTL_OBJECT ? !json_is_object(j) : !json_is_array(j))) {
            snprintf(why, n, "--%s takes a JSON %s", m->option,
                     m->type == SMCTL_OBJECT ? "object" : "array");
            json_decref(j);
            j = NULL;
        }
        break;
    case SMCTL_STRINGS:
        if (!v) {
            snprintf(why, n, "--%s takes a value", m->option);
            break;
        }
        /* JSON text is UTF-8: json_string() refuses anything else */
        if (!(j = json_string(v))) {
            snprintf(why, n, "--%s takes UTF-8 text", m->option);
            break;
        }
        arr = json_object_get(members, m->name);
        if (!json_is_array(arr)) {
            arr = json_array();
            json_object_set_new(members, m->name, arr);
        }
        return json_array_append_new(arr, j) ? -1 : 0;
    case SMCTL_STRING:
        if (!v)
            snprintf(why, n, "--%s takes a value", m->option);
        else if (!(j = json_string(v)))
            snprintf(why, n, "--%s takes UTF-8 text", m->option);
        break;
    }
    if (!j)
        return -1;
    json_object_set_new(members, m->name, j);
    return 0;
}
