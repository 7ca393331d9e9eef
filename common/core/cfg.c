/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm/cfg.h"

/* Longest line libinih reads in one piece (its compiled-in INI_MAX_LINE is 200). */
#define LINE_MAX_LEN 200
#define MAX_KEYS     256

struct load_state {
    const char *path;
    char dir[PATH_MAX];
    const struct sm_cfg_table *tables;
    size_t ntables;
    void *cfg;
    FILE *fp;
    int line;      /* lines handed to libinih so far */
    bool too_long; /* the reader met a line longer than libinih can take */
    struct sm_cfg_error *err;
    bool failed;
};

/* Where each key was set, for error messages after loading. */
static _Thread_local struct {
    const struct sm_cfg_key *key;
    int line;
} seen[MAX_KEYS];
static _Thread_local size_t nseen;

__attribute__((format(printf, 4, 0))) static void
set_err(struct sm_cfg_error *err, const char *file, int line, const char *fmt, va_list ap)
{
    if (!err)
        return;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

static void fail(struct load_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct load_state *st, const char *fmt, ...)
{
    va_list ap;

    if (st->failed)
        return;
    st->failed = true;
    va_start(ap, fmt);
    set_err(st->err, st->path, st->line, fmt, ap);
    va_end(ap);
}

void sm_cfg_error_print(const struct sm_cfg_error *err, const char *prog, FILE *f)
{
    const char *file = err->file[0] ? err->file : prog;

    if (err->line)
        fprintf(f, "%s:%d: %s\n", file, err->line, err->msg);
    else
        fprintf(f, "%s: %s\n", file, err->msg);
}

int sm_cfg_fail(struct sm_cfg_error *err, const char *file, const char *section, const char *name,
                const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_err(err, file, sm_cfg_line(section, name), fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int sm_cfg_line(const char *section, const char *name)
{
    for (size_t i = 0; i < nseen; i++)
        if (!strcmp(seen[i].key->section, section) && !strcmp(seen[i].key->name, name))
            return seen[i].line;
    return 0;
}

int sm_cfg_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long l;

    errno = 0;
    l = strtol(s, &end, 0);
    if (!*s || *end || (errno && errno != ERANGE))
        return -EINVAL;
    if (errno == ERANGE || l < min || l > max)
        return -ERANGE;
    *out = l;
    return 0;
}

int sm_cfg_parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v, mul = 1;

    if (!*s || *s == '-' || *s == '+')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || errno)
        return errno ? -ERANGE : -EINVAL;
    if (*end) {
        switch (*end) {
        case 'k':
        case 'K':
            mul = 1ULL << 10;
            break;
        case 'm':
        case 'M':
            mul = 1ULL << 20;
            break;
        case 'g':
        case 'G':
            mul = 1ULL << 30;
            break;
        default:
            return -EINVAL;
        }
        if (end[1])
            return -EINVAL;
    }
    if (v > SIZE_MAX / mul)
        return -ERANGE;
    *out = (size_t)(v * mul);
    return 0;
}

int sm_cfg_parse_addr(const char *s, struct sm_cfg_addr *out)
{
    const char *colon;
    char host[64];
    size_t hl;
    char *end;
    long port;
    unsigned char tmp[16];

    if (*s == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return -EINVAL;
        hl = (size_t)(rb - s - 1);
        if (hl == 0 || hl >= sizeof(host))
            return -EINVAL;
        memcpy(host, s + 1, hl);
        host[hl] = 0;
        if (inet_pton(AF_INET6, host, tmp) != 1)
            return -EINVAL;
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -EINVAL;
        hl = (size_t)(colon - s);
        if (hl == 0 || hl >= sizeof(host))
            return -EINVAL;
        memcpy(host, s, hl);
        host[hl] = 0;
        if (inet_pton(AF_INET, host, tmp) != 1)
            return -EINVAL;
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port < 0 || port > 65535)
        return -EINVAL;
    snprintf(out->host, sizeof(out->host), "%s", host);
    out->port = (uint16_t)port;
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};

    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcasecmp(v, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static char *resolve_path(const char *dir, const char *v)
{
    char *p;

    if (!*v || v[0] == '/' || !dir[0])
        return strdup(v);
    if (asprintf(&p, "%s/%s", dir, v) < 0)
        return NULL;
    return p;
}

/* Store text v into the field described by k. Returns NULL or an error message. */
static const char *store(const struct sm_cfg_key *k, void *cfg, const char *dir, const char *v)
{
    char *field = (char *)cfg + k->offset;
    long l;

    switch (k->type) {
    case SM_CFG_ENUM: {
        bool ok = false;
        for (const char *const *c = k->choices; c && *c; c++)
            ok |= !strcmp(*c, v);
        if (!ok)
            return "is not one of the allowed values";
    }
        /* fall through */
    case SM_CFG_STRING:
    case SM_CFG_PATH: {
        char **sp = (char **)(void *)field;
        char *nv = k->type == SM_CFG_PATH ? resolve_path(dir, v) : strdup(v);
        if (!nv)
            return "out of memory";
        free(*sp);
        *sp = nv;
        return NULL;
    }
    case SM_CFG_INT:
        switch (sm_cfg_parse_long(v, k->min, k->max, &l)) {
        case 0:
            *(long *)(void *)field = l;
            return NULL;
        case -ERANGE:
            return "is out of range";
        default:
            return "is not an integer";
        }
    case SM_CFG_SIZE:
        if (sm_cfg_parse_size(v, (size_t *)(void *)field))
            return "is not a size (digits with an optional k, M or G)";
        return NULL;
    case SM_CFG_BOOL:
        if (parse_bool(v, (bool *)(void *)field))
            return "is not a boolean (yes/no)";
        return NULL;
    case SM_CFG_ADDR:
        if (sm_cfg_parse_addr(v, (struct sm_cfg_addr *)(void *)field))
            return "is not a numeric address with a port (127.0.0.1:8443, [::1]:8443)";
        return NULL;
    }
    return "has an unknown type";
}

static const struct sm_cfg_key *find_key(const struct sm_cfg_table *tables, size_t ntables,
                                         const char *section, const char *name)
{
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].nkeys; i++)
            if (!strcmp(tables[t].keys[i].section, section) &&
                !strcmp(tables[t].keys[i].name, name))
                return &tables[t].keys[i];
    return NULL;
}

static void describe_choices(const struct sm_cfg_key *k, char *out, size_t n)
{
    size_t used = 0;

    out[0] = 0;
    for (const char *const *c = k->choices; c && *c && used < n; c++)
        used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "", *c);
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct load_state *st = user;
    const struct sm_cfg_key *k;
    const char *msg;

    if (st->failed)
        return 0;
    if (st->too_long) {
        fail(st, "line longer than %d characters", LINE_MAX_LEN - 2);
        return 0;
    }
    k = find_key(st->tables, st->ntables, section, name);
    if (!k) {
        fail(st, "unknown key '%s%s%s'", section, *section ? "." : "", name);
        return 0;
    }
    for (size_t i = 0; i < nseen; i++) {
        if (seen[i].key == k) {
            fail(st, "key '%s' is set twice (first on line %d)", name, seen[i].line);
            return 0;
        }
    }
    msg = store(k, st->cfg, st->dir, value);
    if (msg) {
        char choices[160];

        describe_choices(k, choices, sizeof(choices));
        fail(st, "value '%s' of '%s%s%s' %s%s%s%s", value, section, *section ? "." : "", name, msg,
             k->type == SM_CFG_ENUM ? " (" : "", choices, k->type == SM_CFG_ENUM ? ")" : "");
        return 0;
    }
    if (nseen < MAX_KEYS) {
        seen[nseen].key = k;
        seen[nseen].line = st->line;
        nseen++;
    }
    return 1;
}

/* libinih line reader: counts lines so errors found later can name them, and refuses lines
 * libinih would otherwise silently split. */
static char *reader(char *str, int num, void *stream)
{
    struct load_state *st = stream;
    char *r = fgets(str, num, st->fp);

    if (!r)
        return NULL;
    st->line++;
    if (!strchr(str, '\n') && !feof(st->fp)) {
        int c;

        st->too_long = true;
        while ((c = fgetc(st->fp)) != EOF && c != '\n')
            ;
    }
    return r;
}

static int defaults(const struct sm_cfg_table *tables, size_t ntables, void *cfg, const char *dir)
{
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t].nkeys; i++) {
            const struct sm_cfg_key *k = &tables[t].keys[i];
            if (k->def && store(k, cfg, dir, k->def))
                return -EINVAL;
        }
    }
    return 0;
}

int sm_cfg_defaults(const struct sm_cfg_table *tables, size_t ntables, void *cfg)
{
    return defaults(tables, ntables, cfg, "");
}

int sm_cfg_load(const char *path, const struct sm_cfg_table *tables, size_t ntables, void *cfg,
                struct sm_cfg_error *err)
{
    struct load_state st = {
        .path = path, .tables = tables, .ntables = ntables, .cfg = cfg, .err = err};
    const char *slash;
    int rc;

    nseen = 0;
    if (err)
        memset(err, 0, sizeof(*err));
    slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof(st.dir)) {
        memcpy(st.dir, path, (size_t)(slash - path));
        st.dir[slash - path] = 0;
        if (!st.dir[0])
            strcpy(st.dir, "/");
    } else {
        strcpy(st.dir, ".");
    }
    rc = defaults(tables, ntables, cfg, st.dir);
    if (rc) {
        fail(&st, "internal error: a default value does not parse");
        goto out;
    }
    st.fp = fopen(path, "re");
    if (!st.fp) {
        rc = -errno;
        fail(&st, "cannot open: %s", strerror(errno));
        goto out;
    }
    rc = ini_parse_stream(reader, &st, on_entry, &st);
    fclose(st.fp);
    if (rc > 0 && !st.failed) {
        st.line = rc;
        fail(&st, "syntax error (expected 'key = value' or '[section]')");
    }
    if (st.failed) {
        rc = -EINVAL;
        goto out;
    }
    if (rc < 0) {
        rc = -ENOMEM;
        fail(&st, "cannot parse (out of memory)");
        goto out;
    }
    if (st.too_long) {
        fail(&st, "line longer than %d characters", LINE_MAX_LEN - 2);
        rc = -EINVAL;
        goto out;
    }
    /* required keys */
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t].nkeys; i++) {
            const struct sm_cfg_key *k = &tables[t].keys[i];
            if (!k->def && !sm_cfg_line(k->section, k->name)) {
                st.line = 0;
                fail(&st, "required key '%s%s%s' is missing", k->section, *k->section ? "." : "",
                     k->name);
                rc = -EINVAL;
                goto out;
            }
        }
    }
    return 0;
out:
    sm_cfg_free(tables, ntables, cfg);
    return rc;
}

void sm_cfg_free(const struct sm_cfg_table *tables, size_t ntables, void *cfg)
{
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t].nkeys; i++) {
            const struct sm_cfg_key *k = &tables[t].keys[i];
            if (k->type == SM_CFG_STRING || k->type == SM_CFG_PATH || k->type == SM_CFG_ENUM) {
                char **sp = (char **)(void *)((char *)cfg + k->offset);
                free(*sp);
                *sp = NULL;
            }
        }
    }
}

static void print_key(FILE *out, const struct sm_cfg_key *k, const void *cfg)
{
    const char *field = (const char *)cfg + k->offset;

    if (!cfg) {
        fprintf(out, "# %s%s\n%s%s = %s\n", k->help, k->def ? "" : " (required)",
                k->def ? "" : "# ", k->name, k->def ? k->def : "");
        return;
    }
    switch (k->type) {
    case SM_CFG_STRING:
    case SM_CFG_PATH:
    case SM_CFG_ENUM: {
        const char *s = *(char *const *)(const void *)field;
        fprintf(out, "%s = %s\n", k->name, s ? s : "");
        break;
    }
    case SM_CFG_INT:
        fprintf(out, "%s = %ld\n", k->name, *(const long *)(const void *)field);
        break;
    case SM_CFG_SIZE:
        fprintf(out, "%s = %zu\n", k->name, *(const size_t *)(const void *)field);
        break;
    case SM_CFG_BOOL:
        fprintf(out, "%s = %s\n", k->name, *(const bool *)(const void *)field ? "yes" : "no");
        break;
    case SM_CFG_ADDR: {
        const struct sm_cfg_addr *a = (const void *)field;
        fprintf(out, strchr(a->host, ':') ? "%s = [%s]:%u\n" : "%s = %s:%u\n", k->name, a->host,
                a->port);
        break;
    }
    }
}

/* Print keys grouped by section, sections in order of first appearance, top level first. */
static void walk(FILE *out, const struct sm_cfg_table *tables, size_t ntables, const void *cfg)
{
    const char *sections[64] = {""};
    size_t ns = 1;

    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t].nkeys; i++) {
            const char *s = tables[t].keys[i].section;
            size_t j = 0;

            while (j < ns && strcmp(sections[j], s))
                j++;
            if (j == ns && ns < sizeof(sections) / sizeof(sections[0]))
                sections[ns++] = s;
        }
    }
    for (size_t j = 0; j < ns; j++) {
        if (*sections[j])
            fprintf(out, "\n[%s]\n", sections[j]);
        for (size_t t = 0; t < ntables; t++)
            for (size_t i = 0; i < tables[t].nkeys; i++)
                if (!strcmp(tables[t].keys[i].section, sections[j]))
                    print_key(out, &tables[t].keys[i], cfg);
    }
}

void sm_cfg_print_help(FILE *out, const struct sm_cfg_table *tables, size_t ntables)
{
    walk(out, tables, ntables, NULL);
}

void sm_cfg_print(FILE *out, const struct sm_cfg_table *tables, size_t ntables, const void *cfg)
{
    walk(out, tables, ntables, cfg);
}
